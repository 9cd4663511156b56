"""Reading the files members already have (BibTeX, RIS, PubMed/MEDLINE text, an ORCID works
export) into entries they can preview before anything is added to their log.

Plain Python on purpose, like ``programs/roster.py``: no models, so every kind of bad file is
easy to test. A file that cannot be used at all raises ``UnreadableFile`` with a message a
member can act on; a bad entry becomes an ``EntryProblem`` naming the entry and its line, and
the rest of the file is still read. Deciding what is a duplicate of what is not done here but
in ``achievements.py``, which knows the member's log.

The ``kind`` of each entry is an ``Achievement.Kind`` value (a test checks they agree).
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

MAX_IMPORT_BYTES = 5 * 1024 * 1024  # a lifetime of publications is well under 1 MB
# The preview is kept server-side between the two requests; this bounds what is kept.
MAX_ENTRIES = 2000
MAX_TITLE = 500
MAX_VENUE = 300
MAX_DETAILS = 1000
MAX_DOI = 200
EARLIEST_YEAR = 1900

FORMATS = {
    "bibtex": "BibTeX (.bib)",
    "ris": "RIS (.ris)",
    "pubmed": "PubMed / MEDLINE text (.nbib, .txt)",
    "orcid": "ORCID works export (.json)",
}
EXTENSIONS = {
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".ris": "ris",
    ".nbib": "pubmed",
    ".medline": "pubmed",
    ".txt": "pubmed",
    ".json": "orcid",
}

PUBLICATION = "publication"
BOOK_CHAPTER = "book_chapter"
ABSTRACT = "abstract"
POSTER = "poster"
INVITED_TALK = "invited_talk"
GRANT_AWARDED = "grant_awarded"

# Characters no citation export contains; finding one means the bytes are not text.
NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
KNOWN_OTHER_FORMATS = (
    (b"%PDF", "a PDF"),
    (b"PK\x03\x04", "a ZIP archive or an Office document"),
    (b"\xd0\xcf\x11\xe0", "an older Office document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a compressed (gzip) file"),
    (b"{\\rtf", "a Word (RTF) document"),
)
POSTER_WORDS = re.compile(r"\bposter\b", re.IGNORECASE)
TALK_WORDS = re.compile(r"\b(invited talk|keynote|grand rounds|lecture|plenary)\b", re.IGNORECASE)
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

# bibtexparser logs each broken block with a piece of its text; members' files stay out of logs.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class ParsedEntry:
    number: int  # 1-based position among the file's entries
    line: int | None  # 1-based line where the entry starts (None where the format has none)
    kind: str
    title: str
    year: int
    month: int | None = None
    day: int | None = None
    venue: str = ""
    details: str = ""
    doi: str = ""  # as written; achievements.py normalises
    pmid: str = ""
    notes: tuple[str, ...] = ()  # what the member may want to check, e.g. a shortened title


@dataclass(frozen=True)
class EntryProblem:
    number: int | None
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"Entry {self.number}" if self.number is not None else "The file"
        if self.line is not None:
            where += f" (line {self.line})"
        return f"{where}: {self.message}"


@dataclass
class ParsedFile:
    format: str
    encoding: str
    fingerprint: str  # the same file (and format) gives the same fingerprint
    entries: list[ParsedEntry] = field(default_factory=list)
    problems: list[EntryProblem] = field(default_factory=list)


class UnreadableFile(Exception):
    """The file as a whole cannot be used; the message says why and what to do."""


@dataclass
class _Raw:
    """One entry as read, before checking: the values each reader found."""

    number: int
    line: int | None
    kind: str
    title: str = ""
    year: str = ""
    month: str = ""
    day: str = ""
    venue: str = ""
    details: str = ""
    doi: str = ""
    pmid: str = ""
    notes: list[str] = field(default_factory=list)


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
        raise UnreadableFile(_no_entries_message(format, text, filename))
    if len(entries) > MAX_ENTRIES:
        raise UnreadableFile(
            f"The file has {len(entries):,} entries; at most {MAX_ENTRIES:,} can be imported "
            "at once. Export fewer years at a time."
        )
    fingerprint = hashlib.sha256(format.encode() + b"\0" + data).hexdigest()
    return ParsedFile(format, encoding, fingerprint, entries, problems)


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of the encoding it was read with: UTF-8 when it is, else
    Windows-1252 (which reference managers on Windows still write), else Latin-1."""
    for magic, what in KNOWN_OTHER_FORMATS:
        if data.startswith(magic):
            raise UnreadableFile(f"This is not a citation file: it looks like {what}.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        attempts = (("utf-16", "UTF-16"),)
    else:
        attempts = (("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252"), ("latin-1", "Latin-1"))
    for codec, name in attempts:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if NOT_TEXT.search(text):
            break
        return text.replace("\r\n", "\n").replace("\r", "\n"), name
    raise UnreadableFile(
        "This is not a text file, so it cannot be a citation export. Export your "
        "publications from your reference manager as BibTeX, RIS, PubMed (MEDLINE) or ORCID "
        "JSON and upload that file."
    )


def detect_format(text: str, filename: str = "") -> str:
    """The content decides; the file name only when the content does not say."""
    guess = _format_from_content(text)
    if guess is None:
        extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        guess = EXTENSIONS.get(extension)
    if guess is None:
        raise UnreadableFile(
            "We could not tell what kind of file this is. Choose its format from the list, "
            "or export it again as BibTeX, RIS, PubMed (MEDLINE) or ORCID JSON."
        )
    return guess


def _format_from_content(text: str) -> str | None:
    start = text.lstrip()
    if start.startswith(("{", "[")):
        return "orcid"
    if re.search(r"^TY  -", text, re.MULTILINE):
        return "ris"
    if re.search(r"^PMID-", text, re.MULTILINE):
        return "pubmed"
    if re.search(r"^\s*@\s*\w+\s*[{(]", text, re.MULTILINE):
        return "bibtex"
    return None


def _no_entries_message(format: str, text: str, filename: str) -> str:
    message = f"No entries were found in this file, read as {FORMATS[format]}."
    other = _format_from_content(text)
    if other is not None and other != format:
        message += f" It looks like {FORMATS[other]}: choose that format, or let us detect it."
    return message


def _read(format: str, text: str) -> tuple[list[ParsedEntry], list[EntryProblem]]:
    readers: dict[str, Callable[[str], Iterator[_Raw | EntryProblem]]] = {
        "bibtex": _bibtex,
        "ris": _ris,
        "pubmed": _pubmed,
        "orcid": _orcid,
    }
    entries, problems = [], []
    for raw in readers[format](text):
        checked = raw if isinstance(raw, EntryProblem) else _check(raw)
        (problems if isinstance(checked, EntryProblem) else entries).append(checked)
    return entries, problems


# Checking one entry ---------------------------------------------------------------------


def _check(raw: _Raw) -> ParsedEntry | EntryProblem:
    title = _one_line(raw.title)
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
    doi = _one_line(raw.doi)
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
        venue=_shorten(_one_line(raw.venue), MAX_VENUE),
        details=_shorten(raw.details.strip(), MAX_DETAILS),
        doi=doi,
        pmid=_one_line(raw.pmid),
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


def _one_line(value) -> str:
    return " ".join(str(value or "").split())


def _shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _quoted(value: str) -> str:
    return f"“{_shorten(value, 60)}”"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB".replace(".0 MB", " MB")


def _guess_from_words(*texts: str, default: str) -> str:
    joined = " ".join(t for t in texts if t)
    if POSTER_WORDS.search(joined):
        return POSTER
    if TALK_WORDS.search(joined):
        return INVITED_TALK
    return default


# BibTeX -----------------------------------------------------------------------------------

BIBTEX_KINDS = {
    "article": PUBLICATION,
    "incollection": BOOK_CHAPTER,
    "inbook": BOOK_CHAPTER,
    "book": BOOK_CHAPTER,
    "inproceedings": ABSTRACT,
    "conference": ABSTRACT,
    "proceedings": ABSTRACT,
}


def _bibtex(text: str) -> Iterator[_Raw | EntryProblem]:
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


def _bibtex_entry(number: int, line: int | None, entry) -> _Raw:
    fields = {f.key.lower(): _one_line(f.value) for f in entry.fields}
    entry_type = entry.entry_type.lower()
    date = fields.get("date", "").split("-")  # biblatex: 2021-03-05
    raw = _Raw(
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
        raw.kind = _guess_from_words(*wording, fields.get("howpublished", ""), default=raw.kind)
    if entry_type not in BIBTEX_KINDS and raw.kind == PUBLICATION:
        raw.notes.append(f"listed as a publication from its type @{entry_type}: check the kind")
    return raw


def _bibtex_failure(block) -> str:
    reason = getattr(block.error, "abort_reason", "") or str(block.error)
    if "closing" in reason or "Unexpected block start" in reason:
        return "could not be read: a brace or quote is not closed, so it was left out"
    return "could not be read, so it was left out"


# RIS ------------------------------------------------------------------------------------

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


def _ris(text: str) -> Iterator[_Raw | EntryProblem]:
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


def _ris_entry(number: int, line: int, record: dict) -> _Raw:
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
    raw = _Raw(
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
        raw.kind = _guess_from_words(title, notes, str(record.get("type_of_work", "")),
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


# PubMed / MEDLINE -------------------------------------------------------------------------

MEDLINE_TAG = re.compile(r"^([A-Z][A-Z0-9 ]{1,3})- ?(.*)$")
MEETING_TYPES = ("Meeting Abstract", "Congress")


def _pubmed(text: str) -> Iterator[_Raw | EntryProblem]:
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


def _pubmed_entry(number: int, line: int, fields: dict[str, list[str]]) -> _Raw:
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
    return _Raw(
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


# ORCID works export ---------------------------------------------------------------------

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


def _orcid(text: str) -> Iterator[_Raw | EntryProblem]:
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


def _orcid_entry(number: int, line: int | None, work: dict) -> _Raw:
    date = work.get("publication-date") or {}
    work_type = str(work.get("type") or "").lower()
    raw = _Raw(
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
        raw.kind = _guess_from_words(raw.title, default=PUBLICATION)
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
