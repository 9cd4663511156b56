"""Reading the files members already have (BibTeX, RIS, PubMed/MEDLINE text, an ORCID works
export) into entries they can preview before anything is added to their log.

Plain Python on purpose, like ``programs/roster.py``: no models, so every kind of bad file is
easy to test. A file that cannot be used at all raises ``UnreadableFile`` with a message a
member can act on; a bad entry becomes an ``EntryProblem`` naming the entry and its line, and
the rest of the file is still read. Deciding what is a duplicate of what is not done here but
in ``achievements.py``, which knows the member's log.

The ``kind`` of each entry is an ``Achievement.Kind`` value (a test checks they agree).

Each format has its own module; ``common`` holds what they share (the entry types, the
limits, telling the format) and ``checking`` what is done to every entry whatever its format.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

from peerhaven.outcomes.importers import bibtex, orcid, pubmed, ris
from peerhaven.outcomes.importers.bibtex import BIBTEX_KINDS
from peerhaven.outcomes.importers.checking import MONTHS, SEASONS, check_entry
from peerhaven.outcomes.importers.common import (
    ABSTRACT,
    BOOK_CHAPTER,
    EARLIEST_YEAR,
    EXTENSIONS,
    FORMATS,
    GRANT_AWARDED,
    INVITED_TALK,
    KNOWN_OTHER_FORMATS,
    MAX_DETAILS,
    MAX_DOI,
    MAX_ENTRIES,
    MAX_IMPORT_BYTES,
    MAX_TITLE,
    MAX_VENUE,
    NOT_TEXT,
    POSTER,
    POSTER_WORDS,
    PUBLICATION,
    TALK_WORDS,
    EntryProblem,
    ParsedEntry,
    ParsedFile,
    RawEntry,
    UnreadableFile,
    decode,
    detect_format,
    no_entries_message,
)
from peerhaven.outcomes.importers.orcid import ORCID_KINDS
from peerhaven.outcomes.importers.pubmed import MEDLINE_TAG, MEETING_TYPES
from peerhaven.outcomes.importers.ris import RIS_KINDS, RIS_TAG

__all__ = [
    "ABSTRACT",
    "BIBTEX_KINDS",
    "BOOK_CHAPTER",
    "EARLIEST_YEAR",
    "EXTENSIONS",
    "FORMATS",
    "GRANT_AWARDED",
    "INVITED_TALK",
    "KNOWN_OTHER_FORMATS",
    "MAX_DETAILS",
    "MAX_DOI",
    "MAX_ENTRIES",
    "MAX_IMPORT_BYTES",
    "MAX_TITLE",
    "MAX_VENUE",
    "MEDLINE_TAG",
    "MEETING_TYPES",
    "MONTHS",
    "NOT_TEXT",
    "ORCID_KINDS",
    "POSTER",
    "POSTER_WORDS",
    "PUBLICATION",
    "RIS_KINDS",
    "RIS_TAG",
    "SEASONS",
    "TALK_WORDS",
    "EntryProblem",
    "ParsedEntry",
    "ParsedFile",
    "UnreadableFile",
    "decode",
    "detect_format",
    "parse_file",
]


def parse_file(data: bytes, *, filename: str = "", format: str = "auto") -> ParsedFile:
    """The entries and per-entry problems of an uploaded file, or ``UnreadableFile``."""
    if len(data) > MAX_IMPORT_BYTES:
        raise UnreadableFile(
            f"The file is larger than {_megabytes(MAX_IMPORT_BYTES)}, the limit for an import. "
            "A list of publications is far smaller: check that this is the right file, or "
            "export fewer years at a time."
        )
    if not data.strip():
        raise UnreadableFile("The file is empty.")
    text, encoding = decode(data)
    format = format if format in FORMATS else detect_format(text, filename)
    entries, problems = _read(format, text)
    if not entries and not problems:
        raise UnreadableFile(no_entries_message(format, text, filename))
    if len(entries) > MAX_ENTRIES:
        raise UnreadableFile(
            f"The file has {len(entries):,} entries; at most {MAX_ENTRIES:,} can be imported "
            "at once. Export fewer years at a time."
        )
    fingerprint = hashlib.sha256(format.encode() + b"\0" + data).hexdigest()
    return ParsedFile(format, encoding, fingerprint, entries, problems)


def _read(format: str, text: str) -> tuple[list[ParsedEntry], list[EntryProblem]]:
    readers: dict[str, Callable[[str], Iterator[RawEntry | EntryProblem]]] = {
        "bibtex": bibtex.read,
        "ris": ris.read,
        "pubmed": pubmed.read,
        "orcid": orcid.read,
    }
    entries, problems = [], []
    for raw in readers[format](text):
        checked = raw if isinstance(raw, EntryProblem) else check_entry(raw)
        (problems if isinstance(checked, EntryProblem) else entries).append(checked)
    return entries, problems


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB".replace(".0 MB", " MB")
