"""Reading a program roster (CSV or XLSX) into rows a coordinator can preview before anyone
is enrolled.

Plain Python on purpose: the enrolment views call `read_roster` and render its preview, and
every kind of bad file is easiest to test without a database. Nothing here raises for bad
input; whatever is wrong becomes a `RosterProblem` in words a coordinator can act on.

Line numbers are the row numbers a spreadsheet shows (the header is row 1), for CSV as well as
XLSX, because that is where a coordinator goes to fix a row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import hashlib
import io
import itertools
import re
import zipfile
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from peerhaven.accounts.choices import CareerStage

MAX_ROSTER_BYTES = 5 * 1024 * 1024  # a roster of a few thousand rows is well under this
MAX_ROSTER_ROWS = 5000
REQUIRED_COLUMNS = ("name", "email")
OPTIONAL_COLUMNS = (
    "rank",
    "department",
    "institution",
    "specialty",
    "time_zone",
    "rank_since_year",
)

# An XLSX is a ZIP, so 5 MB on the wire can unpack to gigabytes. A genuine roster of
# MAX_ROSTER_ROWS people unpacks to a few MB; this leaves room for heavy formatting.
MAX_UNPACKED_XLSX_BYTES = 10 * MAX_ROSTER_BYTES
# Coordinators often put a title or a note above the header; look this far down for it.
HEADER_SEARCH_ROWS = 5
# No real header is longer; looking further only slows down reading a file that is no roster.
MAX_HEADER_CHARS = 10_000
MAX_HEADER_COLUMNS = 1000
EARLIEST_RANK_YEAR = 1950
# The Profile fields these values end up in; longer values would fail only at confirm time.
MAX_LENGTHS = {"name": 120, "email": 254, "department": 120, "institution": 200, "specialty": 120}
MAX_QUOTED_CHARS = 60
MAX_LISTED_HEADERS = 12

NOT_A_ROSTER = "This is not a CSV or XLSX file"
ZIP_MAGIC = b"PK\x03\x04"
# (how the file starts, what it probably is) for files people upload by mistake.
KNOWN_OTHER_FORMATS = (
    (b"\xd0\xcf\x11\xe0", "an older Excel workbook (.xls) or a password-protected one"),
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a compressed (gzip) file"),
    (b"{\\rtf", "a Word (RTF) document"),
)
NOT_A_ROSTER_ADVICE = (
    "Open the roster in Excel, Numbers or Google Sheets and save or download it as "
    "CSV or as an Excel workbook (.xlsx)."
)

# How people spell each header once everything but letters and digits is dropped
# ("E-mail Address" -> "emailaddress", "time_zone" -> "timezone").
HEADER_SPELLINGS = {
    "name": ("name", "fullname", "participantname", "membername", "participant"),
    "first_name": ("firstname", "givenname", "forename", "first"),
    "last_name": ("lastname", "surname", "familyname", "last"),
    "email": ("email", "emailaddress", "mail", "workemail"),
    "rank": ("rank", "academicrank", "facultyrank", "careerstage", "stage", "position"),
    "department": ("department", "dept"),
    "institution": ("institution", "organization", "organisation", "university", "affiliation"),
    "specialty": ("specialty", "speciality", "discipline"),
    "time_zone": ("timezone", "tz"),
    "rank_since_year": ("ranksinceyear", "ranksince", "rankyear", "yearofrank", "yearappointed"),
}
HEADER_SYNONYMS = {
    spelling: field for field, spellings in HEADER_SPELLINGS.items() for spelling in spellings
}
NAME_PARTS = ("first_name", "last_name")

CSV_DELIMITERS = (",", ";", "\t")
# Characters no spreadsheet export contains; finding one means the bytes are not text.
NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
NOT_LETTER_OR_DIGIT = re.compile(r"[^a-z0-9]")
INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
# A year, possibly as Excel exports a number ("2019.0"); long digit runs are not years.
WHOLE_NUMBER = re.compile(r"[0-9]{1,6}(?:\.0*)?")
BRACKETED_ADDRESS = re.compile(r"<([^<>]*)>")


@dataclass(frozen=True)
class RosterProblem:
    # 1-based row as a spreadsheet shows it (header = 1); None for file-level problems.
    line: int | None
    column: str | None  # the header as written in the file, or None
    message: str

    @property
    def is_file_level(self) -> bool:
        return self.line is None


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    email: str  # stripped and lower-cased
    career_stage: str  # a CareerStage value, "" when no rank was given
    department: str
    institution: str
    specialty: str  # as written; matching it to Specialty is the caller's choice
    time_zone: str  # "" or an IANA zone name
    rank_since_year: int | None


@dataclass(frozen=True)
class RosterPreview:
    rows: list[RosterRow]
    problems: list[RosterProblem]
    fingerprint: str  # sha256 of the file bytes, so a re-import of the same file is recognisable

    @property
    def is_importable(self) -> bool:
        return bool(self.rows) and not any(problem.is_file_level for problem in self.problems)


class _UnreadableRoster(Exception):
    """The file as a whole cannot be used; the message says why and what to do."""


def read_roster(filename: str, data: bytes) -> RosterPreview:
    fingerprint = hashlib.sha256(data).hexdigest()
    try:
        rows, problems = _read_table(_open_table(filename, data))
    except _UnreadableRoster as unreadable:
        rows, problems = [], [RosterProblem(None, None, str(unreadable))]
    return RosterPreview(rows=rows, problems=problems, fingerprint=fingerprint)


# Turning bytes into rows of cells -----------------------------------------------------------


def _open_table(filename: str, data: bytes) -> Iterator[list[str]]:
    """Every row of the file, blank ones included, so that position = spreadsheet row - 1."""
    if len(data) > MAX_ROSTER_BYTES:
        raise _UnreadableRoster(
            # Callers may read only MAX_ROSTER_BYTES + 1 bytes, so the true size is unknown.
            f"The file is larger than {_megabytes(MAX_ROSTER_BYTES)}, the limit for a roster. "
            "A roster of a few thousand people is far smaller: check that this is the right "
            "file, or split it into smaller ones."
        )
    if not data.strip():
        raise _UnreadableRoster(
            "The file is empty. Upload a CSV or XLSX file with a header row (name, email, …) "
            "and one row per person."
        )
    # The content decides, not the name: an .xls is often a renamed CSV and vice versa.
    if data.startswith(ZIP_MAGIC):
        return _xlsx_rows(filename, data)
    for magic, what in KNOWN_OTHER_FORMATS:
        if data.startswith(magic):
            raise _not_a_roster(filename, f"It looks like {what}.")
    return _csv_rows(_decode_text(filename, data))


def _xlsx_rows(filename: str, data: bytes) -> Iterator[list[str]]:
    # Imported here so that views importing this module do not pay for openpyxl until needed.
    import openpyxl

    # Malformed ZIPs and workbooks raise whatever zipfile, the XML parser or openpyxl happen
    # to raise (KeyError, ValueError, BadZipFile, ParseError…), hence the broad excepts.
    try:
        _check_unpacked_size(data)
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _UnreadableRoster:
        raise
    except Exception:
        raise _not_a_roster(
            filename, "It is a ZIP archive but not a workbook we can open (it may be damaged)."
        ) from None
    return _worksheet_rows(workbook)


def _check_unpacked_size(data: bytes) -> None:
    # zipfile stops reading a member at its declared size, so the declared sizes are a bound.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    if unpacked > MAX_UNPACKED_XLSX_BYTES:
        raise _UnreadableRoster(
            f"This workbook unpacks to {_megabytes(unpacked)}, far more than a roster needs "
            f"(the limit is {_megabytes(MAX_UNPACKED_XLSX_BYTES)}). Copy the roster into a new "
            "workbook, or save it as CSV, and upload that."
        )


def _worksheet_rows(workbook) -> Iterator[list[str]]:
    """The rows of the sheet Excel opens on (the active one)."""
    try:
        sheet = workbook.active
        # Some tools write a wrong size into the sheet; trusting it would drop rows silently.
        sheet.reset_dimensions()
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    except Exception:
        raise _UnreadableRoster(
            "The workbook could not be read to the end; it may be damaged. Open it in Excel, "
            "save it again (or save it as CSV) and upload it again."
        ) from None
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    # Excel stores every number as a float; a year typed as 2019 arrives as 2019.0.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _decode_text(filename: str, data: bytes) -> str:
    text = _decode(data)
    if text is not None:
        # A trailing Ctrl-Z is how some old Windows tools end a text file.
        text = text.rstrip("\x1a")
    if text is None or NOT_TEXT.search(text):
        raise _not_a_roster(filename, "Its content is not text.")
    return text


def _decode(data: bytes) -> str | None:
    # Excel's "Unicode text" export is UTF-16 with a byte-order mark.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: Iterable[str] = ("utf-16",)
    else:
        # Excel on Windows saves "CSV" (not "CSV UTF-8") in cp1252; latin-1 decodes anything.
        encodings = ("utf-8-sig", "cp1252", "latin-1")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _csv_rows(text: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_guess_delimiter(text))
    try:
        yield from reader
    except csv.Error as error:
        raise _UnreadableRoster(
            f"The CSV file could not be read past line {reader.line_num + 1} ({error}). "
            "Open it in a spreadsheet, save it as CSV again and upload it again."
        ) from None


def _guess_delimiter(text: str) -> str:
    """Whichever of comma, semicolon and tab splits the first line into the most known
    columns, then into the most columns: European Excel writes semicolons, "Unicode text"
    exports use tabs, and a plain count is fooled by commas inside quoted headers."""
    first_line = next((line for line in io.StringIO(text, newline="") if line.strip()), "")
    first_line = first_line[:MAX_HEADER_CHARS]

    def score(delimiter: str) -> tuple[int, int]:
        try:
            cells = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:  # e.g. a first "line" beyond the csv module's field size limit
            return 0, 0
        known = {HEADER_SYNONYMS.get(_header_key(cell)) for cell in cells} - {None}
        return len(known), len(cells)

    return max(CSV_DELIMITERS, key=score)


# Finding the header and checking each row --------------------------------------------------


@dataclass(frozen=True)
class _Column:
    index: int
    header: str  # as written in the file, for messages


def _read_table(table: Iterator[list[str]]) -> tuple[list[RosterRow], list[RosterProblem]]:
    filled = (
        (line, cells)
        for line, cells in enumerate((_clean_cells(row) for row in table), start=1)
        if any(cells)
    )
    columns, rest = _find_header(filled)
    people = list(itertools.islice(rest, MAX_ROSTER_ROWS + 1))
    if len(people) > MAX_ROSTER_ROWS:
        raise _UnreadableRoster(
            f"The roster has more than {MAX_ROSTER_ROWS:,} people; the limit is "
            f"{MAX_ROSTER_ROWS:,} per file. Split it into several files and import each."
        )
    if not people:
        raise _UnreadableRoster(
            "The roster has a header row but nobody below it. Add one row per person."
        )
    return _check_rows(people, columns)


def _clean_cells(row: list[str]) -> list[str]:
    # Copy-pasted addresses carry zero-width spaces and non-breaking spaces with them.
    return [INVISIBLE.sub("", cell).strip() for cell in row]


def _find_header(
    filled: Iterator[tuple[int, list[str]]],
) -> tuple[dict[str, _Column], Iterator[tuple[int, list[str]]]]:
    candidates = list(itertools.islice(filled, HEADER_SEARCH_ROWS))
    if not candidates:
        raise _UnreadableRoster(
            "The file has no rows. Upload a CSV or XLSX file with a header row "
            "(name, email, …) and one row per person."
        )
    for position, (_, cells) in enumerate(candidates):
        columns = _match_columns(cells)
        if not _missing_columns(columns):
            return columns, itertools.chain(candidates[position + 1 :], filled)
    _, first_row = candidates[0]
    raise _UnreadableRoster(_missing_columns_message(first_row, _match_columns(first_row)))


def _header_key(header: str) -> str:
    return NOT_LETTER_OR_DIGIT.sub("", header.lower())


def _match_columns(header: list[str]) -> dict[str, _Column]:
    columns: dict[str, _Column] = {}
    for index, text in enumerate(header[:MAX_HEADER_COLUMNS]):
        field = HEADER_SYNONYMS.get(_header_key(text))
        # With two columns for the same thing, the leftmost one counts.
        if field and field not in columns:
            columns[field] = _Column(index, text)
    return columns


def _missing_columns(columns: dict[str, _Column]) -> list[str]:
    has_name_parts = all(part in columns for part in NAME_PARTS)
    return [
        field
        for field in REQUIRED_COLUMNS
        if field not in columns and not (field == "name" and has_name_parts)
    ]


def _missing_columns_message(header: list[str], columns: dict[str, _Column]) -> str:
    missing = " or ".join(f"“{field}”" for field in _missing_columns(columns))
    headers = [cell for cell in header if cell]
    found = [_quoted(cell) for cell in headers[:MAX_LISTED_HEADERS]]
    if len(headers) > MAX_LISTED_HEADERS:
        found.append(f"and {len(headers) - MAX_LISTED_HEADERS:,} more")
    return (
        f"The roster has no {missing} column. The first row has: {', '.join(found)}. "
        "The first row must name the columns; “name” (or “first name” and “last name”) and "
        "“email” are required."
    )


def _check_rows(
    people: list[tuple[int, list[str]]], columns: dict[str, _Column]
) -> tuple[list[RosterRow], list[RosterProblem]]:
    rows: list[RosterRow] = []
    problems: list[RosterProblem] = []
    first_line_of: dict[str, int] = {}
    for line, cells in people:
        row, row_problems = _check_row(line, _RowReader(cells, columns), first_line_of)
        problems.extend(row_problems)
        if row is not None:
            rows.append(row)
    return rows, problems


@dataclass(frozen=True)
class _RowReader:
    cells: list[str]
    columns: dict[str, _Column]

    def value(self, field: str) -> str:
        column = self.columns.get(field)
        if column is None or column.index >= len(self.cells):
            return ""
        return self.cells[column.index]

    def header(self, field: str) -> str:
        if field == "name" and "name" not in self.columns:
            return " / ".join(self.columns[part].header for part in NAME_PARTS)
        return self.columns[field].header

    def name(self) -> str:
        # A name column wins; first and last name fill in where it is empty or absent.
        parts = (self.value(part) for part in NAME_PARTS)
        return self.value("name") or " ".join(part for part in parts if part)


def _check_row(
    line: int, reader: _RowReader, first_line_of: dict[str, int]
) -> tuple[RosterRow | None, list[RosterProblem]]:
    name, email = reader.name(), _normalised_email(reader.value("email"))
    messages = {
        "name": _name_problem(name),
        "email": _email_problem(email, first_line_of.get(email)),
        "rank": _rank_problem(reader.value("rank")),
        "time_zone": _time_zone_problem(reader.value("time_zone")),
        "rank_since_year": _year_problem(reader.value("rank_since_year")),
    }
    for field in ("department", "institution", "specialty"):
        messages[field] = _length_problem(field, reader.value(field))
    if email and email not in first_line_of and messages["email"] is None:
        first_line_of[email] = line
    problems = [
        RosterProblem(line, reader.header(field), message)
        for field, message in messages.items()
        if message is not None
    ]
    if problems:
        return None, problems
    return _roster_row(line, reader, name, email), []


def _roster_row(line: int, reader: _RowReader, name: str, email: str) -> RosterRow:
    year = reader.value("rank_since_year")
    return RosterRow(
        line=line,
        name=name,
        email=email,
        # Plain strings, so that callers can store the row as JSON.
        career_stage=str(_career_stage(reader.value("rank")) or ""),
        department=reader.value("department"),
        institution=reader.value("institution"),
        specialty=reader.value("specialty"),
        time_zone=_time_zone(reader.value("time_zone")) or "",
        rank_since_year=_year(year) if year else None,
    )


# One value at a time -----------------------------------------------------------------------


def _name_problem(name: str) -> str | None:
    if not name:
        return "The name is empty. Add the person's name."
    return _length_problem("name", name)


def _length_problem(field: str, value: str) -> str | None:
    limit = MAX_LENGTHS[field]
    if len(value) <= limit:
        return None
    what = field.capitalize().replace("_", " ")
    return f"{what} is {len(value):,} characters long; the limit is {limit}. Shorten it."


def _normalised_email(value: str) -> str:
    # Addresses pasted from Outlook look like "Ann Lee <ann@uni.edu>" or "mailto:ann@uni.edu".
    bracketed = BRACKETED_ADDRESS.search(value)
    if bracketed:
        value = bracketed.group(1)
    return value.strip().removeprefix("mailto:").strip().lower()


def _email_problem(email: str, first_line: int | None) -> str | None:
    if not email:
        return "The e-mail address is empty. Add it: the invitation goes there."
    if len(email) > MAX_LENGTHS["email"] or not _is_valid_email(email):
        return f"{_quoted(email)} is not a valid e-mail address. Correct it."
    if first_line is not None:
        return (
            f"{_quoted(email)} is already on line {first_line}. Each person can be on the "
            "roster once: remove one of the two rows."
        )
    return None


def _is_valid_email(email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def _rank_problem(rank: str) -> str | None:
    if not rank or _career_stage(rank):
        return None
    accepted = ", ".join(str(label) for label in CareerStage.labels)
    return (
        f"The rank {_quoted(rank)} is not one we know. Use one of: {accepted}; or leave it empty."
    )


def _career_stage(rank: str) -> str | None:
    """The CareerStage a rank as people write it means: "Asst. Prof.", "PGY-2", "MS3"…"""
    words = re.findall(r"[a-z0-9]+", rank.lower())
    joined = "".join(words)
    found = set(words)
    if "postdoc" in joined:  # postdoc, post-doc, post-doctoral fellow, postdoctoral researcher
        return CareerStage.POSTDOC
    if found & {"professor", "prof"}:
        if found & {"assistant", "asst", "assist", "ast"}:
            return CareerStage.ASSISTANT_PROFESSOR
        if found & {"associate", "assoc", "asso"}:
            return CareerStage.ASSOCIATE_PROFESSOR
        return CareerStage.PROFESSOR  # full, distinguished, emeritus, clinical, adjunct…
    if found & {"instructor", "lecturer"}:
        return CareerStage.INSTRUCTOR
    if found & {"fellow", "fellowship"}:  # before resident: a "PGY-5 fellow" is a fellow
        return CareerStage.FELLOW
    if found & {"resident", "residency", "intern", "pgy"} or re.fullmatch(r"pgy\d+", joined):
        return CareerStage.RESIDENT
    if found & {"student", "medstudent"} or re.fullmatch(r"ms?[1-4]", joined):
        return CareerStage.MEDICAL_STUDENT
    if found & {"staff", "other"}:
        return CareerStage.STAFF_OTHER
    return None


def _time_zone_problem(value: str) -> str | None:
    if not value or _time_zone(value):
        return None
    return (
        f"The time zone {_quoted(value)} is not one we know. Use a zone name such as "
        "America/New_York or Europe/London, or leave it empty."
    )


def _time_zone(value: str) -> str | None:
    return _time_zones_by_lower_name().get(value.replace(" ", "_").lower())


@functools.cache
def _time_zones_by_lower_name() -> dict[str, str]:
    # The zones the profile form offers: "EST" and the like are fixed offsets that ignore
    # daylight saving, which is not what anyone who types them means.
    zones = (zone for zone in zoneinfo.available_timezones() if "/" in zone or zone == "UTC")
    return {zone.lower(): zone for zone in zones}


def _year_problem(value: str) -> str | None:
    if not value:
        return None
    if not WHOLE_NUMBER.fullmatch(value):
        return (
            f"The rank-since year {_quoted(value)} is not a year. Use a four-digit year "
            "such as 2019, or leave it empty."
        )
    latest = dt.date.today().year
    if not EARLIEST_RANK_YEAR <= _year(value) <= latest:
        return (
            f"The rank-since year {value} is not between {EARLIEST_RANK_YEAR} and {latest}. "
            "Correct it, or leave it empty."
        )
    return None


def _year(value: str) -> int:
    return int(value.partition(".")[0])


# Wording ------------------------------------------------------------------------------------


def _quoted(value: str) -> str:
    if len(value) > MAX_QUOTED_CHARS:
        value = value[: MAX_QUOTED_CHARS - 1] + "…"
    return f"“{value}”"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB".replace(".0 MB", " MB")


def _not_a_roster(filename: str, what_it_is: str) -> _UnreadableRoster:
    return _UnreadableRoster(
        f"{NOT_A_ROSTER} ({_quoted(filename)}). {what_it_is} {NOT_A_ROSTER_ADVICE}"
    )
