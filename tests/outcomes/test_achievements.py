"""A member's achievements log: identifiers, duplicates, the import preview and confirm,
editing by hand, sharing, and that nobody else reaches the log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peerhaven.outcomes import achievements
from peerhaven.outcomes.achievements import (
    build_preview,
    candidate,
    do_import_achievements,
    normalise_doi,
    normalise_pmid,
    title_key,
)
from peerhaven.outcomes.importers import parse_file
from peerhaven.outcomes.models import Achievement

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"


def add(user, title, year=2021, **fields):
    fields.setdefault("kind", Achievement.Kind.PUBLICATION)
    return Achievement.objects.create(
        user=user, title=title, title_key=title_key(title), date=dt.date(year, 1, 1), **fields
    )


def upload(client, name, data=None, format="auto"):
    data = (FILES / name).read_bytes() if data is None else data
    file = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(reverse("outcomes:achievement_import"), {"file": file, "format": format})


def fingerprint_of(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"].rstrip("/").split("/")[-1]


def confirm(client, fingerprint, sharing="aggregate"):
    url = reverse("outcomes:achievement_import_confirm", args=[fingerprint])
    return client.post(url, {"sharing": sharing})


# Identifiers and keys -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "doi"),
    [
        ("10.1000/ABC.1", "10.1000/abc.1"),
        ("https://doi.org/10.1000/ABC.1", "10.1000/abc.1"),
        ("http://dx.doi.org/10.1000/abc.1 ", "10.1000/abc.1"),
        ("doi: 10.1000/abc.1", "10.1000/abc.1"),
        ("not a doi", ""),
        ("", ""),
    ],
)
def test_normalise_doi(value, doi):
    assert normalise_doi(value) == doi


def test_normalise_pmid_and_title_key():
    assert normalise_pmid("PMID: 12345678") == "12345678"
    assert normalise_pmid("12a") == ""
    assert title_key("Peer Mentoring: A Pilot!") == title_key("peer mentoring   a pilot")
    assert title_key("Ärztinnen — Mentoring") == "arztinnen mentoring"


# The preview ------------------------------------------------------------------------------


def test_preview_separates_new_known_and_broken_entries(alice):
    add(alice, "Mentoring across ranks", 2020)  # same title and year as entry 2
    add(alice, "Something else", 2019, doi="10.1000/jfd.2021.001")  # same DOI as entry 1
    preview = build_preview(alice, parse_file((FILES / "publications.bib").read_bytes()))
    assert [c.title for c in preview.to_add] == [
        "Poster: Every Other Thursday in a Surgical Department",
        "What Peer Groups Talk About",
    ]
    reasons = {d.candidate.number: d.reason for d in preview.duplicates}
    assert reasons == {
        1: "same DOI as “Something else” in your log",
        2: "same title and year as “Mentoring across ranks” in your log",
        6: "same title and year as entry 1 of this file",
    }
    assert [p.number for p in preview.problems] == [3, 7]


def test_duplicates_by_pmid_within_a_file(alice):
    preview = build_preview(alice, parse_file((FILES / "publications.nbib").read_bytes()))
    assert [c.pmid for c in preview.to_add] == ["34000001", "34000002"]
    (duplicate,) = preview.duplicates
    assert duplicate.reason == "same PMID as entry 1 of this file"


def test_same_title_and_year_with_different_dois_are_two_works(alice):
    add(alice, "Annual report", 2020, doi="10.1000/a")
    text = b"@article{x, title={Annual Report}, year={2020}, doi={10.1000/b}}"
    preview = build_preview(alice, parse_file(text, filename="x.bib"))
    assert len(preview.to_add) == 1


def test_other_members_logs_are_not_duplicates(alice, bob):
    add(bob, "Mentoring across ranks", 2020)
    preview = build_preview(alice, parse_file((FILES / "publications.bib").read_bytes()))
    assert "Mentoring Across Ranks" in [c.title for c in preview.to_add]


def test_candidate_date_precision():
    parsed = parse_file((FILES / "publications.ris").read_bytes())
    first, second = (candidate(e) for e in parsed.entries[:2])
    assert (first.date, first.date_precision) == (dt.date(2022, 5, 14), "day")
    assert (second.date, second.date_precision) == (dt.date(2021, 1, 1), "year")


# Importing ----------------------------------------------------------------------------------


def test_import_is_idempotent(alice):
    parsed = parse_file((FILES / "works.json").read_bytes())
    candidates = [candidate(e) for e in parsed.entries]
    first = do_import_achievements(candidates, source="orcid", acting_user=alice)
    again = do_import_achievements(candidates, source="orcid", acting_user=alice)
    assert (first.added, first.already_there) == (4, 0)
    assert (again.added, again.already_there) == (0, 4)
    saved = Achievement.objects.get(user=alice, doi="10.1000/surg.2023.5")
    assert (saved.pmid, saved.source, saved.sharing) == ("35000005", "orcid", "aggregate")
    assert saved.date_precision == "month"
    assert saved.title_key == "peer mentoring in surgery a randomised trial"


def test_upload_preview_confirm_and_reimport(client_for, alice):
    client = client_for(alice)
    response = upload(client, "publications.bib")
    fingerprint = fingerprint_of(response)
    page = client.get(response["Location"]).content.decode()
    assert "To be added: 4" in page
    assert "Entry 3 (line 20): could not be read" in page
    assert "Entry 7 (line 43): no title" in page
    assert "same title and year as entry 1 of this file" in page
    assert Achievement.objects.filter(user=alice).count() == 0  # nothing before confirming

    done = confirm(client, fingerprint, sharing="private")
    assert done.status_code == 302
    assert done["Location"] == reverse("outcomes:achievements")
    log = Achievement.objects.filter(user=alice)
    assert log.count() == 4
    assert set(log.values_list("sharing", flat=True)) == {"private"}
    assert set(log.values_list("source", flat=True)) == {"bibtex"}
    kinds = dict(log.values_list("title", "kind"))
    assert kinds["Poster: Every Other Thursday in a Surgical Department"] == "poster"
    assert log.get(kind="publication").doi == "10.1000/jfd.2021.001"

    # The same file again: all of it is recognised, and confirming adds nothing.
    again = upload(client, "publications.bib")
    page = client.get(again["Location"]).content.decode()
    assert "To be added: 0" in page
    assert "Already in your log: 5" in page
    confirm(client, fingerprint_of(again))
    assert log.count() == 4


def test_double_confirm_adds_nothing_the_second_time(client_for, alice):
    client = client_for(alice)
    fingerprint = fingerprint_of(upload(client, "publications.ris"))
    confirm(client, fingerprint)
    second = confirm(client, fingerprint)
    assert second.status_code == 302
    assert Achievement.objects.filter(user=alice).count() == 3
    followed = client.get(second["Location"]).content.decode()
    assert "Nothing more to add" in followed


def test_confirm_adds_only_what_is_still_missing(client_for, alice):
    """Entries added by hand between preview and confirm are not added twice."""
    client = client_for(alice)
    fingerprint = fingerprint_of(upload(client, "publications.ris"))
    add(alice, "Circles that last", 2021)
    confirm(client, fingerprint)
    assert Achievement.objects.filter(user=alice, title_key="circles that last").count() == 1
    assert Achievement.objects.filter(user=alice).count() == 3


def test_another_members_preview_cannot_be_confirmed(client_for, alice, bob):
    fingerprint = fingerprint_of(upload(client_for(alice), "publications.ris"))
    response = confirm(client_for(bob), fingerprint)
    assert response.status_code == 302
    assert Achievement.objects.count() == 0
    preview = client_for(bob).get(
        reverse("outcomes:achievement_import_preview", args=[fingerprint])
    )
    assert preview["Location"] == reverse("outcomes:achievement_import")


def test_tampered_sharing_on_confirm_adds_nothing(client_for, alice):
    client = client_for(alice)
    fingerprint = fingerprint_of(upload(client, "publications.ris"))
    confirm(client, fingerprint, sharing="everyone")
    assert Achievement.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data", "format", "message"),
    [
        ("paper.bib", b"%PDF-1.4\n\x00\x01binary", "bibtex", "it looks like a PDF"),
        ("paper.bib", bytes(range(256)) * 10, "bibtex", "This is not a text file"),
        ("empty.ris", b"", "auto", "file is empty"),
        ("nothing.bib", b"% a comment only\n", "auto", "No entries were found"),
        ("pubs.ris", None, "bibtex", "It looks like RIS"),
    ],
)
def test_bad_files_are_refused_clearly_and_nothing_is_saved(
    client_for, alice, name, data, format, message
):
    if data is None:
        data = (FILES / "publications.ris").read_bytes()
    response = upload(client_for(alice), name, data, format)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Achievement.objects.count() == 0


def test_a_20_mb_file_is_refused_with_the_limit_named(client_for, alice):
    huge = (FILES / "publications.ris").read_bytes() * (20 * 1024 * 1024 // 500)
    assert len(huge) >= 20 * 1024 * 1024
    response = upload(client_for(alice), "huge.ris", huge)
    assert response.status_code == 200
    assert "The file is larger than 5 MB" in response.content.decode()
    assert Achievement.objects.count() == 0


def test_no_file_chosen(client_for, alice):
    response = client_for(alice).post(reverse("outcomes:achievement_import"), {"format": "auto"})
    assert "Choose a file to import." in response.content.decode()


def test_upload_is_csrf_protected(alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = upload(client, "publications.ris")
    assert response.status_code == 403


def test_expired_preview(client_for, alice):
    url = reverse("outcomes:achievement_import_preview", args=["0" * 64])
    response = client_for(alice).get(url)
    assert response["Location"] == reverse("outcomes:achievement_import")


# The log by hand ------------------------------------------------------------------------------


def test_add_edit_and_delete_by_hand(client_for, alice):
    client = client_for(alice)
    data = {
        "kind": "grant_awarded",
        "title": "K23 career development award",
        "date": "2024-07-01",
        "date_precision": "month",
        "venue": "NIH",
        "details": "",
        "doi": "",
        "pmid": "",
        "sharing": "aggregate",
    }
    assert client.post(reverse("outcomes:achievement_add"), data).status_code == 302
    grant = Achievement.objects.get(user=alice)
    assert grant.title_key == "k23 career development award"
    page = client.get(reverse("outcomes:achievements")).content.decode()
    assert "K23 career development award" in page
    assert "July 2024" in page

    edit = reverse("outcomes:achievement_edit", args=[grant.pk])
    assert (
        client.post(edit, {**data, "title": "K23 award", "sharing": "private"}).status_code == 302
    )
    grant.refresh_from_db()
    assert (grant.title, grant.title_key, grant.sharing) == ("K23 award", "k23 award", "private")

    client.post(reverse("outcomes:achievement_delete", args=[grant.pk]))
    assert not Achievement.objects.filter(pk=grant.pk).exists()


def test_form_refuses_a_second_achievement_with_the_same_doi(client_for, alice):
    add(alice, "First", doi="10.1000/x")
    response = client_for(alice).post(
        reverse("outcomes:achievement_add"),
        {
            "kind": "publication",
            "title": "Second",
            "date": "2020-01-01",
            "date_precision": "year",
            "doi": "https://doi.org/10.1000/X",
            "sharing": "aggregate",
        },
    )
    assert response.status_code == 200
    assert "already has an achievement with this DOI" in response.content.decode()
    assert Achievement.objects.count() == 1


def test_over_long_title_is_refused_by_the_form(client_for, alice):
    response = client_for(alice).post(
        reverse("outcomes:achievement_add"),
        {
            "kind": "award",
            "title": "x" * 501,
            "date": "2020-01-01",
            "date_precision": "day",
            "sharing": "aggregate",
        },
    )
    assert response.status_code == 200
    assert Achievement.objects.count() == 0


@pytest.mark.parametrize("person", ["alice", "dana", "sam"])
def test_another_members_achievement_does_not_exist_for_anyone_else(
    request, client_for, sample_outcomes, person
):
    """Bob's achievement: 404 for a peer, his program's coordinator and a site admin."""
    bobs = sample_outcomes["achievement"]
    client = client_for(request.getfixturevalue(person))
    assert client.get(reverse("outcomes:achievement_edit", args=[bobs.pk])).status_code == 404
    delete = reverse("outcomes:achievement_delete", args=[bobs.pk])
    assert client.post(delete).status_code == 404
    assert Achievement.objects.filter(pk=bobs.pk).exists()
    assert bobs.title not in client.get(reverse("outcomes:achievements")).content.decode()


def test_sharing_for_all_at_once(client_for, alice, bob):
    add(alice, "One")
    add(alice, "Two", sharing="private")
    add(bob, "Bob's")
    response = client_for(alice).post(
        reverse("outcomes:achievement_sharing"), {"sharing": "private"}
    )
    assert response.status_code == 302
    assert set(Achievement.objects.filter(user=alice).values_list("sharing", flat=True)) == {
        "private"
    }
    assert Achievement.objects.get(user=bob).sharing == "aggregate"
    bad = client_for(alice).post(reverse("outcomes:achievement_sharing"), {"sharing": "public"})
    assert bad.status_code == 302
    assert Achievement.objects.get(user=bob).sharing == "aggregate"


def test_list_groups_by_year_newest_first_and_filters_by_kind(client_for, alice):
    add(alice, "Old paper", 2019)
    add(alice, "New paper", 2023)
    add(alice, "A poster", 2021, kind="poster", date_precision="year")
    client = client_for(alice)
    page = client.get(reverse("outcomes:achievements")).content.decode()
    assert page.index(">2023<") < page.index(">2021<") < page.index(">2019<")
    assert "Peer-reviewed publication (2)" in page
    assert "Poster (1)" in page
    posters = client.get(reverse("outcomes:achievements"), {"kind": "poster"}).content.decode()
    assert "A poster" in posters
    assert "Old paper" not in posters
    junk = client.get(reverse("outcomes:achievements"), {"kind": "nonsense"})
    assert junk.status_code == 200
    assert "Old paper" in junk.content.decode()


def test_navigation_has_achievements(client_for, alice):
    page = client_for(alice).get(reverse("outcomes:achievements")).content.decode()
    assert f'href="{reverse("outcomes:achievements")}" aria-current="page">Achievements' in page
    assert reverse("outcomes:record") in page


def test_list_query_count_does_not_grow(client_for, alice, django_assert_num_queries):
    for year in range(2010, 2025):
        for kind in ("publication", "poster", "award"):
            add(alice, f"{kind} {year}", year, kind=kind, doi=f"10.1/{kind}{year}")
    client = client_for(alice)
    with django_assert_num_queries(8):  # session, user, profile, counts, rows, session save
        response = client.get(reverse("outcomes:achievements"))
    assert response.status_code == 200
    assert response.content.decode().count(">Edit<span") == 45


def test_achievements_module_never_reads_another_log(alice, bob):
    add(bob, "Bob's", doi="10.1/b")
    assert list(achievements.achievements_of(alice)) == []


def test_the_browser_journey_file_has_one_broken_entry(client_for, alice):
    """tests/outcomes/files/journey.bib, for the browser journey: three good entries and one
    whose brace is never closed."""
    client = client_for(alice)
    response = upload(client, "journey.bib")
    page = client.get(response["Location"]).content.decode()
    assert "To be added: 3" in page
    assert "Entry 3 (line 17): could not be read" in page
    confirm(client, fingerprint_of(response))
    assert Achievement.objects.filter(user=alice).count() == 3
