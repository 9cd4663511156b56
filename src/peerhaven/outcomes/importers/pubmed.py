"""PubMed / MEDLINE text (.nbib), as PubMed's "Save" and citation managers write it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from peerhaven.outcomes.importers.common import (
    ABSTRACT,
    BOOK_CHAPTER,
    PUBLICATION,
    EntryProblem,
    RawEntry,
)

MEDLINE_TAG = re.compile(r"^([A-Z][A-Z0-9 ]{1,3})- ?(.*)$")
MEETING_TYPES = ("Meeting Abstract", "Congress")


def read(text: str) -> Iterator[RawEntry | EntryProblem]:
    for number, (line, fields) in enumerate(_medline_records(text), start=1):
        yield _pubmed_entry(number, line, fields)


def _medline_records(text: str) -> Iterator[tuple[int, dict[str, list[str]]]]:
    """Each record's first line and its fields: a tag of up to four characters padded to
    four, then "- "; a value continues on lines indented by six spaces."""
    start, fields, last = None, {}, None
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("      ") and last is not None:
            fields[last][-1] += " " + line.strip()
            continue
        match = MEDLINE_TAG.match(line)
        if match is None:
            continue
        tag, value = match.group(1).strip(), match.group(2).strip()
        if tag == "PMID" and start is not None:
            yield start, fields
            fields = {}
        if start is None or tag == "PMID":
            start = number
        fields.setdefault(tag, []).append(value)
        last = tag
    if start is not None:
        yield start, fields


def _pubmed_entry(number: int, line: int, fields: dict[str, list[str]]) -> RawEntry:
    def first(tag: str) -> str:
        return fields.get(tag, [""])[0]

    date = first("DP").replace("-", " ").split()
    types = fields.get("PT", [])
    dois = [aid[: -len("[doi]")] for aid in fields.get("AID", []) + fields.get("LID", [])
            if aid.endswith("[doi]")]  # fmt: skip
    title = first("TI") or first("BTI")
    kind = ABSTRACT if any(t in MEETING_TYPES for t in types) else PUBLICATION
    if first("BTI") and not first("JT"):
        kind = BOOK_CHAPTER
    return RawEntry(
        number=number,
        line=line,
        kind=kind,
        title=title.rstrip("."),
        year=date[0] if date else "",
        month=date[1] if len(date) > 1 else "",
        day=date[2] if len(date) > 2 else "",
        venue=first("JT") or first("TA") or first("BTI"),
        details="; ".join(fields.get("AU", [])),
        doi=dois[0].strip() if dois else "",
        pmid=first("PMID"),
    )
