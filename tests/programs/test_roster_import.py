from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peerhaven.programs.models import Enrollment

pytestmark = pytest.mark.django_db

ROSTER = (
    "name,email,rank,department\n"
    "Aisha Abara,aisha@example.org,Assistant Professor,Medicine\n"
    "Ben Chen,ben@example.org,Associate Professor,Surgery\n"
    "Bad Row,not-an-address,Professor,Radiology\n"
    "Carmen Diaz,carmen@example.org,Chancellor,Pediatrics\n"
)


@pytest.fixture
def program(sample_program):
    return sample_program["program"]


def upload(client, program, content: bytes, name="roster.csv"):
    return client.post(
        reverse("programs:roster", args=[program.pk]),
        {"roster": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def confirm(client, program, preview):
    return client.post(
        reverse("programs:roster_confirm", args=[program.pk]),
        {"fingerprint": preview.fingerprint},
    )


def test_preview_lists_problems_by_line_and_creates_nothing(client_for, dana, program):
    response = upload(client_for(dana), program, ROSTER.encode())
    preview = response.context["preview"]
    assert [row.email for row in preview.rows] == ["aisha@example.org", "ben@example.org"]
    assert {(p.line, p.column) for p in preview.problems} == {(4, "email"), (5, "rank")}
    page = response.content.decode()
    assert "Line 4, column “email”" in page
    assert "Invite 2 people" in page
    assert program.enrollments.count() == 1  # only bob, from the fixture


def test_confirming_invites_each_new_person_once(
    client_for, dana, program, django_capture_on_commit_callbacks
):
    client = client_for(dana)
    preview = upload(client, program, ROSTER.encode()).context["preview"]
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, program, preview)
    assert response.url == reverse("programs:enrollments", args=[program.pk])
    invited = program.enrollments.filter(state=Enrollment.State.INVITED)
    assert sorted(invited.values_list("email", flat=True)) == [
        "aisha@example.org",
        "ben@example.org",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["aisha@example.org", "ben@example.org"]
    assert invited.get(email="ben@example.org").answers["roster"]["career_stage"] == (
        "associate_professor"
    )

    mail.outbox.clear()
    preview = upload(client, program, ROSTER.encode()).context["preview"]
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, program, preview)
    assert program.enrollments.count() == 3  # bob + the two: nobody twice
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.7 not a roster", "roster.pdf", "not a CSV or XLSX file"),
        (b"full name,rank\nAisha,Professor\n", "roster.csv", "email"),
        (b"x" * (6 * 1024 * 1024), "big.csv", "5 MB"),
    ],
)
def test_unusable_files_get_a_clear_message(client_for, dana, program, content, name, message):
    response = upload(client_for(dana), program, content, name)
    preview = response.context["preview"]
    assert not preview.is_importable
    assert message in " ".join(p.message for p in preview.problems)
    assert "Invite" not in response.content.decode().split("Preview")[-1]
    assert program.enrollments.count() == 1


def test_an_expired_or_forged_preview_creates_nothing(client_for, dana, program):
    response = client_for(dana).post(
        reverse("programs:roster_confirm", args=[program.pk]), {"fingerprint": "forged"}
    )
    assert response.url == reverse("programs:roster", args=[program.pk])
    assert program.enrollments.count() == 1
