"""Composing: plain figures into cells and the relations between them, which
``lib/disclosure`` protects before anything is laid out."""

from __future__ import annotations

from collections import Counter, defaultdict

from peerhaven.lib import disclosure as dc
from peerhaven.outcomes.models import Achievement
from peerhaven.outcomes.report.figures import (
    BANDS,
    CHOICE_KIND,
    PERIODS,
    SCORED_KINDS,
    STATES,
    RawFigures,
    RawQuestion,
    RawWave,
    Report,
)
from peerhaven.outcomes.report.tables import lay_out
from peerhaven.outcomes.statistics import mean_with_ci, paired_change


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
    lay_out(report)
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
