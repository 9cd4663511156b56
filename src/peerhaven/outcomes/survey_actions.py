"""Changing surveys: building instruments, scheduling waves, opening them, reminding, and
taking a member's answers. Each ``do_*`` is one transaction; e-mails go out on commit.

A response is stored under a pseudonym and a date, never a user: the only trace of who
answered is the invitation's ``completed`` flag, which says nothing of what was answered."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from peerhaven.outcomes import survey_emails, surveys
from peerhaven.outcomes.models import Answer, Instrument, Question, Response, Wave, WaveInvitation
from peerhaven.outcomes.pseudonyms import pseudonym
from peerhaven.outcomes.surveys import long_date
from peerhaven.programs.models import Enrollment, Program

DAYS_OPEN = 21
# The standard schedule: baseline, 6 and 12 months, then yearly. Without an end date, a
# program's waves stop after three years.
STANDARD_MONTHS = (0, 6, 12)
YEARS_WITHOUT_END = 3
# A reminder a week after a wave opens and another three days before it closes; nobody
# hears from a wave more than once in three days, whoever asks.
REMIND_AFTER_OPENING = 7
REMIND_BEFORE_CLOSING = 3
MIN_DAYS_BETWEEN_CONTACTS = 3
KEY_LENGTH = 40


class SurveyError(Exception):
    """A survey rule refused the action; the message is shown to the person."""


# Instruments


@transaction.atomic
def do_build_instrument(program: Program, *, name: str, description: str = "", acting_user):
    return Instrument.objects.create(
        organization_id=program.organization_id,
        name=name,
        description=description,
        created_by=acting_user,
    )


@transaction.atomic
def do_update_instrument(instrument: Instrument, *, name: str, description: str, acting_user):
    if instrument.is_builtin:
        raise SurveyError("Built-in instruments cannot be changed; make a copy instead.")
    instrument.name, instrument.description = name, description
    instrument.save(update_fields=["name", "description"])


def refuse_if_locked(instrument: Instrument) -> None:
    if instrument.is_builtin:
        raise SurveyError("Built-in instruments cannot be changed; make a copy instead.")
    if surveys.instrument_is_locked(instrument):
        raise SurveyError(
            "People have already answered this instrument, so its questions cannot change: "
            "their answers would no longer match what was asked. Make a copy instead."
        )


def question_key(instrument: Instrument, prompt: str) -> str:
    """A variable name for exports, from the prompt: lower case, underscores, unique in
    the instrument ("support", "support_2", ...)."""
    base = slugify(prompt).replace("-", "_")[:KEY_LENGTH].strip("_") or "question"
    if base[0].isdigit():
        base = f"q_{base}"[:KEY_LENGTH]
    taken = set(instrument.questions.values_list("key", flat=True))
    key, n = base, 2
    while key in taken:
        suffix = f"_{n}"
        key, n = base[: KEY_LENGTH - len(suffix)] + suffix, n + 1
    return key


@transaction.atomic
def do_add_question(instrument: Instrument, *, acting_user, **fields) -> Question:
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    refuse_if_locked(instrument)
    last = instrument.questions.aggregate(last=Max("position"))["last"] or 0
    return Question.objects.create(
        instrument=instrument,
        key=question_key(instrument, fields["prompt"]),
        position=last + 1,
        **fields,
    )


@transaction.atomic
def do_remove_question(question: Question, *, acting_user) -> None:
    refuse_if_locked(question.instrument)
    question.delete()
    _renumber(question.instrument)


@transaction.atomic
def do_move_question(question: Question, *, up: bool, acting_user) -> None:
    refuse_if_locked(question.instrument)
    ordered = list(question.instrument.questions.all())
    at = [q.pk for q in ordered].index(question.pk)
    to = at - 1 if up else at + 1
    if 0 <= to < len(ordered):
        ordered[at], ordered[to] = ordered[to], ordered[at]
    _renumber(question.instrument, ordered)


def _renumber(instrument: Instrument, ordered: list[Question] | None = None) -> None:
    ordered = ordered if ordered is not None else list(instrument.questions.all())
    for position, question in enumerate(ordered, start=1):
        question.position = position
    Question.objects.bulk_update(ordered, ["position"])


COPIED_FIELDS = ("key", "position", "kind", "prompt", "choices", "low_label", "high_label")
COPIED_LIMITS = ("min_value", "max_value", "required")


@transaction.atomic
def do_copy_instrument(instrument: Instrument, program: Program, *, acting_user) -> Instrument:
    """The organization's own editable copy (of a built-in, or of one already answered)."""
    copy = Instrument.objects.create(
        organization_id=program.organization_id,
        name=f"Copy of {instrument.name}"[:160],
        description=instrument.description,
        created_by=acting_user,
    )
    Question.objects.bulk_create(
        Question(
            instrument=copy,
            **{name: getattr(question, name) for name in COPIED_FIELDS + COPIED_LIMITS},
        )
        for question in instrument.questions.all()
    )
    return copy


# Waves


def standard_months(program: Program) -> list[int]:
    """Months after the start of each standard wave, up to the program's end date (or
    three years when it has none)."""
    last = (
        _months_between(program.starts_on, program.ends_on)
        if program.ends_on
        else 12 * YEARS_WITHOUT_END
    )
    yearly = range(24, max(last, 0) + 1, 12)
    return [m for m in (*STANDARD_MONTHS, *yearly) if m <= last]


def _months_between(start: dt.date, end: dt.date) -> int:
    delta = relativedelta(end, start)
    return delta.years * 12 + delta.months


def standard_label(months: int) -> str:
    if months == 0:
        return "Baseline"
    if months % 12 == 0 and months > 12:
        return f"{months // 12} years"
    return f"{months} months"


@transaction.atomic
def do_schedule_standard_waves(
    program: Program,
    *,
    instrument: Instrument,
    days_open: int = DAYS_OPEN,
    acting_user,
    today: dt.date | None = None,
) -> tuple[list[Wave], list[str]]:
    """Schedule the standard waves not yet scheduled with this instrument. Returns the
    waves made and the labels skipped (already there, or already over)."""
    today = today or timezone.localdate()
    _refuse_unusable(instrument)
    have = set(
        program.survey_waves.filter(instrument=instrument).values_list(
            "months_after_start", flat=True
        )
    )
    made, skipped = [], []
    for months in standard_months(program):
        label = standard_label(months)
        opens_on = program.starts_on + relativedelta(months=months)
        closes_on = opens_on + dt.timedelta(days=days_open)
        if months in have or closes_on < today:
            skipped.append(label)
            continue
        made.append(
            Wave.objects.create(
                program=program,
                instrument=instrument,
                label=label,
                months_after_start=months,
                opens_on=opens_on,
                closes_on=closes_on,
                created_by=acting_user,
            )
        )
    return made, skipped


def _refuse_unusable(instrument: Instrument) -> None:
    problems = surveys.instrument_problems(instrument)
    if problems:
        raise SurveyError(f"“{instrument.name}” cannot be used yet: {' '.join(problems)}")


def _refuse_bad_dates(opens_on: dt.date, closes_on: dt.date) -> None:
    if closes_on < opens_on:
        raise SurveyError("A wave must close on or after the day it opens.")


@transaction.atomic
def do_schedule_wave(program: Program, *, acting_user, **fields) -> Wave:
    _refuse_unusable(fields["instrument"])
    _refuse_bad_dates(fields["opens_on"], fields["closes_on"])
    return Wave.objects.create(program=program, created_by=acting_user, **fields)


def _locked_unopened(wave: Wave) -> Wave:
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    if surveys.wave_has_opened(wave):
        raise SurveyError(f"“{wave.label}” has opened, so it can no longer be changed or deleted.")
    return wave


@transaction.atomic
def do_update_wave(wave: Wave, *, acting_user, **fields) -> Wave:
    wave = _locked_unopened(wave)
    _refuse_unusable(fields.get("instrument", wave.instrument))
    _refuse_bad_dates(
        fields.get("opens_on", wave.opens_on), fields.get("closes_on", wave.closes_on)
    )
    for name, value in fields.items():
        setattr(wave, name, value)
    wave.save()
    return wave


@transaction.atomic
def do_delete_wave(wave: Wave, *, acting_user) -> None:
    _locked_unopened(wave).delete()


# Opening and reminding (run by ``send_survey_invitations``)


def do_open_due_waves(today: dt.date | None = None) -> int:
    """Invite, to every open wave, the program's accepted members not invited yet (late
    joiners too), and e-mail them. Safe to run any number of times. Returns invitations."""
    today = today or timezone.localdate()
    due = Wave.objects.filter(surveys.open_on(today)).values_list("pk", flat=True)
    return sum(_open_wave(pk) for pk in due)


@transaction.atomic
def _open_wave(wave_id: int) -> int:
    # The lock makes two runs at once take turns, so nobody is invited twice.
    wave = Wave.objects.select_for_update().select_related("program").get(pk=wave_id)
    invited = wave.invitations.values("user_id")
    members = (
        Enrollment.objects.filter(
            program_id=wave.program_id, state=Enrollment.State.ACCEPTED, user__isnull=False
        )
        .exclude(user_id__in=invited)
        .values_list("user_id", flat=True)
        .distinct()
    )
    new = WaveInvitation.objects.bulk_create(
        WaveInvitation(wave=wave, user_id=user_id) for user_id in members
    )
    if wave.invitations_sent_at is None:
        wave.invitations_sent_at = timezone.now()
        wave.save(update_fields=["invitations_sent_at"])
    if new:
        rows = WaveInvitation.objects.filter(pk__in=[i.pk for i in new]).select_related(
            "user__profile", "wave__program"
        )
        survey_emails.send_survey_invitations(list(rows))
    return len(new)


def reminder_days(wave: Wave) -> list[dt.date]:
    """The days a wave's reminders fall due, inside its window."""
    days = {
        wave.opens_on + dt.timedelta(days=REMIND_AFTER_OPENING),
        wave.closes_on - dt.timedelta(days=REMIND_BEFORE_CLOSING),
    }
    return sorted(day for day in days if wave.opens_on < day <= wave.closes_on)


def do_send_reminders(today: dt.date | None = None) -> int:
    """Remind members who have not answered, once per reminder day that has come since
    they last heard from the wave. Safe to run any number of times a day."""
    today = today or timezone.localdate()
    due = Wave.objects.filter(surveys.open_on(today), invitations_sent_at__isnull=False)
    sent = 0
    for wave_id in due.values_list("pk", flat=True):
        sent += _remind_wave(wave_id, today, scheduled=True)
    return sent


@transaction.atomic
def do_send_reminders_now(wave: Wave, *, acting_user, today: dt.date | None = None) -> int:
    """Staff's "send reminders now": to everyone not answered who has not heard from the
    wave in the last three days."""
    today = today or timezone.localdate()
    if surveys.wave_state(wave, today) != "open":
        raise SurveyError(f"“{wave.label}” is not open, so there is nobody to remind.")
    return _remind_wave(wave.pk, today, scheduled=False)


@transaction.atomic
def _remind_wave(wave_id: int, today: dt.date, *, scheduled: bool) -> int:
    wave = Wave.objects.select_for_update().get(pk=wave_id)
    due_day = max((d for d in reminder_days(wave) if d <= today), default=None)
    if scheduled and due_day is None:
        return 0
    waiting = (
        surveys.invitations_of_wave(wave)
        .filter(completed=False)
        .select_related("user__profile", "wave__program")
    )
    chosen = [i for i in waiting if _may_remind(i, today, due_day if scheduled else None)]
    if not chosen:
        return 0
    WaveInvitation.objects.filter(pk__in=[i.pk for i in chosen]).update(reminded_at=timezone.now())
    survey_emails.send_survey_reminders(chosen)
    return len(chosen)


def _may_remind(invitation: WaveInvitation, today: dt.date, due_day: dt.date | None) -> bool:
    last = timezone.localdate(invitation.reminded_at or invitation.invited_at)
    if (today - last).days < MIN_DAYS_BETWEEN_CONTACTS:
        return False
    return due_day is None or last < due_day


# Answering


@transaction.atomic
def do_submit_response(
    wave: Wave, user, answers: dict[Question, object], *, today: dt.date | None = None
) -> Response:
    """Store the member's answers under their pseudonym and mark the invitation answered.
    A second submission is refused and changes nothing."""
    today = today or timezone.localdate()
    invitation = surveys.invitations_of(user).select_for_update().filter(wave=wave).first()
    if invitation is None:
        raise SurveyError("You were not invited to this survey.")
    if invitation.completed:
        raise SurveyError(already_answered_message(wave, user))
    _refuse_closed(wave, today)
    _refuse_invalid(wave, answers)
    response = _create_response(wave, user, today)
    Answer.objects.bulk_create(
        _answer(response, question, value)
        for question, value in answers.items()
        if value not in surveys.EMPTY_ANSWERS
    )
    invitation.completed = True
    invitation.save(update_fields=["completed"])
    return response


def already_answered_message(wave: Wave, user) -> str:
    day = surveys.answered_on(wave, user)
    when = f" on {long_date(day)}" if day else ""
    return f"You already answered this survey{when}. Your answers are kept as they were."


def _refuse_closed(wave: Wave, today: dt.date) -> None:
    state = surveys.wave_state(wave, today)
    if state == "scheduled":
        raise SurveyError(f"This survey opens on {long_date(wave.opens_on)}.")
    if state == "closed":
        raise SurveyError(f"This survey closed on {long_date(wave.closes_on)}.")


def _refuse_invalid(wave: Wave, answers: dict[Question, object]) -> None:
    questions = {q.pk: q for q in wave.instrument.questions.all()}
    given = {q.pk: value for q, value in answers.items()}
    if set(given) - set(questions):
        raise SurveyError("Some answers are to questions this survey does not ask.")
    for pk, question in questions.items():
        error = surveys.answer_error(question, given.get(pk))
        if error:
            raise SurveyError(f"“{question.prompt}”: {error}")


def _create_response(wave: Wave, user, today: dt.date) -> Response:
    # The unique (wave, pseudonym) constraint is the last word when two submissions race
    # past the invitation check (SQLite takes no row locks).
    try:
        with transaction.atomic():
            return Response.objects.create(
                wave=wave, pseudonym=pseudonym(wave.program_id, user.pk), submitted_on=today
            )
    except IntegrityError:
        raise SurveyError(already_answered_message(wave, user)) from None


def _answer(response: Response, question: Question, value) -> Answer:
    if question.kind == Question.Kind.TEXT:
        return Answer(response=response, question=question, value=None, text=value)
    return Answer(response=response, question=question, value=value)
