"""RIS files, read record by record with rispy so one damaged record costs only itself."""

from __future__ import annotations

import re
from collections.abc import Iterator

from peerhaven.outcomes.importers.common import (
    ABSTRACT,
    BOOK_CHAPTER,
    GRANT_AWARDED,
    INVITED_TALK,
    PUBLICATION,
    EntryProblem,
    RawEntry,
    guess_from_words,
)

RIS_KINDS = {
    "JOUR": PUBLICATION,
    "JFULL": PUBLICATION,
    "EJOUR": PUBLICATION,
    "CHAP": BOOK_CHAPTER,
    "ECHAP": BOOK_CHAPTER,
    "BOOK": BOOK_CHAPTER,
    "EBOOK": BOOK_CHAPTER,
    "EDBOOK": BOOK_CHAPTER,
    "ABST": ABSTRACT,
    "CONF": ABSTRACT,
    "CPAPER": ABSTRACT,
    "SLIDE": INVITED_TALK,
    "GRANT": GRANT_AWARDED,
}
RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")


def read(text: str) -> Iterator[RawEntry | EntryProblem]:
    import rispy

    for number, (line, lines) in enumerate(_ris_records(text), start=1):
        try:
            (record,) = rispy.loads("\n".join([*lines, "ER  - "]))
        except Exception:  # rispy raises whatever a damaged record makes it raise
            yield EntryProblem(number, line, "could not be read, so it was left out")
            continue
        yield _ris_entry(number, line, record)


def _ris_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record's first line number and its lines up to (not including) ER. A record
    whose ER is missing ends where the next TY starts."""
    start, lines = None, []
    for number, line in enumerate(text.split("\n"), start=1):
        match = RIS_TAG.match(line.rstrip())
        tag = match.group(1) if match else None
        if tag == "TY":
            if start is not None:
                yield start, lines
            start, lines = number, [line.rstrip()]
        elif tag == "ER":
            if start is not None:
                yield start, lines
            start, lines = None, []
        elif start is not None:
            lines.append(line.rstrip())
    if start is not None:
        yield start, lines


def _ris_entry(number: int, line: int, record: dict) -> RawEntry:
    type_code = str(record.get("type_of_reference", "")).upper()
    date = str(record.get("date") or record.get("year") or record.get("publication_year") or "")
    parts = [p.strip() for p in date.split("/")]
    title = str(record.get("title") or record.get("primary_title") or "")
    venue = (
        record.get("journal_name")
        or record.get("secondary_title")
        or record.get("alternate_title3")
        or record.get("alternate_title1")
        or ""
    )
    raw = RawEntry(
        number=number,
        line=line,
        kind=RIS_KINDS.get(type_code, PUBLICATION),
        title=title,
        year=str(record.get("year") or parts[0]),
        month=parts[1] if len(parts) > 1 else "",
        day=parts[2] if len(parts) > 2 else "",
        venue=str(venue),
        details="; ".join(record.get("authors", []) or record.get("first_authors", [])),
        doi=str(record.get("doi", "")),
        pmid=_ris_pmid(record),
    )
    if type_code in ("CONF", "CPAPER", "ABST", "GEN", "SLIDE"):
        notes = " ".join(record.get("notes", []) or [])
        raw.kind = guess_from_words(title, notes, str(record.get("type_of_work", "")),
                                     default=raw.kind)  # fmt: skip
    if type_code not in RIS_KINDS and raw.kind == PUBLICATION:
        raw.notes.append(f"listed as a publication from its type {type_code}: check the kind")
    return raw


def _ris_pmid(record: dict) -> str:
    # PubMed's own RIS puts the PMID in AN; other databases use AN for their own numbers.
    source = f"{record.get('name_of_database', '')} {record.get('database_provider', '')}"
    number = str(record.get("accession_number", "")).strip()
    if number.isdigit() and re.search(r"pubmed|medline|nlm", source, re.IGNORECASE):
        return number
    return ""
