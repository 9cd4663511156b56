"""What REDCap expects of a data dictionary and the data file that goes with it.

A variable name is lower-case letters, digits and underscores, starting with a letter, at
most 100 characters (26 recommended); a checkbox field is exported as one 0/1 column per
choice, ``<name>___<code>``; every form has a status field ``<form>_complete`` that REDCap
defines itself (0 Incomplete, 1 Unverified, 2 Complete): the dictionary leaves it out and
the data file may carry it. Choices are written ``code, label | code, label``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# REDCap allows 100 characters but recommends at most 26 for a variable name.
NAME_LIMIT = 26

DICTIONARY_HEADER = [
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
]


@dataclass(frozen=True)
class Field:
    """One variable of the REDCap data dictionary."""

    name: str
    form: str
    kind: str  # REDCap field type: text, radio, checkbox, yesno
    label: str
    choices: tuple[tuple[int, str], ...] = ()
    note: str = ""
    validation: str = ""
    minimum: str = ""
    maximum: str = ""
    section: str = ""

    def columns(self) -> list[str]:
        """Its columns in the data file: REDCap exports a checkbox as one 0/1 column per
        choice, ``name___code``."""
        if self.kind == "checkbox":
            return [f"{self.name}___{code}" for code, _ in self.choices]
        return [self.name]

    def dictionary_row(self) -> list[str]:
        choices = " | ".join(f"{code}, {plain(label)}" for code, label in self.choices)
        row = [self.name, self.form, plain(self.section), self.kind, plain(self.label)]
        row += [choices, self.note, self.validation, self.minimum, self.maximum]
        return row + [""] * (len(DICTIONARY_HEADER) - len(row))


def data_header(fields: list[Field], status_forms: Iterable[str]) -> list[str]:
    """The data file's columns: each field's columns in dictionary order, and after the
    last field of a survey form its status column, as REDCap's own exports are laid out."""
    status = set(status_forms)
    header: list[str] = []
    for index, item in enumerate(fields):
        header += item.columns()
        is_last_of_form = index + 1 == len(fields) or fields[index + 1].form != item.form
        if is_last_of_form and item.form in status:
            header.append(f"{item.form}_complete")
    return header


def redcap_name(text: str, limit: int = NAME_LIMIT) -> str:
    """A REDCap variable or form name: lower case letters, digits and underscores,
    starting with a letter."""
    name = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not name or not name[0].isalpha():
        name = f"v_{name}".rstrip("_")
    return name[:limit].rstrip("_")


def unique_name(base: str, suffix: str, taken: set[str]) -> str:
    """``base_suffix`` within the length limit, numbered when a shortened name collides."""
    room = NAME_LIMIT - len(suffix) - 1
    name = f"{base[:room].rstrip('_')}_{suffix}"
    number = 2
    while name in taken:
        tail = f"{number}_{suffix}"
        name = f"{base[: NAME_LIMIT - len(tail) - 1].rstrip('_')}_{tail}"
        number += 1
    taken.add(name)
    return name


def plain(text: str) -> str:
    """One line, no pipe (REDCap's choice separator), and nothing a spreadsheet would run
    as a formula (staff write instrument prompts; researchers open these files)."""
    text = " ".join(str(text).replace("|", "/").split())
    return f"'{text}" if text[:1] in ("=", "+", "@", "-") else text


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    """CSV text one line at a time (streams into a ZIP member or a response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
