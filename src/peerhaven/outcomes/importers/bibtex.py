"""BibTeX (and biblatex) files, read with bibtexparser."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from peerhaven.outcomes.importers.common import (
    ABSTRACT,
    BOOK_CHAPTER,
    PUBLICATION,
    EntryProblem,
    RawEntry,
    guess_from_words,
    one_line,
)

# bibtexparser logs each broken block with a piece of its text; members' files stay out of logs.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

BIBTEX_KINDS = {
    "article": PUBLICATION,
    "incollection": BOOK_CHAPTER,
    "inbook": BOOK_CHAPTER,
    "book": BOOK_CHAPTER,
    "inproceedings": ABSTRACT,
    "conference": ABSTRACT,
    "proceedings": ABSTRACT,
}


def read(text: str) -> Iterator[RawEntry | EntryProblem]:
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware
    from bibtexparser.model import Entry

    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    blocks = [*library.entries, *library.failed_blocks]
    blocks.sort(key=lambda block: block.start_line or 0)
    for number, block in enumerate(blocks, start=1):
        line = block.start_line + 1 if block.start_line is not None else None
        entry = block if isinstance(block, Entry) else _usable_entry(block)
        if entry is None:
            yield EntryProblem(number, line, _bibtex_failure(block))
        else:
            yield _bibtex_entry(number, line, entry)


def _usable_entry(block):
    """A repeated key, or a field the LaTeX decoding choked on, still leaves a readable entry;
    bibtexparser hands it back unprocessed, so it is read again on its own."""
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware
    from bibtexparser.model import Entry

    if not isinstance(getattr(block, "ignore_error_block", None), Entry) or not block.raw:
        return None
    for extra in ([LatexDecodingMiddleware()], []):
        entries = bibtexparser.parse_string(block.raw, append_middleware=extra).entries
        if entries:
            return entries[0]
    return None


def _bibtex_entry(number: int, line: int | None, entry) -> RawEntry:
    fields = {f.key.lower(): one_line(f.value) for f in entry.fields}
    entry_type = entry.entry_type.lower()
    date = fields.get("date", "").split("-")  # biblatex: 2021-03-05
    raw = RawEntry(
        number=number,
        line=line,
        kind=BIBTEX_KINDS.get(entry_type, PUBLICATION),
        title=fields.get("title", ""),
        year=fields.get("year") or date[0],
        month=fields.get("month") or (date[1] if len(date) > 1 else ""),
        day=fields.get("day") or (date[2][:2] if len(date) > 2 else ""),
        venue=fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle", ""),
        details="; ".join(re.split(r"\s+and\s+", fields.get("author", ""))),
        doi=fields.get("doi", ""),
        pmid=fields.get("pmid", ""),
    )
    if entry_type not in ("article", "incollection", "inbook", "book"):
        wording = (fields.get("title", ""), fields.get("note", ""), fields.get("type", ""))
        raw.kind = guess_from_words(*wording, fields.get("howpublished", ""), default=raw.kind)
    if entry_type not in BIBTEX_KINDS and raw.kind == PUBLICATION:
        raw.notes.append(f"listed as a publication from its type @{entry_type}: check the kind")
    return raw


def _bibtex_failure(block) -> str:
    reason = getattr(block.error, "abort_reason", "") or str(block.error)
    if "closing" in reason or "Unexpected block start" in reason:
        return "could not be read: a brace or quote is not closed, so it was left out"
    return "could not be read, so it was left out"
