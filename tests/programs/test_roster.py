"""Reading a roster file into a preview: good files in the shapes spreadsheets export them, and
every kind of bad file the programs issue lists. No database: the reader is plain Python."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerhaven.programs.roster import (
    MAX_ROSTER_BYTES,
    MAX_ROSTER_ROWS,
    RosterProblem,
    RosterRow,
    read_roster,
)

HEADER = [
    "Name",
    "Email",
    "Rank",
    "Department",
    "Institution",
    "Specialty",
    "Time zone",
    "Rank since",
]
ANN = [
    "Ann Lee",
    "Ann.Lee@Lakeshore.edu",
    "Assistant Professor",
    "Medicine",
    "Lakeshore",
    "Cardiology",
    "America/Chicago",
    "2021",
]
BEN = ["Ben Ode", "ben@lakeshore.edu", "PGY-2", "Surgery", "Lakeshore", "", "", ""]
EXPECTED_ANN = RosterRow(
    line=2,
    name="Ann Lee",
    email="ann.lee@lakeshore.edu",
    career_stage="assistant_professor",
    department="Medicine",
    institution="Lakeshore",
    specialty="Cardiology",
    time_zone="America/Chicago",
    rank_since_year=2021,
)
EXPECTED_BEN = RosterRow(
    line=3,
    name="Ben Ode",
    email="ben@lakeshore.edu",
    career_stage="resident",
    department="Surgery",
    institution="Lakeshore",
    specialty="",
    time_zone="",
    rank_since_year=None,
)
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
OLD_XLS_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def csv_bytes(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    return "\r\n".join(delimiter.join(row) for row in rows).encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def roster(*rows: str, header: str = "name,email,rank") -> bytes:
    return "\n".join([header, *rows]).encode()


def only_problem(data: bytes, filename: str = "roster.csv") -> RosterProblem:
    preview = read_roster(filename, data)
    assert preview.rows == []
    assert len(preview.problems) == 1
    assert not preview.is_importable
    return preview.problems[0]


def row_problems(data: bytes) -> list[tuple[int | None, str | None]]:
    return [(problem.line, problem.column) for problem in read_roster("r.csv", data).problems]


# Good files ---------------------------------------------------------------------------------


def test_a_good_csv_becomes_rows_in_file_order():
    preview = read_roster("roster.csv", csv_bytes([HEADER, ANN, BEN]))

    assert preview.rows == [EXPECTED_ANN, EXPECTED_BEN]
    assert preview.problems == []
    assert preview.is_importable
    # Plain strings, not CareerStage members, so callers can keep the rows as JSON.
    assert type(preview.rows[0].career_stage) is str


def test_a_good_xlsx_becomes_the_same_rows_with_spreadsheet_row_numbers():
    ann = [*ANN[:-1], 2021]  # Excel keeps a typed year as a number
    preview = read_roster("roster.xlsx", xlsx_bytes([HEADER, ann, BEN]))

    assert preview.rows == [EXPECTED_ANN, EXPECTED_BEN]
    assert preview.problems == []
    assert preview.is_importable


def test_xlsx_rows_keep_their_spreadsheet_numbers_across_title_and_gap_rows():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "New faculty 2027"
    for column, header in enumerate(["Name", "Email", "Rank since year"], start=1):
        sheet.cell(row=3, column=column, value=header)
    sheet["A4"], sheet["B4"], sheet["C4"] = "Ann Lee", "ann@lakeshore.edu", 2019.0
    sheet["A7"], sheet["B7"], sheet["C7"] = "Ben Ode", "not-an-address", None
    buffer = io.BytesIO()
    workbook.save(buffer)

    preview = read_roster("roster.xlsx", buffer.getvalue())

    assert [(row.line, row.rank_since_year) for row in preview.rows] == [(4, 2019)]
    assert [(p.line, p.column) for p in preview.problems] == [(7, "Email")]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_separated_files_are_read(delimiter):
    data = csv_bytes([HEADER, ANN, BEN], delimiter=delimiter)

    assert read_roster("roster.csv", data).rows == [EXPECTED_ANN, EXPECTED_BEN]


def test_commas_inside_semicolon_separated_values_stay_in_their_cell():
    data = roster("Lee, Ann;ann@lakeshore.edu;Professor", header="Name;E-mail;Rank")

    (row,) = read_roster("roster.csv", data).rows
    assert row.name == "Lee, Ann"


def test_utf8_with_a_byte_order_mark_is_read():
    data = b"\xef\xbb\xbf" + csv_bytes([["Name", "Email"], ["Zoë Ng", "zoe@lakeshore.edu"]])

    (row,) = read_roster("roster.csv", data).rows
    assert (row.name, row.email) == ("Zoë Ng", "zoe@lakeshore.edu")


def test_a_cp1252_csv_from_windows_excel_is_read():
    rows = [["Name", "Email", "Department"], ["José O’Brien", "jose@lakeshore.edu", "Médecine"]]
    data = csv_bytes(rows, delimiter=";", encoding="cp1252")

    (row,) = read_roster("roster.csv", data).rows
    assert (row.name, row.department) == ("José O’Brien", "Médecine")


def test_excel_unicode_text_export_is_read():
    data = csv_bytes([["Name", "Email"], ["Zoë Ng", "zoe@lakeshore.edu"]], "\t", "utf-16")

    assert [row.name for row in read_roster("roster.txt", data).rows] == ["Zoë Ng"]


def test_a_quoted_cell_spanning_lines_is_one_spreadsheet_row():
    data = roster('"Ann Lee","ann@lakeshore.edu","Professor\nof Medicine"', "Ben Ode,,Fellow")

    preview = read_roster("roster.csv", data)

    assert [row.line for row in preview.rows] == [2]
    assert [(p.line, p.column) for p in preview.problems] == [(3, "email")]


@pytest.mark.parametrize(
    "header",
    [
        "NAME,EMAIL,RANK,DEPT,TIMEZONE,RANK_SINCE_YEAR",
        "Full name,E-mail,Academic rank,Department,Time Zone,Rank since year",
        "full_name,email address,career stage,dept,time-zone,rank since",
        " Name ;Email Address;Position;Dept.;TZ;Year appointed",
    ],
)
def test_headers_are_matched_forgivingly(header):
    delimiter = ";" if ";" in header else ","
    values = ["Ann Lee", "ann@lakeshore.edu", "Assoc Prof", "Medicine", "Europe/London", "2020"]
    data = roster(delimiter.join(values), header=header)

    (row,) = read_roster("roster.csv", data).rows
    assert row.career_stage == "associate_professor"
    assert (row.department, row.time_zone, row.rank_since_year) == (
        "Medicine",
        "Europe/London",
        2020,
    )


def test_first_and_last_name_columns_are_combined_into_the_name():
    data = roster(
        "Ann,Lee,ann@lakeshore.edu", ",Ode,ben@lakeshore.edu", header="First name,Last name,Email"
    )

    assert [row.name for row in read_roster("roster.csv", data).rows] == ["Ann Lee", "Ode"]


def test_unknown_columns_are_ignored():
    data = roster("Ann Lee,ann@lakeshore.edu,yes,42", header="Name,Email,Dietary needs,Badge")

    preview = read_roster("roster.csv", data)
    assert [row.name for row in preview.rows] == ["Ann Lee"]
    assert preview.problems == []


def test_a_title_row_above_the_header_is_passed_over():
    data = roster("Name,Email", "Ann Lee,ann@lakeshore.edu", header="Spring cohort,,")

    assert [row.line for row in read_roster("roster.csv", data).rows] == [3]


def test_addresses_pasted_from_a_mail_program_are_normalised():
    data = roster("Ann Lee, Ann Lee <Ann@Lakeshore.EDU> ", "Ben Ode,mailto:ben@lakeshore.edu")

    emails = [row.email for row in read_roster("roster.csv", data).rows]
    assert emails == ["ann@lakeshore.edu", "ben@lakeshore.edu"]


def test_time_zones_are_matched_regardless_of_case_and_spaces():
    data = roster("Ann Lee,ann@lakeshore.edu,america/new york", header="name,email,time zone")

    assert read_roster("roster.csv", data).rows[0].time_zone == "America/New_York"


@pytest.mark.parametrize(
    ("rank", "stage"),
    [
        ("Assistant Professor", "assistant_professor"),
        ("asst prof", "assistant_professor"),
        ("Asst. Prof.", "assistant_professor"),
        ("Clinical Assistant Professor of Medicine", "assistant_professor"),
        ("assoc prof", "associate_professor"),
        ("Associate Professor", "associate_professor"),
        ("Professor", "professor"),
        ("Full professor", "professor"),
        ("Instructor", "instructor"),
        ("Resident", "resident"),
        ("PGY-2", "resident"),
        ("pgy3", "resident"),
        ("Fellow", "fellow"),
        ("Postdoc", "postdoc"),
        ("post-doctoral fellow", "postdoc"),
        ("MS3", "medical_student"),
        ("medical student", "medical_student"),
        ("staff", "staff_other"),
        ("Other", "staff_other"),
        ("Staff / other", "staff_other"),
        ("assistant_professor", "assistant_professor"),
        ("", ""),
    ],
)
def test_ranks_map_to_career_stages(rank, stage):
    data = roster(f"Ann Lee,ann@lakeshore.edu,{rank}")

    assert read_roster("roster.csv", data).rows[0].career_stage == stage


# Row problems -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (",ann@lakeshore.edu,,,", "Name", "name is empty"),
        ("Ann Lee,,,,", "E-mail", "e-mail address is empty"),
        ("Ann Lee,ann@lakeshore,,,", "E-mail", "“ann@lakeshore” is not a valid e-mail"),
        ("Ann Lee,ann@lakeshore.edu,Chancellor,,", "Rank", "rank “Chancellor” is not one"),
        ("Ann Lee,ann@lakeshore.edu,,EST,", "Time zone", "time zone “EST” is not one"),
        ("Ann Lee,ann@lakeshore.edu,,,last year", "Rank since", "“last year” is not a year"),
        ("Ann Lee,ann@lakeshore.edu,,,1900", "Rank since", "1900 is not between 1950 and"),
        (f"Ann Lee,ann@lakeshore.edu,,,{dt.date.today().year + 1}", "Rank since", "is not between"),
        (f"{'A' * 121},ann@lakeshore.edu,,,", "Name", "121 characters long; the limit is 120"),
    ],
)
def test_each_row_problem_names_its_line_and_column(row, column, words):
    header = "Name,E-mail,Rank,Time zone,Rank since"
    data = roster("Ben Ode,ben@lakeshore.edu,Fellow,,", "", row, header=header)

    preview = read_roster("roster.csv", data)

    assert [row.line for row in preview.rows] == [2]
    (problem,) = preview.problems
    assert (problem.line, problem.column) == (4, column)
    assert words in problem.message
    assert preview.is_importable  # one bad row does not stop the others


def test_every_problem_in_a_row_is_reported():
    data = roster(",nobody,Chancellor")

    assert row_problems(data) == [(2, "name"), (2, "email"), (2, "rank")]


def test_an_empty_combined_name_names_both_columns():
    data = roster(",,ann@lakeshore.edu", header="First name,Last name,Email")

    assert row_problems(data) == [(2, "First name / Last name")]


def test_an_unknown_rank_lists_the_ranks_we_accept():
    (problem,) = read_roster("r.csv", roster("Ann Lee,ann@lakeshore.edu,Dean")).problems

    assert "Assistant professor" in problem.message
    assert "Postdoctoral researcher" in problem.message
    assert "leave it empty" in problem.message


def test_a_repeated_address_is_a_problem_on_the_later_row_naming_the_first():
    data = roster(
        "Ann Lee,ann@lakeshore.edu,Professor",
        "Ben Ode,ben@lakeshore.edu,Fellow",
        "Ann L.,ANN@lakeshore.edu ,Professor",
    )

    preview = read_roster("roster.csv", data)

    assert [row.line for row in preview.rows] == [2, 3]
    (problem,) = preview.problems
    assert (problem.line, problem.column) == (4, "email")
    assert "“ann@lakeshore.edu” is already on line 2" in problem.message


def test_a_repeat_of_a_row_with_other_problems_is_still_a_repeat():
    data = roster("Ann Lee,ann@lakeshore.edu,Chancellor", "Ann Lee,ann@lakeshore.edu,Professor")

    assert row_problems(data) == [(2, "rank"), (3, "email")]


def test_completely_blank_rows_are_skipped_silently():
    data = roster("", "Ann Lee,ann@lakeshore.edu,", ",,", "  ,\t, ", "Ben Ode,ben@lakeshore.edu,")

    preview = read_roster("roster.csv", data)

    assert [row.line for row in preview.rows] == [3, 6]
    assert preview.problems == []


def test_a_file_of_only_bad_rows_is_not_importable():
    preview = read_roster("roster.csv", roster(",ann@lakeshore.edu,"))

    assert preview.rows == []
    assert not preview.is_importable


# File problems ------------------------------------------------------------------------------


def test_missing_columns_are_named_along_with_the_headers_found():
    problem = only_problem(roster("Ann,Medicine", header="Person,Department"))

    assert (problem.line, problem.column) == (None, None)
    assert "no “name” or “email” column" in problem.message
    assert "The first row has: “Person”, “Department”" in problem.message


def test_only_the_missing_column_is_named():
    problem = only_problem(roster("Ann Lee,Medicine", header="Name,Department"))

    assert "no “email” column" in problem.message
    assert "“name”" not in problem.message.split(".")[0]


def test_a_first_name_without_a_last_name_column_is_no_name_column():
    problem = only_problem(roster("Ann,ann@lakeshore.edu", header="First name,Email"))

    assert "no “name” column" in problem.message


def test_a_fifty_megabyte_file_is_refused_before_it_is_read():
    problem = only_problem(bytes(50 * 1024 * 1024))

    assert "larger than 5 MB" in problem.message


def test_a_file_cut_short_at_the_limit_by_the_view_is_still_too_large():
    data = roster(*["Ann Lee,ann@lakeshore.edu,"] * (MAX_ROSTER_BYTES // 20))[
        : MAX_ROSTER_BYTES + 1
    ]

    assert "larger than 5 MB" in only_problem(data).message


@pytest.mark.parametrize(
    ("data", "filename", "what"),
    [
        (PDF_BYTES, "roster.pdf", "a PDF"),
        (PNG_BYTES, "roster.csv", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "photo.jpg", "a JPEG image"),
        (OLD_XLS_BYTES, "roster.xls", "an older Excel workbook"),
        (bytes(range(256)) * 4, "roster.csv", "not text"),
    ],
)
def test_a_file_that_is_not_a_roster_says_so(data, filename, what):
    problem = only_problem(data, filename)

    assert problem.message.startswith("This is not a CSV or XLSX file")
    assert what in problem.message
    assert "save or download it as CSV" in problem.message


def test_a_zip_that_is_not_a_workbook_is_not_a_roster():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")

    problem = only_problem(buffer.getvalue(), "roster.xlsx")

    assert problem.message.startswith("This is not a CSV or XLSX file")


def test_a_workbook_that_unpacks_to_far_more_than_a_roster_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", bytes(60 * 1024 * 1024))

    problem = only_problem(buffer.getvalue(), "roster.xlsx")

    assert "unpacks to 60 MB" in problem.message


def test_the_content_decides_the_format_not_the_name():
    as_xls = read_roster("roster.xls", csv_bytes([HEADER, ANN]))
    as_csv = read_roster("roster.csv", xlsx_bytes([HEADER, ANN]))

    assert as_xls.rows == as_csv.rows == [EXPECTED_ANN]


def test_too_many_rows_is_a_file_problem():
    rows = [f"Person {n},p{n}@lakeshore.edu," for n in range(MAX_ROSTER_ROWS + 1)]

    problem = only_problem(roster(*rows))

    assert "more than 5,000 people" in problem.message


def test_exactly_the_row_limit_is_accepted():
    rows = [f"Person {n},p{n}@lakeshore.edu," for n in range(MAX_ROSTER_ROWS)]

    assert len(read_roster("roster.csv", roster(*rows)).rows) == MAX_ROSTER_ROWS


@pytest.mark.parametrize("data", [b"", b"  \r\n\r\n", b",,,\n , ,\n"])
def test_an_empty_file_is_a_file_problem(data):
    message = only_problem(data).message

    assert "The file is empty" in message or "The file has no rows" in message


def test_a_header_with_nobody_below_it_is_a_file_problem():
    assert "nobody below it" in only_problem(roster(header="name,email")).message


def test_the_fingerprint_is_the_same_for_the_same_bytes_and_differs_otherwise():
    data = csv_bytes([HEADER, ANN, BEN])

    first, again = read_roster("a.csv", data), read_roster("renamed.csv", bytes(data))
    other = read_roster("a.csv", csv_bytes([HEADER, ANN]))

    assert first.fingerprint == again.fingerprint
    assert len(first.fingerprint) == 64
    assert other.fingerprint != first.fingerprint


# Nothing raises -----------------------------------------------------------------------------

ONE_LINE = st.characters(blacklist_characters="\r\n")
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data):
    preview = read_roster("upload", data)

    assert preview.rows or preview.problems


@FAST
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_after_a_zip_signature_never_raise(data):
    preview = read_roster("upload.xlsx", b"PK\x03\x04" + data)

    assert [problem.line for problem in preview.problems] == [None]


def stored_xlsx_bytes(rows: list[list[object]]) -> bytes:
    """A workbook whose parts are not compressed, so a damaged byte reaches the XML parser."""
    packed = zipfile.ZipFile(io.BytesIO(xlsx_bytes(rows)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for member in packed.infolist():
            archive.writestr(member.filename, packed.read(member))
    return buffer.getvalue()


DAMAGEABLE_XLSX = stored_xlsx_bytes([HEADER, ANN, BEN])


@FAST
@given(st.integers(0, len(DAMAGEABLE_XLSX) - 1), st.integers(0, 255))
def test_a_damaged_workbook_never_raises(position, value):
    data = bytearray(DAMAGEABLE_XLSX)
    data[position] = value

    preview = read_roster("upload.xlsx", bytes(data))

    assert preview.rows or preview.problems


@FAST
@given(st.lists(st.lists(st.text(ONE_LINE, max_size=30), max_size=8), max_size=20))
def test_arbitrary_cells_under_a_good_header_never_raise(rows):
    text = "\n".join(",".join(cells) for cells in [HEADER, *rows])

    preview = read_roster("upload.csv", text.encode("utf-8", "surrogatepass"))

    assert len(preview.rows) <= len(rows)
    assert all(problem.line is None or problem.line >= 2 for problem in preview.problems)
