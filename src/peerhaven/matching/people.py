"""The people to match: one row per person, every cell kept as text.

Columns are typed only once a policy says how it uses them (see `encode`), so
this module knows nothing of criteria; it reads, checks identity, and remembers
where each cell came from so later errors can point at it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

MULTI_SEPARATOR = ";"


@dataclass
class People:
    """A table of people: `ids[k]` is row k, `columns[name][k]` its cell text."""

    ids: list[str]
    columns: dict[str, list[str]]
    source: str | None = None
    lines: list[int] | None = None  # file line of each row, when read from a file
    header: list[str] | None = None  # column order in the file, for column numbers
    index_of: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.index_of = {person: k for k, person in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, object]]) -> People:
        """Build from dicts with an "id" key; lists become ;-separated cells."""
        rows = list(records)
        names = list(dict.fromkeys(name for row in rows for name in row if name != "id"))
        columns = {name: [_cell_text(row.get(name)) for row in rows] for name in names}
        people = cls(ids=[str(row["id"]) for row in rows], columns=columns)
        _check_unique_ids(people)
        return people

    def column(self, name: str) -> list[str]:
        return self.columns[name]

    def error(self, row: int, column: str | None, message: str) -> InputError:
        """An InputError located at a cell (or a whole row when column is None)."""
        line = self.lines[row] if self.lines is not None else None
        position = None
        if column is not None and self.lines is not None:
            position = 1 + (self.header or ["id", *self.columns]).index(column)
        return InputError(message, file=self.source, line=line, column=position)

    def subset(self, rows: Iterable[int]) -> People:
        keep = list(rows)
        lines = [self.lines[k] for k in keep] if self.lines is not None else None
        columns = {name: [cells[k] for k in keep] for name, cells in self.columns.items()}
        return People([self.ids[k] for k in keep], columns, self.source, lines, self.header)


def split_multi(cell: str) -> list[str]:
    """The values of a multi-valued cell, blanks dropped, order kept."""
    return [part.strip() for part in cell.split(MULTI_SEPARATOR) if part.strip()]


def read_people_csv(path: str | Path) -> People:
    """Read PEOPLE.csv: a header with an `id` column, one person per row."""
    source = str(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            return _parse_rows(csv.reader(handle), source)
    except FileNotFoundError:
        raise InputError("file not found", file=source) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=source) from None
    except csv.Error as problem:
        raise InputError(f"malformed CSV: {problem}", file=source) from None


def _parse_rows(reader: Iterable[list[str]], source: str) -> People:
    rows = iter(reader)
    header = [name.strip() for name in next(rows, [])]
    _check_header(header, source)
    id_at = header.index("id")
    others = [name for name in header if name != "id"]
    ids: list[str] = []
    lines: list[int] = []
    columns: dict[str, list[str]] = {name: [] for name in others}
    for cells in rows:
        line = reader.line_num  # type: ignore[attr-defined]
        if not any(cell.strip() for cell in cells):
            continue  # blank lines carry no person
        if len(cells) != len(header):
            raise InputError(
                f"expected {len(header)} cells as in the header, found {len(cells)}",
                file=source,
                line=line,
            )
        ids.append(cells[id_at].strip())
        lines.append(line)
        for position, name in enumerate(header):
            if name != "id":
                columns[name].append(cells[position].strip())
    people = People(ids, columns, source, lines, header)
    _check_unique_ids(people, id_column=id_at + 1)
    return people


def _check_header(header: list[str], source: str) -> None:
    if not header:
        raise InputError("empty file: expected a header row with an id column", file=source)
    if "id" not in header:
        raise InputError("header has no `id` column", file=source, line=1)
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            raise InputError("empty column name in header", file=source, line=1, column=position)
        if name in seen:
            raise InputError(f"column {name!r} appears twice", file=source, line=1, column=position)
        seen.add(name)


def _check_unique_ids(people: People, id_column: int = 1) -> None:
    first_row: dict[str, int] = {}
    for row, person in enumerate(people.ids):
        where = people.lines[row] if people.lines else None
        column = id_column if people.lines else None
        if not person:
            raise InputError("empty id", file=people.source, line=where, column=column)
        if person in first_row:
            earlier = first_row[person]
            earlier_where = (
                f"line {people.lines[earlier]}" if people.lines else f"row {earlier + 1}"
            )
            raise InputError(
                f"id {person!r} appears twice (first on {earlier_where})",
                file=people.source,
                line=where,
                column=column,
            )
        first_row[person] = row


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set, frozenset)):
        return MULTI_SEPARATOR.join(str(item) for item in value)
    return str(value)
