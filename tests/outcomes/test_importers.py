"""Reading BibTeX, RIS, PubMed and ORCID files: good files, broken entries reported with
their line, and files that cannot be used at all. No database: importers are plain Python."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peerhaven.outcomes import importers
from peerhaven.outcomes.importers import UnreadableFile, parse_file
from peerhaven.outcomes.models import Achievement

FILES = Path(__file__).parent / "files"


def read(name: str, **kwargs):
    return parse_file((FILES / name).read_bytes(), filename=name, **kwargs)


def titles(parsed) -> list[str]:
    return [entry.title for entry in parsed.entries]


def test_every_guessed_kind_is_an_achievement_kind():
    kinds = {
        *importers.BIBTEX_KINDS.values(),
        *importers.RIS_KINDS.values(),
        *importers.ORCID_KINDS.values(),
        importers.POSTER,
        importers.INVITED_TALK,
    }
    assert kinds <= set(Achievement.Kind.values)
    assert set(importers.FORMATS) <= set(Achievement.Source.values)


# BibTeX -------------------------------------------------------------------------------------


def test_bibtex_reads_entries_and_guesses_kinds():
    parsed = read("publications.bib")
    assert parsed.format == "bibtex"
    first = parsed.entries[0]
    # LaTeX braces are gone; the DOI is kept as written for achievements.py to normalise.
    assert first.title == "Peer Mentoring Circles for New Faculty: A Pilot"
    assert (first.year, first.month, first.day) == (2021, 3, None)
    assert first.venue == "Journal of Faculty Development"
    assert first.doi == "https://doi.org/10.1000/JFD.2021.001"
    assert first.pmid == "33000001"
    assert first.details == "Adams, Alice; Baker, Bob"
    kinds = {entry.title: entry.kind for entry in parsed.entries}
    assert kinds["Mentoring Across Ranks"] == "book_chapter"
    assert kinds["Poster: Every Other Thursday in a Surgical Department"] == "poster"
    assert kinds["What Peer Groups Talk About"] == "abstract"


def test_bibtex_broken_entries_are_named_with_their_line_and_the_rest_is_read():
    parsed = read("publications.bib")
    assert [str(problem) for problem in parsed.problems] == [
        "Entry 3 (line 20): could not be read: a brace or quote is not closed, so it was left out",
        "Entry 7 (line 43): no title",
    ]
    assert [entry.number for entry in parsed.entries] == [1, 2, 4, 5, 6]


def test_bibtex_latex_accents_biblatex_dates_and_missing_year():
    text = r"""
@article{one, title = {Mentoring in M{\"u}nchen}, date = {2020-07-14}, journaltitle = {J}}
@misc{two, title = {Invited talk: grand rounds}, year = {2018}}
@article{three, title = {No year here}}
@article{four, title = {Year nonsense}, year = {forthcoming}}
"""
    parsed = parse_file(text.encode(), filename="x.bib")
    one, two = parsed.entries
    assert one.title == "Mentoring in München"
    assert (one.year, one.month, one.day) == (2020, 7, 14)
    assert two.kind == "invited_talk"
    assert [str(p) for p in parsed.problems] == [
        "Entry 3 (line 4): no year (“No year here”)",
        "Entry 4 (line 5): the year “forthcoming” is not one we can use (“Year nonsense”)",
    ]


def test_bibtex_repeated_key_still_gives_the_entry():
    text = "@article{a, title={First}, year={2020}}\n@article{a, title={Second}, year={2021}}\n"
    parsed = parse_file(text.encode(), filename="x.bib")
    assert titles(parsed) == ["First", "Second"]


def test_bibtex_unknown_type_is_a_publication_with_a_note():
    parsed = parse_file(b"@techreport{r, title={A report}, year={2020}}", filename="x.bib")
    (entry,) = parsed.entries
    assert entry.kind == "publication"
    assert "check the kind" in entry.notes[0]


def test_long_titles_are_shortened_with_a_note():
    title = "word " * 200
    parsed = parse_file(f"@article{{a, title={{{title}}}, year={{2020}}}}".encode(), filename="a")
    (entry,) = parsed.entries
    assert len(entry.title) == importers.MAX_TITLE
    assert entry.title.endswith("…")
    assert entry.notes == ("title shortened to 500 characters",)


# RIS ----------------------------------------------------------------------------------------


def test_ris_reads_entries_and_guesses_kinds():
    parsed = read("publications.ris")
    assert parsed.format == "ris"
    first = parsed.entries[0]
    assert first.title == "Peer mentoring and burnout in academic medicine"
    assert (first.year, first.month, first.day) == (2022, 5, 14)
    assert first.venue == "Academic Medicine"
    assert first.doi == "10.1000/am.2022.14"
    assert first.details == "Adams, Alice; Baker, Bob"
    assert [entry.kind for entry in parsed.entries] == [
        "publication",
        "book_chapter",
        "poster",
        "abstract",
    ]
    assert [str(p) for p in parsed.problems] == ["Entry 4 (line 22): no title"]


def test_ris_record_without_end_line_ends_at_the_next_one():
    text = "TY  - JOUR\nTI  - First\nPY  - 2020\nTY  - JOUR\nTI  - Second\nPY  - 2021\nER  - \n"
    parsed = parse_file(text.encode(), filename="x.ris")
    assert titles(parsed) == ["First", "Second"]
    assert [entry.line for entry in parsed.entries] == [1, 4]


def test_ris_pmid_only_from_pubmed():
    text = (
        "TY  - JOUR\nTI  - From PubMed\nPY  - 2020\nAN  - 31234567\nDB  - PubMed\nER  - \n"
        "TY  - JOUR\nTI  - From elsewhere\nPY  - 2020\nAN  - 99887766\nDB  - Scopus\nER  - \n"
    )
    parsed = parse_file(text.encode(), filename="x.ris")
    assert [entry.pmid for entry in parsed.entries] == ["31234567", ""]


def test_ris_windows_line_endings_and_latin_1():
    text = "TY  - JOUR\r\nTI  - Résumé of mentoring\r\nPY  - 2020\r\nER  - \r\n"
    parsed = parse_file(text.encode("latin-1"), filename="x.ris")
    assert titles(parsed) == ["Résumé of mentoring"]
    assert parsed.encoding == "Windows-1252"


# PubMed -------------------------------------------------------------------------------------


def test_pubmed_reads_tagged_records_with_continuation_lines():
    parsed = read("publications.nbib")
    assert parsed.format == "pubmed"
    first = parsed.entries[0]
    assert first.title == (
        "Peer mentoring circles and promotion of women faculty: a retrospective cohort study"
    )
    assert (first.year, first.month, first.day) == (2021, 6, 3)
    assert first.venue == "Journal of general internal medicine"
    assert first.doi == "10.1000/JGIM.2021.77"
    assert first.pmid == "34000001"
    assert first.kind == "publication"
    second = parsed.entries[1]
    assert (second.kind, second.year, second.month, second.venue) == (
        "abstract",
        2020,
        3,
        "Acad Med",
    )
    assert [str(p) for p in parsed.problems] == ["Entry 3 (line 23): no title"]


# ORCID --------------------------------------------------------------------------------------


def test_orcid_works_summary_takes_the_preferred_version_of_each_work():
    parsed = read("works.json")
    assert parsed.format == "orcid"
    first = parsed.entries[0]
    assert first.title == "Peer mentoring in surgery: a randomised trial"
    assert (first.year, first.month) == (2023, 2)
    assert (first.doi, first.pmid) == ("10.1000/surg.2023.5", "35000005")
    assert first.venue == "Annals of Surgery"
    kinds = [(entry.title, entry.kind) for entry in parsed.entries]
    assert kinds == [
        ("Peer mentoring in surgery: a randomised trial", "publication"),
        ("Chapter on circles", "book_chapter"),
        ("Grand rounds on peer mentoring", "invited_talk"),
        ("A conference poster", "poster"),
    ]
    assert [str(p) for p in parsed.problems] == ["Entry 4 (line 49): no title"]


def test_orcid_part_of_doi_is_the_books_not_the_chapters():
    chapter = read("works.json").entries[1]
    assert chapter.doi == ""


def test_orcid_bulk_and_plain_lists():
    work = {
        "title": {"title": {"value": "Bulk work"}},
        "type": "conference-abstract",
        "publication-date": {"year": {"value": "2019"}, "month": {"value": "11"}},
        "external-ids": {
            "external-id": [{"external-id-type": "doi", "external-id-value": "10.1/b"}]
        },
    }
    bulk = json.dumps({"bulk": [{"work": work}, {"error": {"response-code": 404}}]})
    parsed = parse_file(bulk.encode(), filename="works.json")
    assert [(e.title, e.kind, e.doi) for e in parsed.entries] == [
        ("Bulk work", "abstract", "10.1/b")
    ]
    assert [p.message for p in parsed.problems] == ["no title"]
    plain = parse_file(json.dumps([work]).encode(), filename="w.json")
    assert titles(plain) == ["Bulk work"]


def test_orcid_invalid_json_is_refused_with_its_line():
    with pytest.raises(UnreadableFile, match=r"not valid JSON \(line 2\)"):
        parse_file(b'{"group": [\n  {oops}\n]}', filename="works.json")


# Whole files --------------------------------------------------------------------------------


def test_format_is_detected_from_content_before_the_name():
    ris = (FILES / "publications.ris").read_bytes()
    assert parse_file(ris, filename="download.txt").format == "ris"
    assert parse_file(ris, filename="").format == "ris"


def test_format_from_the_name_when_the_content_does_not_say():
    with pytest.raises(UnreadableFile, match="No entries were found in this file, read as BibTeX"):
        parse_file(b"% only a comment\n", filename="empty.bib")


def test_a_chosen_format_that_does_not_fit_says_which_would():
    with pytest.raises(UnreadableFile, match="It looks like RIS"):
        read("publications.ris", format="bibtex")


def test_unknown_content_and_name_is_refused():
    with pytest.raises(UnreadableFile, match="could not tell what kind of file"):
        parse_file(b"just some words\n", filename="notes")


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\xef\xbb\xbf\n"])
def test_empty_file(data):
    with pytest.raises(UnreadableFile, match=r"empty|No entries"):
        parse_file(data, filename="x.bib")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n" + bytes(range(256)), "looks like a PDF"),
        (b"PK\x03\x04" + b"\x00" * 100, "ZIP archive or an Office document"),
        (b"@article{x,\x00\x01\x02\x03 binary}", "not a text file"),
        (bytes(range(256)) * 40, "not a text file"),
    ],
)
def test_binary_files_are_refused_whatever_format_is_chosen(data, message):
    with pytest.raises(UnreadableFile, match=message):
        parse_file(data, filename="publications.bib", format="bibtex")


def test_huge_file_is_refused_before_parsing_with_the_limit_named():
    data = (FILES / "publications.ris").read_bytes() * (20 * 1024 * 1024 // 500)
    assert len(data) > 20 * 1024 * 1024 * 0.9
    with pytest.raises(UnreadableFile, match="larger than 5 MB"):
        parse_file(data, filename="huge.ris")


def test_too_many_entries():
    entry = "@article{{k{0}, title={{Title {0}}}, year={{2020}}}}\n"
    text = "".join(entry.format(i) for i in range(importers.MAX_ENTRIES + 1))
    with pytest.raises(UnreadableFile, match="at most 2,000"):
        parse_file(text.encode(), filename="x.bib")


def test_utf8_with_bom_and_utf16():
    text = "TY  - JOUR\nTI  - Ärztinnen mentoring\nPY  - 2020\nER  - \n"
    assert titles(parse_file(b"\xef\xbb\xbf" + text.encode(), filename="a.ris")) == [
        "Ärztinnen mentoring"
    ]
    parsed = parse_file(text.encode("utf-16"), filename="a.ris")
    assert titles(parsed) == ["Ärztinnen mentoring"]
    assert parsed.encoding == "UTF-16"


def test_fingerprint_depends_on_content_and_format():
    data = (FILES / "publications.bib").read_bytes()
    assert parse_file(data).fingerprint == parse_file(data, filename="other.bib").fingerprint
    assert parse_file(data).fingerprint != parse_file(data + b"\n").fingerprint
