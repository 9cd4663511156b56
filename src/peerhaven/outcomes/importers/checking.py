"""Checking one entry as a reader found it: a title and a usable year, or a problem; the
rest shortened or left out where it cannot be kept, with a note saying so."""

from __future__ import annotations

import datetime as dt
import re

from peerhaven.outcomes.importers.common import (
    EARLIEST_YEAR,
    MAX_DETAILS,
    MAX_DOI,
    MAX_TITLE,
    MAX_VENUE,
    EntryProblem,
    ParsedEntry,
    RawEntry,
    one_line,
)

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
SEASONS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}


def check_entry(raw: RawEntry) -> ParsedEntry | EntryProblem:
    title = one_line(raw.title)
    if not title:
        return EntryProblem(raw.number, raw.line, "no title")
    year = _year(raw.year)
    if year is None:
        return EntryProblem(raw.number, raw.line, _year_problem(raw.year, title))
    notes = list(raw.notes)
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1] + "…"
        notes.append(f"title shortened to {MAX_TITLE} characters")
    month = _month(raw.month)
    day = _day(raw.day, year, month)
    doi = one_line(raw.doi)
    if len(doi) > MAX_DOI:
        doi = ""
        notes.append("DOI left out: it is too long to be one")
    return ParsedEntry(
        number=raw.number,
        line=raw.line,
        kind=raw.kind,
        title=title,
        year=year,
        month=month,
        day=day,
        venue=_shorten(one_line(raw.venue), MAX_VENUE),
        details=_shorten(raw.details.strip(), MAX_DETAILS),
        doi=doi,
        pmid=one_line(raw.pmid),
        notes=tuple(notes),
    )


def _year(value: str) -> int | None:
    found = re.search(r"\b(\d{4})\b", value or "")
    if found is None:
        return None
    year = int(found.group(1))
    return year if EARLIEST_YEAR <= year <= dt.date.today().year + 1 else None


def _year_problem(value: str, title: str) -> str:
    shown = _quoted(title)
    if not value.strip():
        return f"no year ({shown})"
    return f"the year “{_shorten(value.strip(), 20)}” is not one we can use ({shown})"


def _month(value: str) -> int | None:
    value = (value or "").strip().lower().rstrip(".")
    if value.isdigit():
        return int(value) if 1 <= int(value) <= 12 else None
    return MONTHS.get(value) or MONTHS.get(value[:3]) or SEASONS.get(value)


def _day(value: str, year: int, month: int | None) -> int | None:
    if month is None or not (value or "").strip().isdigit():
        return None
    try:
        return dt.date(year, month, int(value)).day
    except ValueError:
        return None


def _shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _quoted(value: str) -> str:
    return f"“{_shorten(value, 60)}”"
