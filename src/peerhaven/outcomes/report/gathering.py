"""Gathering: the raw figures of a program, read from the database in a fixed, small number
of queries whatever its size."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Case, Count, Max, Q, Value, When
from django.utils import timezone

from peerhaven.circles.models import Attendance, Meeting, Membership
from peerhaven.outcomes.models import Achievement, Answer, Question, Response, WaveInvitation
from peerhaven.outcomes.pseudonyms import pseudonym
from peerhaven.outcomes.report.figures import (
    CHOICE_KIND,
    DAYS_PER_YEAR,
    MAX_YEARS_BEFORE,
    SCORED_KINDS,
    RawFigures,
    RawQuestion,
    RawWave,
)


def gather(program, *, today: dt.date | None = None) -> RawFigures:
    """The raw figures of ``program``, in eleven queries whatever its size."""
    today = today or timezone.localdate()
    enrolments = list(program.enrollments.values_list("state", "user_id"))
    funnel = Counter(state for state, _ in enrolments)
    members = {user_id for state, user_id in enrolments if state == "accepted" and user_id}
    circle_months, meetings_held = _circle_months(program, today)
    years_during, years_before = _years(program, today)
    return RawFigures(
        program=program.name,
        starts_on=program.starts_on,
        today=today,
        funnel=dict(funnel),
        members=len(members),
        in_circle=len(_in_circle(program) & members),
        attendance=_attendance_bands(program, members),
        circles_formed=len(circle_months),
        meetings_held=meetings_held,
        circle_months=circle_months,
        years_before=years_before,
        years_during=years_during,
        achievements=_achievements(program, today, years_before),
        waves=_waves(program, today, members),
    )


def _member_users(program):
    return program.enrollments.filter(state="accepted", user__isnull=False).values("user")


def _in_circle(program) -> set[int]:
    active = Membership.objects.filter(
        circle__program_link__program=program, state=Membership.State.ACTIVE
    )
    return set(active.values_list("user_id", flat=True))


def _attendance_bands(program, members: set[int]) -> dict[str, int]:
    rows = (
        Attendance.objects.filter(meeting__circle__program_link__program=program)
        .values("user_id")
        .annotate(total=Count("pk"), present=Count("pk", filter=Q(status="present")))
    )
    bands = Counter(
        _band(row["present"] / row["total"]) for row in rows if row["user_id"] in members
    )
    bands["none"] = len(members) - sum(bands.values())
    return dict(bands)


def _band(rate: float) -> str:
    floors = [(0.75, "75_up"), (0.5, "50_74"), (0.25, "25_49")]
    return next((band for floor, band in floors if rate >= floor), "under_25")


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (0 if ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return max(months, 0)


def _circle_months(program, today: dt.date) -> tuple[list[tuple[int, int]], int]:
    formed = dict(program.program_circles.values_list("circle_id", "circle__created_at"))
    held = (
        Meeting.objects.held()
        .filter(circle__program_link__program=program, starts_at__lte=timezone.now())
        .values("circle_id")
        .annotate(number=Count("pk"), last=Max("starts_at"))
    )
    last = {row["circle_id"]: row for row in held}
    circles = []
    for circle_id, created_at in formed.items():
        start = created_at.date()
        row = last.get(circle_id)
        circles.append(
            (months_between(start, today), months_between(start, row["last"].date()) if row else -1)
        )
    return circles, sum(row["number"] for row in last.values())


def _years(program, today: dt.date) -> tuple[float, float]:
    end = min(today, program.ends_on or today)
    during = max((end - program.starts_on).days, 0) / DAYS_PER_YEAR
    return during, min(during, MAX_YEARS_BEFORE)


def _achievements(program, today: dt.date, years_before: float) -> dict:
    first_day = program.starts_on - dt.timedelta(days=round(years_before * DAYS_PER_YEAR))
    rows = (
        Achievement.objects.filter(
            user__in=_member_users(program),
            sharing=Achievement.Sharing.AGGREGATE,
            date__gte=first_day,
            date__lte=min(today, program.ends_on or today),
        )
        .annotate(
            period=Case(
                When(date__lt=program.starts_on, then=Value("before")), default=Value("during")
            )
        )
        .values("kind", "period")
        .annotate(number=Count("pk"), people=Count("user", distinct=True))
    )
    return {(r["kind"], r["period"]): (r["number"], r["people"]) for r in rows}


def _waves(program, today: dt.date, members: set[int]) -> list[RawWave]:
    waves = list(
        program.survey_waves.filter(opens_on__lte=today)
        .select_related("instrument")
        .order_by("months_after_start", "opens_on", "pk")
    )
    if not waves:
        return []
    questions = defaultdict(list)
    for question in Question.objects.filter(instrument__in={w.instrument_id for w in waves}):
        questions[question.instrument_id].append(question)
    invited = dict(
        WaveInvitation.objects.filter(wave__in=waves, user__in=_member_users(program))
        .values("wave_id")
        .annotate(number=Count("pk"))
        .values_list("wave_id", "number")
    )
    # Only current members' responses count; their pseudonyms are recomputed here and
    # never leave this function.
    known = {pseudonym(program.pk, user_id) for user_id in members}
    responded = Counter(
        wave_id
        for wave_id, name in Response.objects.filter(wave__in=waves).values_list(
            "wave_id", "pseudonym"
        )
        if name in known
    )
    answers = Answer.objects.filter(response__wave__in=waves).values_list(
        "response__wave_id", "response__pseudonym", "question_id", "value"
    )
    scores = defaultdict(dict)
    for wave_id, name, question_id, value in answers.iterator(chunk_size=5000):
        if name in known:
            scores[(wave_id, question_id)][name] = value
    return [
        RawWave(
            id=wave.pk,
            label=wave.label,
            instrument_id=wave.instrument_id,
            instrument=wave.instrument.name,
            months_after_start=wave.months_after_start,
            # A member who responded was invited, whatever the invitation rows say.
            invited=max(invited.get(wave.pk, 0), responded[wave.pk]),
            responded=responded[wave.pk],
            questions=[
                _raw_question(q, scores.get((wave.pk, q.pk), {}))
                for q in questions[wave.instrument_id]
            ],
        )
        for wave in waves
    ]


def _raw_question(question, values: dict[str, object]) -> RawQuestion:
    options = question.choice_list if question.kind == CHOICE_KIND else []
    scored = {}
    for name, value in values.items():
        score = _score(question.kind, options, value)
        if score is not None:
            scored[name] = score
    return RawQuestion(question.key, question.prompt, question.kind, options, scored)


def _score(kind: str, options: list[str], value) -> float | None:
    if kind in SCORED_KINDS:
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        return float(value) if is_number else None
    if kind == CHOICE_KIND and value in options:
        return float(options.index(value) + 1)
    return None
