"""The report's plain data: the raw figures read from the database, and the report made
from them (cells as shown, tables), with the categories both sides use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peerhaven.lib import disclosure as dc
from peerhaven.lib.disclosure import Shown

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


# ---- raw figures, as gathered -------------------------------------------------------


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


# ---- the report, as composed and laid out ------------------------------------------


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
