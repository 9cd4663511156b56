"""What every reader shares: the limits, the kinds, the entries and problems a file gives,
and telling what a file is (its encoding, its format) before any reader sees it."""

from __future__ import annotations

import codecs
import re
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
class RawEntry:
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
    guess = format_from_content(text)
    if guess is None:
        extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        guess = EXTENSIONS.get(extension)
    if guess is None:
        raise UnreadableFile(
            "We could not tell what kind of file this is. Choose its format from the list, "
            "or export it again as BibTeX, RIS, PubMed (MEDLINE) or ORCID JSON."
        )
    return guess


def format_from_content(text: str) -> str | None:
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


def no_entries_message(format: str, text: str, filename: str) -> str:
    message = f"No entries were found in this file, read as {FORMATS[format]}."
    other = format_from_content(text)
    if other is not None and other != format:
        message += f" It looks like {FORMATS[other]}: choose that format, or let us detect it."
    return message


def one_line(value) -> str:
    return " ".join(str(value or "").split())


def guess_from_words(*texts: str, default: str) -> str:
    joined = " ".join(t for t in texts if t)
    if POSTER_WORDS.search(joined):
        return POSTER
    if TALK_WORDS.search(joined):
        return INVITED_TALK
    return default
