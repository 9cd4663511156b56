"""Reading surveys: which waves are open, who may answer which, and the counts staff see.

The one access rule for members lives here: a member may open a wave's form only with an
invitation of their own, while still in the program (not withdrawn). Everyone else, staff
and site admins included, gets 404: a survey form is never anyone else's business."""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import dateformat, timezone

from peerhaven.outcomes.models import Instrument, Response, Wave, WaveInvitation
from peerhaven.outcomes.pseudonyms import pseudonym
from peerhaven.programs.models import Enrollment, Program
from peerhaven.programs.reports import shown

# Roughly how many questions people answer a minute, for "about 4 minutes".
QUESTIONS_PER_MINUTE = 3


def open_on(day: dt.date) -> Q:
    """Waves open on ``day`` (both ends included)."""
    return Q(opens_on__lte=day, closes_on__gte=day)


def _withdrawn(user_field: str = "user") -> Exists:
    return Exists(
        Enrollment.objects.filter(
            program=OuterRef("wave__program"),
            user=OuterRef(user_field),
            state=Enrollment.State.WITHDRAWN,
        )
    )


def invitations_of(user) -> QuerySet[WaveInvitation]:
    """The member's own invitations in programs they have not left."""
    return WaveInvitation.objects.filter(user=user).exclude(_withdrawn())


def awaiting(user, today: dt.date | None = None) -> QuerySet[WaveInvitation]:
    """Open waves the member has not answered yet, with what a prompt needs, in one query."""
    today = today or timezone.localdate()
    return (
        invitations_of(user)
        .filter(completed=False, wave__opens_on__lte=today, wave__closes_on__gte=today)
        .select_related("wave__program")
        .annotate(questions=Count("wave__instrument__questions"))
        .order_by("wave__closes_on", "wave__pk")
    )


def survey_prompts(user) -> list[WaveInvitation]:
    """The dashboard's prompts: each open survey awaiting the member, with its minutes."""
    prompts = list(awaiting(user))
    for invitation in prompts:
        invitation.minutes = minutes_to_answer(invitation.questions)
    return prompts


def member_surveys(user, today: dt.date | None = None) -> dict[str, list[WaveInvitation]]:
    """The member's surveys page: open ones to answer, and ones already answered."""
    today = today or timezone.localdate()
    rows = (
        invitations_of(user)
        .select_related("wave__program")
        .annotate(questions=Count("wave__instrument__questions"))
        .order_by("-wave__opens_on", "-wave__pk")
    )
    result: dict[str, list[WaveInvitation]] = {"open": [], "completed": [], "closed": []}
    for invitation in rows:
        wave = invitation.wave
        if invitation.completed:
            result["completed"].append(invitation)
        elif wave.opens_on <= today <= wave.closes_on:
            result["open"].append(invitation)
        elif wave.closes_on < today:
            result["closed"].append(invitation)
    result["open"].reverse()  # the one closing soonest first
    return result


def minutes_to_answer(questions: int) -> int:
    return max(1, math.ceil(questions / QUESTIONS_PER_MINUTE))


def get_invitation_for_user(user, wave_id: int) -> WaveInvitation:
    """The member's invitation to a wave, or 404 (a wave they were not invited to, or one
    of a program they left, does not exist for them)."""
    invitation = (
        invitations_of(user)
        .select_related("wave__program", "wave__instrument")
        .filter(wave_id=wave_id)
        .first()
    )
    if invitation is None:
        raise Http404("No such survey.")
    return invitation


def wave_state(wave: Wave, today: dt.date | None = None) -> str:
    """ "scheduled", "open" or "closed" on ``today``."""
    today = today or timezone.localdate()
    if today < wave.opens_on:
        return "scheduled"
    return "open" if today <= wave.closes_on else "closed"


def wave_has_opened(wave: Wave, today: dt.date | None = None) -> bool:
    """Whether members may have seen the wave: from then on it cannot be edited or deleted."""
    today = today or timezone.localdate()
    return wave.invitations_sent_at is not None or wave.opens_on <= today


def answered_on(wave: Wave, user) -> dt.date | None:
    """The day the member answered ``wave``, found through their pseudonym (for the member
    themselves: "you already answered this survey on ...")."""
    code = pseudonym(wave.program_id, user.pk)
    return (
        Response.objects.filter(wave=wave, pseudonym=code)
        .values_list("submitted_on", flat=True)
        .first()
    )


def program_waves(program: Program) -> list[Wave]:
    """A program's waves with invited and responded counts, as staff may see them: the
    rate and the responded count are hidden while fewer than five were invited."""
    waves = (
        program.survey_waves.select_related("instrument")
        .annotate(
            invited=Count("invitations", distinct=True),
            responded=Count("invitations", filter=Q(invitations__completed=True), distinct=True),
        )
        .order_by("opens_on", "pk")
    )
    today = timezone.localdate()
    rows = list(waves)
    for wave in rows:
        wave.state = wave_state(wave, today)
        wave.editable = not wave_has_opened(wave, today)
        wave.invited_shown = shown(wave.invited)
        wave.responded_shown = responded_shown(wave.invited, wave.responded)
        answered = wave.responded_shown
        wave.rate = answered / wave.invited if answered is not None and wave.invited else None
    return rows


def responded_shown(invited: int, responded: int) -> int | None:
    """How many answered, unless it or the number still to answer (invited minus answered,
    which anyone could subtract) is a figure about fewer than five people."""
    if shown(invited) is None or shown(responded) is None or shown(invited - responded) is None:
        return None
    return responded


def instruments_for(program: Program) -> QuerySet[Instrument]:
    """Built-in instruments and the program's organization's own."""
    return Instrument.objects.filter(
        Q(organization__isnull=True) | Q(organization_id=program.organization_id)
    )


def get_instrument_for_program(program: Program, instrument_id: int) -> Instrument:
    instrument = instruments_for(program).filter(pk=instrument_id).first()
    if instrument is None:
        raise Http404("No such instrument.")
    return instrument


def instrument_is_locked(instrument: Instrument) -> bool:
    """Questions cannot change once anyone answered them: the answers would no longer say
    what was asked. Built-ins are never changed by staff."""
    return instrument.is_builtin or Response.objects.filter(wave__instrument=instrument).exists()


def instrument_problems(instrument: Instrument) -> list[str]:
    """Why an instrument cannot be used for a wave yet (empty: it can)."""
    questions = list(instrument.questions.all())
    problems = []
    if not questions:
        problems.append("It has no questions yet.")
    for question in questions:
        if question.kind in ("single", "multiple") and len(question.choice_list) < 2:
            problems.append(f"“{question.prompt}” needs at least two options.")
    return problems


MAX_TEXT_LENGTH = 5000
EMPTY_ANSWERS = (None, "", [])


def answer_error(question, value) -> str | None:
    """Why ``value`` is not an acceptable answer to ``question`` (None: it is). The answer
    form and ``do_submit_response`` both ask, so nothing out of range is ever stored."""
    if value in EMPTY_ANSWERS:
        return "Please answer this question." if question.required else None
    check = _CHECKS[question.kind]
    return check(question, value)


def _likert_error(question, value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        return "Choose a number from 1 to 5."
    return None


def _single_error(question, value) -> str | None:
    if value not in question.choice_list:
        return "Choose one of the options offered."
    return None


def _multiple_error(question, value) -> str | None:
    offered = question.choice_list
    if not isinstance(value, list) or len(set(value)) != len(value):
        return "Choose only from the options offered, each once."
    if any(choice not in offered for choice in value):
        return "Choose only from the options offered."
    return None


def _number_error(question, value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "Enter a number."
    if question.min_value is not None and value < question.min_value:
        return f"Enter a number no smaller than {format_number(question.min_value)}."
    if question.max_value is not None and value > question.max_value:
        return f"Enter a number no larger than {format_number(question.max_value)}."
    return None


def _text_error(question, value) -> str | None:
    if not isinstance(value, str):
        return "Write your answer as text."
    if len(value) > MAX_TEXT_LENGTH:
        return f"Keep this to {MAX_TEXT_LENGTH:,} characters (yours has {len(value):,})."
    return None


_CHECKS = {
    "likert": _likert_error,
    "single": _single_error,
    "multiple": _multiple_error,
    "number": _number_error,
    "text": _text_error,
}


def format_number(value: float) -> str:
    """3.0 as "3", 2.5 as "2.5": how a limit reads in a message."""
    return str(int(value)) if float(value).is_integer() else str(value)


def invitations_of_wave(wave: Wave) -> QuerySet[WaveInvitation]:
    """A wave's invitations of members still in the program (reminders skip the rest)."""
    return wave.invitations.exclude(_withdrawn())


def long_date(day: dt.date) -> str:
    return dateformat.format(day, "j F Y")
