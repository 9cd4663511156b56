"""ORCID works exports (JSON), in any of the shapes ORCID gives them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from peerhaven.outcomes.importers.common import (
    ABSTRACT,
    BOOK_CHAPTER,
    INVITED_TALK,
    POSTER,
    PUBLICATION,
    EntryProblem,
    RawEntry,
    UnreadableFile,
    guess_from_words,
)

ORCID_KINDS = {
    "journal-article": PUBLICATION,
    "review": PUBLICATION,
    "book-chapter": BOOK_CHAPTER,
    "book": BOOK_CHAPTER,
    "edited-book": BOOK_CHAPTER,
    "conference-abstract": ABSTRACT,
    "conference-paper": ABSTRACT,
    "conference-proceedings": ABSTRACT,
    "conference-poster": POSTER,
    "lecture-speech": INVITED_TALK,
    "conference-presentation": INVITED_TALK,
}


def read(text: str) -> Iterator[RawEntry | EntryProblem]:
    try:
        document = json.loads(text)
    except ValueError as error:
        where = f" (line {error.lineno})" if hasattr(error, "lineno") else ""
        raise UnreadableFile(
            f"This is not valid JSON{where}, so it cannot be an ORCID works export. Download "
            "your works from ORCID again and upload that file."
        ) from None
    for number, work in enumerate(_orcid_works(document), start=1):
        line = _orcid_line(text, work)
        if not isinstance(work, dict):
            yield EntryProblem(number, line, "not an ORCID work, so it was left out")
        else:
            yield _orcid_entry(number, line, work)


def _orcid_works(document) -> list:
    """The works of any of the shapes ORCID gives: ``/works`` (groups of work summaries, of
    which the first is the preferred version), a bulk ``/works/{put-codes}`` answer, or a
    plain list of works."""
    if isinstance(document, dict):
        if "group" in document:
            return [_preferred(group) for group in document["group"] or []]
        for key in ("bulk", "works", "work"):
            if key in document:
                return _orcid_works(document[key])
        return [document] if "title" in document else []
    if isinstance(document, list):
        works = []
        for item in document:
            if isinstance(item, dict) and "work-summary" in item:
                works.append(_preferred(item))
            elif isinstance(item, dict) and "work" in item:
                works.append(item["work"])
            else:
                works.append(item)
        return works
    return []


def _preferred(group) -> object:
    summaries = group.get("work-summary") if isinstance(group, dict) else None
    return summaries[0] if summaries else group


def _orcid_entry(number: int, line: int | None, work: dict) -> RawEntry:
    date = work.get("publication-date") or {}
    work_type = str(work.get("type") or "").lower()
    raw = RawEntry(
        number=number,
        line=line,
        kind=ORCID_KINDS.get(work_type, PUBLICATION),
        title=_value(_value(work.get("title"), "title")),
        year=_value(date.get("year")),
        month=_value(date.get("month")),
        day=_value(date.get("day")),
        venue=_value(work.get("journal-title")),
        doi=_orcid_id(work, "doi"),
        pmid=_orcid_id(work, "pmid"),
    )
    if work_type not in ORCID_KINDS:
        raw.kind = guess_from_words(raw.title, default=PUBLICATION)
        if raw.kind == PUBLICATION:
            shown = work_type or "none given"
            raw.notes.append(f"listed as a publication from its ORCID type ({shown}): check it")
    return raw


def _value(node, key: str = "value") -> str:
    """ORCID wraps values: ``{"title": {"value": "..."}}``; any of it may be null."""
    if isinstance(node, dict):
        return node.get(key) or ""
    return node if isinstance(node, str) and key == "value" else ""


def _orcid_id(work: dict, id_type: str) -> str:
    # "part-of" identifiers belong to the container (a chapter's book), not to this work.
    ids = (work.get("external-ids") or {}).get("external-id") or []
    for external in ids:
        if not isinstance(external, dict):
            continue
        relationship = str(external.get("external-id-relationship") or "self").lower()
        if external.get("external-id-type") == id_type and relationship == "self":
            return str(external.get("external-id-value") or "")
    return ""


def _orcid_line(text: str, work) -> int | None:
    """Where in the file the work is, found by its put-code: JSON has no entry lines."""
    put_code = work.get("put-code") if isinstance(work, dict) else None
    if not isinstance(put_code, int):
        return None
    found = re.search(rf'"put-code"\s*:\s*{put_code}\b', text)
    return text.count("\n", 0, found.start()) + 1 if found else None
