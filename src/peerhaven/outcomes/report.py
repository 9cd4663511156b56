"""The program report: what a program's members did and how they fared, as figures safe
to publish.

Two steps. ``gather`` reads the raw figures from the database in a fixed, small number of
queries and returns plain data (``RawFigures``): counts, each member's attendance band,
each circle's months of meeting, achievement counts, survey scores by pseudonym. Then
``compose`` turns plain data into cells and the relations between them, lets
``lib/disclosure`` suppress what is about fewer than five people (or would reveal it by
subtraction), and lays out the tables. Plots are drawn from the published cells only.

Definitions shown on the page:
- Members: accepted enrolments with an account.
- Attendance: a member's share of their recorded meetings (in the program's circles) at
  which they were present.
- Still meeting: for month m since a circle formed, among circles formed at least m + 1
  months ago (so month m is over), those that held a meeting in month m or later.
- Achievements per member per year: achievements members chose to have counted, dated in
  the period, divided by members × years. "During" runs from the program's start to
  today (or its end); "before" is as many years before the start, at most three.
- Surveys: current members' responses only; a choice question is scored by the option's
  position (1 = first option)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from peerhaven.lib import disclosure as dc
from peerhaven.outcomes.statistics import mean_with_ci, paired_change

STATES = [
    ("invited", "Invited"),
    ("applied", "Applied"),
    ("accepted", "Accepted"),
    ("waitlisted", "Waitlisted"),
    ("withdrawn", "Withdrawn"),
]
BANDS = [
    ("none", "No attendance recorded"),
    ("under_25", "Under 25% of meetings"),
    ("25_49", "25–49%"),
    ("50_74", "50–74%"),
    ("75_up", "75% or more"),
]
PERIODS = [("before", "Before the program"), ("during", "During the program")]
MAX_YEARS_BEFORE = 3
DAYS_PER_YEAR = 365.25
SCORED_KINDS = ("likert", "number")
CHOICE_KIND = "single"
SATISFACTION_KEYS = ("circle_satisfaction", "job_satisfaction")


# ---- plain data ---------------------------------------------------------------------


@dataclass
class RawQuestion:
    key: str
    prompt: str
    kind: str  # Question.Kind value
    options: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)  # pseudonym -> score


@dataclass
class RawWave:
    id: int
    label: str
    instrument_id: int
    instrument: str
    months_after_start: int
    invited: int  # members invited
    responded: int  # members who responded
    questions: list[RawQuestion] = field(default_factory=list)


@dataclass
class RawFigures:
    program: str
    starts_on: dt.date
    today: dt.date
    funnel: dict[str, int]
    members: int
    in_circle: int
    attendance: dict[str, int]  # band -> members; the bands add up to ``members``
    circles_formed: int
    meetings_held: int
    # Per circle: (whole months since it formed, month of its last meeting since it formed
    # or -1 if none).
    circle_months: list[tuple[int, int]]
    years_before: float
    years_during: float
    achievements: dict[tuple[str, str], tuple[int, int]]  # (kind, period) -> (count, people)
    waves: list[RawWave]


# ---- composing ----------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """One figure as the page shows it."""

    id: str
    value: object  # None when suppressed or empty
    suppressed: bool
    kind: str  # count | statistic | figure

    @property
    def text(self) -> str:
        if self.suppressed:
            return "suppressed"
        if self.value is None:
            return "–"
        if isinstance(self.value, float):
            return f"{self.value:.2f}"
        return str(self.value)


@dataclass
class Td:
    """A table cell: a count, or an estimate (mean, interval, n)."""

    main: Shown
    low: Shown | None = None
    high: Shown | None = None
    n: Shown | None = None


@dataclass
class Table:
    id: str
    caption: str
    head: list[str]
    rows: list[tuple[str, list[Td]]]
    plot: object = None  # the Plot drawn from this table, set by the view


@dataclass
class Report:
    raw: RawFigures
    disclosure: dc.Disclosure
    tables: dict[str, Table]
    instruments: list[dict]  # per instrument: name, waves, tables
    curve: list[dict]  # the still-meeting curve, month by month

    def shown(self, cell_id: str) -> Shown:
        cell = self.disclosure.cells[cell_id]
        hidden = cell_id in self.disclosure.hidden
        return Shown(cell_id, None if hidden else cell.value, hidden, cell.kind)

    def all_tables(self) -> list[Table]:
        tables = list(self.tables.values())
        for instrument in self.instruments:
            tables += [instrument["results"], *instrument["choices"]]
            tables += [instrument["change"]] if instrument["change"] else []
        return tables

    def value(self, cell_id: str):
        """A published value (None if suppressed): the only door plots go through."""
        return self.disclosure.value(cell_id) if cell_id in self.disclosure.cells else None


class _Cells:
    """Collects the report's cells and relations before suppression."""

    def __init__(self):
        self.cells: list[dc.Cell] = []
        self.relations: list[dc.Relation] = []

    def count(self, cell_id: str, value: int, *, displayed: bool = True) -> str:
        self.cells.append(dc.count(cell_id, value, displayed=displayed))
        return cell_id

    def estimate(self, prefix: str, estimate, *, digits: int = 2) -> str:
        self.cells.append(dc.statistic(f"{prefix}.mean", _round(estimate.mean, digits), estimate.n))
        self.cells.append(dc.statistic(f"{prefix}.low", _round(estimate.low, digits), estimate.n))
        self.cells.append(dc.statistic(f"{prefix}.high", _round(estimate.high, digits), estimate.n))
        self.count(f"{prefix}.n", estimate.n)
        return prefix

    def figure(self, cell_id: str, value) -> str:
        self.cells.append(dc.figure(cell_id, value))
        return cell_id

    def relate(self, total: str, parts: list[str]) -> None:
        self.relations.append(dc.Relation(total, tuple(parts)))


def _round(value, digits):
    return None if value is None else round(float(value), digits)


def compose(raw: RawFigures) -> Report:
    cells = _Cells()
    _enrolment_cells(cells, raw)
    _attendance_cells(cells, raw)
    curve = _curve_cells(cells, raw)
    _achievement_cells(cells, raw)
    for wave in raw.waves:
        _wave_cells(cells, wave, raw.members)
    _change_cells(cells, raw.waves)
    protected = dc.protect(cells.cells, cells.relations)
    report = Report(raw, protected, {}, [], curve)
    _lay_out(report)
    return report


def _enrolment_cells(cells: _Cells, raw: RawFigures) -> None:
    states = [cells.count(f"funnel.{state}", raw.funnel.get(state, 0)) for state, _ in STATES]
    cells.relate(cells.count("funnel.total", sum(raw.funnel.get(s, 0) for s, _ in STATES)), states)
    accepted = raw.funnel.get("accepted", 0)
    cells.count("funnel.accepted_no_account", accepted - raw.members, displayed=False)
    cells.relate("funnel.accepted", ["members", "funnel.accepted_no_account"])
    cells.count("members", raw.members)
    cells.count("participation.in_circle", raw.in_circle)
    cells.count("participation.no_circle", raw.members - raw.in_circle)
    cells.relate("members", ["participation.in_circle", "participation.no_circle"])
    cells.figure("circles.formed", raw.circles_formed)
    cells.figure("circles.meetings", raw.meetings_held)


def _attendance_cells(cells: _Cells, raw: RawFigures) -> None:
    bands = [cells.count(f"attendance.{band}", raw.attendance.get(band, 0)) for band, _ in BANDS]
    cells.relate("members", bands)


def still_meeting(circle_months: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(month, circles formed at least month + 1 months ago, of which met in that month or
    later) for each month some circle has completed."""
    longest = max((age for age, _ in circle_months), default=0)
    rows = []
    for month in range(longest):
        formed = [last for age, last in circle_months if age >= month + 1]
        rows.append((month, len(formed), sum(1 for last in formed if last >= month)))
    return rows


def _curve_cells(cells: _Cells, raw: RawFigures) -> list[dict]:
    curve = []
    for month, formed, meeting in still_meeting(raw.circle_months):
        prefix = f"curve.{month}"
        cells.figure(f"{prefix}.formed", formed)
        cells.figure(f"{prefix}.meeting", meeting)
        cells.figure(f"{prefix}.share", round(meeting / formed, 3))
        curve.append({"month": month, "prefix": prefix})
    return curve


def _achievement_cells(cells: _Cells, raw: RawFigures) -> None:
    from peerhaven.outcomes.models import Achievement

    cells.figure("achievements.years_before", round(raw.years_before, 2))
    cells.figure("achievements.years_during", round(raw.years_during, 2))
    for kind, _ in Achievement.Kind.choices:
        for period, _ in PERIODS:
            number, people = raw.achievements.get((kind, period), (0, 0))
            years = raw.years_before if period == "before" else raw.years_during
            rate = number / (raw.members * years) if raw.members and years > 0 else None
            # A rate is about its members and, more narrowly, about those who contributed.
            about = min(people, raw.members) if people else raw.members
            cells.cells.append(
                dc.statistic(f"achievements.{kind}.{period}", _round(rate, 2), about)
            )


def _wave_cells(cells: _Cells, wave: RawWave, members: int) -> None:
    prefix = f"wave.{wave.id}"
    invited = cells.count(f"{prefix}.invited", wave.invited)
    # The same members, once in the funnel and once per wave.
    not_invited = cells.count(f"{prefix}.not_invited", members - wave.invited, displayed=False)
    cells.relate("members", [invited, not_invited])
    responded = cells.count(f"{prefix}.responded", wave.responded)
    waiting = cells.count(f"{prefix}.waiting", wave.invited - wave.responded)
    cells.relate(invited, [responded, waiting])
    for question in wave.questions:
        _question_cells(cells, prefix, wave.responded, question)


def _question_cells(cells: _Cells, prefix: str, responded: int, question: RawQuestion) -> None:
    item = f"{prefix}.q.{question.key}"
    if question.kind in SCORED_KINDS:
        cells.estimate(item, mean_with_ci(list(question.scores.values())))
        parts = [f"{item}.n"]
    elif question.kind == CHOICE_KIND:
        tally = Counter(int(score) for score in question.scores.values())
        parts = [
            cells.count(f"{item}.option{position}", tally.get(position, 0))
            for position in range(1, len(question.options) + 1)
        ]
    else:
        return  # several choices, free text: not in the report
    # Who responded but skipped the question: derivable, so protected like a shown count.
    skipped = cells.count(f"{item}.skipped", responded - len(question.scores), displayed=False)
    cells.relate(f"{prefix}.responded", [*parts, skipped])


def _change_cells(cells: _Cells, waves: list[RawWave]) -> None:
    for baseline, later in _comparisons(waves):
        before = {q.key: q for q in baseline.questions if q.kind in SCORED_KINDS}
        for question in later.questions:
            if question.key in before:
                change = paired_change(before[question.key].scores, question.scores)
                cells.estimate(f"change.{later.id}.{question.key}", change)


def _comparisons(waves: list[RawWave]) -> list[tuple[RawWave, RawWave]]:
    """Each later wave of an instrument against that instrument's first (baseline) wave."""
    by_instrument: dict[int, list[RawWave]] = defaultdict(list)
    for wave in waves:
        by_instrument[wave.instrument_id].append(wave)
    return [(group[0], later) for group in by_instrument.values() for later in group[1:]]


# ---- layout -------------------------------------------------------------------------


def _lay_out(report: Report) -> None:
    raw = report.raw
    count = report.shown
    report.tables = {
        "funnel": Table(
            "funnel",
            "Enrolments by state",
            ["State", "Enrolments"],
            [(label, [Td(count(f"funnel.{state}"))]) for state, label in STATES]
            + [("All enrolments", [Td(count("funnel.total"))])],
        ),
        "participation": Table(
            "participation",
            "Members and circles",
            ["", "Members"],
            [
                ("Members (accepted, with an account)", [Td(count("members"))]),
                ("In a program circle", [Td(count("participation.in_circle"))]),
                ("Not in a program circle", [Td(count("participation.no_circle"))]),
            ],
        ),
        "circles": Table(
            "circles",
            "Circles formed and meetings held",
            ["", "Number"],
            [
                ("Circles formed", [Td(count("circles.formed"))]),
                ("Meetings held", [Td(count("circles.meetings"))]),
            ],
        ),
        "attendance": Table(
            "attendance",
            "Members by share of their meetings attended",
            ["Attendance", "Members"],
            [(label, [Td(count(f"attendance.{band}"))]) for band, label in BANDS],
        ),
        "curve": Table(
            "curve",
            "Circles still meeting, by months since they formed",
            [
                "Month since forming",
                "Circles formed at least that long ago",
                "Still meeting",
                "Share",
            ],
            [
                (
                    str(point["month"]),
                    [
                        Td(count(f"{point['prefix']}.{part}"))
                        for part in ("formed", "meeting", "share")
                    ],
                )
                for point in report.curve
            ],
        ),
        "achievements": _achievement_table(report),
        "waves": Table(
            "waves",
            "Survey waves: members invited and responding",
            ["Wave", "Members invited", "Responded", "Not yet responded"],
            [
                (
                    f"{wave.label} ({wave.instrument})",
                    [
                        Td(count(f"wave.{wave.id}.{part}"))
                        for part in ("invited", "responded", "waiting")
                    ],
                )
                for wave in raw.waves
            ],
        ),
    }
    report.instruments = _instrument_tables(report)
    report.tables["satisfaction"] = _satisfaction_table(report)


def _estimate(report: Report, prefix: str) -> Td | None:
    if f"{prefix}.mean" not in report.disclosure.cells:
        return None
    parts = [report.shown(f"{prefix}.{part}") for part in ("mean", "low", "high", "n")]
    return Td(*parts)


def _achievement_table(report: Report) -> Table:
    from peerhaven.outcomes.models import Achievement

    rows = []
    for kind, label in Achievement.Kind.choices:
        tds = [Td(report.shown(f"achievements.{kind}.{period}")) for period, _ in PERIODS]
        if any(td.main.suppressed or td.main.value for td in tds):
            rows.append((label, tds))
    return Table(
        "achievements",
        "Achievements per member per year, before and during the program",
        ["Kind", *[label for _, label in PERIODS]],
        rows,
    )


def _instrument_tables(report: Report) -> list[dict]:
    groups: dict[int, list[RawWave]] = defaultdict(list)
    for wave in report.raw.waves:
        groups[wave.instrument_id].append(wave)
    return [_one_instrument(report, waves) for waves in groups.values()]


def _one_instrument(report: Report, waves: list[RawWave]) -> dict:
    questions = _questions_of(waves)
    scored = [q for q in questions if q.kind in SCORED_KINDS]
    labels = [wave.label for wave in waves]
    results = Table(
        f"results.{waves[0].instrument_id}",
        f"{waves[0].instrument}: mean score per wave (95% confidence interval; n answering)",
        ["Question", *labels],
        [(q.prompt, [_estimate(report, f"wave.{w.id}.q.{q.key}") for w in waves]) for q in scored],
    )
    choices = [
        Table(
            f"choices.{waves[0].instrument_id}.{q.key}",
            f"{q.prompt}: members choosing each answer (scored 1 to {len(q.options)})",
            ["Answer", *labels],
            [
                (
                    f"{position}. {option}",
                    [_choice_td(report, w, q.key, position) for w in waves],
                )
                for position, option in enumerate(q.options, start=1)
            ],
        )
        for q in questions
        if q.kind == CHOICE_KIND
    ]
    later = waves[1:]
    change = Table(
        f"change.{waves[0].instrument_id}",
        f"{waves[0].instrument}: paired change from {waves[0].label} "
        "(later minus baseline, same members; 95% confidence interval; n pairs)",
        ["Question", *[f"{waves[0].label} → {w.label}" for w in later]],
        [(q.prompt, [_estimate(report, f"change.{w.id}.{q.key}") for w in later]) for q in scored],
    )
    return {
        "id": waves[0].instrument_id,
        "name": waves[0].instrument,
        "waves": waves,
        "results": results,
        "choices": choices,
        "change": change if later and scored else None,
    }


def _questions_of(waves: list[RawWave]) -> list[RawQuestion]:
    seen: dict[str, RawQuestion] = {}
    for wave in waves:
        for question in wave.questions:
            seen.setdefault(question.key, question)
    return list(seen.values())


def _choice_td(report: Report, wave: RawWave, key: str, position: int) -> Td | None:
    cell_id = f"wave.{wave.id}.q.{key}.option{position}"
    return Td(report.shown(cell_id)) if cell_id in report.disclosure.cells else None


def _satisfaction_table(report: Report) -> Table:
    waves = [w for w in report.raw.waves if {q.key for q in w.questions} & set(SATISFACTION_KEYS)]
    rows = []
    for key in SATISFACTION_KEYS:
        prompts = [q.prompt for w in waves for q in w.questions if q.key == key]
        if prompts:
            tds = [_estimate(report, f"wave.{w.id}.q.{key}") for w in waves]
            rows.append((prompts[0], tds))
    return Table(
        "satisfaction",
        "Satisfaction: mean score per wave (95% confidence interval; n answering)",
        ["Question", *[f"{w.label} ({w.instrument})" for w in waves]],
        rows,
    )


# ---- gathering ----------------------------------------------------------------------


def build(program, *, today: dt.date | None = None) -> Report:
    return compose(gather(program, today=today))


def gather(program, *, today: dt.date | None = None) -> RawFigures:
    """The raw figures of ``program``, in eleven queries whatever its size."""
    from django.utils import timezone

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
    from peerhaven.circles.models import Membership

    active = Membership.objects.filter(
        circle__program_link__program=program, state=Membership.State.ACTIVE
    )
    return set(active.values_list("user_id", flat=True))


def _attendance_bands(program, members: set[int]) -> dict[str, int]:
    from django.db.models import Count, Q

    from peerhaven.circles.models import Attendance

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
    from django.db.models import Count, Max
    from django.utils import timezone

    from peerhaven.circles.models import Meeting

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
    from django.db.models import Case, Count, Value, When

    from peerhaven.outcomes.models import Achievement

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
    from django.db.models import Count

    from peerhaven.outcomes.models import Answer, Question, Response, WaveInvitation
    from peerhaven.outcomes.pseudonyms import pseudonym

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
