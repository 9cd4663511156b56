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
  position (1 = first option).

The steps live in ``gathering``, ``cells`` (composing) and ``tables`` (laying out), over the
plain data in ``figures``; callers import from here.
"""

from __future__ import annotations

import datetime as dt

from peerhaven.outcomes.report.cells import compose, still_meeting
from peerhaven.outcomes.report.figures import (
    BANDS,
    CHOICE_KIND,
    DAYS_PER_YEAR,
    MAX_YEARS_BEFORE,
    PERIODS,
    SATISFACTION_KEYS,
    SCORED_KINDS,
    STATES,
    RawFigures,
    RawQuestion,
    RawWave,
    Report,
    Shown,
    Table,
    Td,
)
from peerhaven.outcomes.report.gathering import gather, months_between

__all__ = [
    "BANDS",
    "CHOICE_KIND",
    "DAYS_PER_YEAR",
    "MAX_YEARS_BEFORE",
    "PERIODS",
    "SATISFACTION_KEYS",
    "SCORED_KINDS",
    "STATES",
    "RawFigures",
    "RawQuestion",
    "RawWave",
    "Report",
    "Shown",
    "Table",
    "Td",
    "build",
    "compose",
    "gather",
    "months_between",
    "still_meeting",
]


def build(program, *, today: dt.date | None = None) -> Report:
    return compose(gather(program, today=today))
