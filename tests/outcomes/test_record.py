"""The mentoring record: circles with years, role and meetings attended out of held,
programs with the member's role, moderation, nominations and achievement counts — as a page
and as a PDF — and never anything written inside a circle."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from peerhaven.circles.models import Ask, Attendance, Meeting, Membership, Message, Note
from peerhaven.outcomes.models import Achievement
from peerhaven.outcomes.record import build_record
from peerhaven.programs.actions import do_create_program
from peerhaven.programs.models import Enrollment, ProgramCircle
from tests.conftest import make_circle, make_member

pytestmark = pytest.mark.django_db

SECRET_ASK = "Should I leave my chair canary-ask-7731"
SECRET_NOTE = "Talk to the dean first canary-note-7731"
SECRET_MESSAGE = "My divorce canary-message-7731"


def meeting(circle, days_ago: int, **fields) -> Meeting:
    start = timezone.now() - dt.timedelta(days=days_ago)
    return Meeting.objects.create(
        circle=circle, series_start=start, starts_at=start, ends_at=start + dt.timedelta(hours=1),
        **fields,
    )  # fmt: skip


@pytest.fixture
def alices_history(alice, bob, carol, dana, lakeshore):
    """Alice convenes a program circle that met four times (she came to three; one more was
    cancelled), and was a member of a second circle she left after one meeting. Circle
    content holds canary text that must never reach the record."""
    long_ago = timezone.now() - dt.timedelta(days=400)
    thursday = make_circle(alice, [bob], name="Thursday Circle", organization=lakeshore)
    Membership.objects.filter(circle=thursday).update(joined_at=long_ago)
    meetings = [meeting(thursday, days) for days in (300, 200, 100, 10)]
    meeting(thursday, 50, status=Meeting.Status.CANCELLED)
    meeting(thursday, -7)  # not held yet
    for held, status in zip(meetings, ["present", "present", "absent", "present"], strict=True):
        Attendance.objects.create(meeting=held, user=alice, status=status)
        Attendance.objects.create(meeting=held, user=bob, status="present")
    ask = Ask.objects.create(circle=thursday, author=alice, meeting=meetings[0], title=SECRET_ASK)
    Note.objects.create(ask=ask, author=bob, text=SECRET_NOTE)
    Message.objects.create(circle=thursday, author=alice, body=SECRET_MESSAGE)

    program = do_create_program(
        acting_user=dana, organization=lakeshore, name="Women in Medicine Circles",
        starts_on=dt.date(2025, 9, 1),
    )  # fmt: skip
    ProgramCircle.objects.create(program=program, circle=thursday, label="G1")
    Enrollment.objects.create(
        program=program, user=alice, email=alice.email, name="Alice", state="accepted"
    )
    mentoring = do_create_program(
        acting_user=dana, organization=lakeshore, name="New Faculty Pairs",
        starts_on=dt.date(2026, 1, 10), facilitators=[alice],
    )  # fmt: skip

    writing = make_circle(carol, [alice], name="Writing Accountability")
    Membership.objects.filter(circle=writing).update(joined_at=long_ago)
    first = meeting(writing, 350)
    Attendance.objects.create(meeting=first, user=alice, status="present")
    Membership.objects.filter(circle=writing, user=alice).update(
        state=Membership.State.LEFT, left_at=timezone.now() - dt.timedelta(days=340)
    )
    meeting(writing, 100)  # after she left: not hers

    for year, kind, title in [
        (2023, "publication", "Paper A"),
        (2023, "publication", "Paper B"),
        (2024, "poster", "Poster A"),
        (2025, "nomination_received", "Nominated for the Society's Mentoring Award"),
        (2025, "publication", "Paper C private"),
    ]:
        Achievement.objects.create(
            user=alice, kind=kind, title=title, title_key=title.lower(),
            date=dt.date(year, 5, 1), sharing="private" if "private" in title else "aggregate",
        )  # fmt: skip
    Achievement.objects.create(
        user=bob, kind="publication", title="Bob's paper", title_key="bob", date=dt.date(2024, 1, 1)
    )
    return {"thursday": thursday, "writing": writing, "program": program, "pairs": mentoring}


def test_record_counts_and_roles(alice, alices_history):
    record = build_record(alice)
    circles = {row["name"]: row for row in record["circles"]}
    thursday = circles["Thursday Circle"]
    assert (thursday["role"], thursday["attended"], thursday["held"]) == ("Convener", 3, 4)
    assert thursday["program"] == "Women in Medicine Circles"
    assert thursday["years"].endswith("–present")
    writing = circles["Writing Accountability"]
    assert (writing["role"], writing["attended"], writing["held"]) == ("Member", 1, 1)
    assert "present" not in writing["years"]
    programs = [(row["name"], row["role"]) for row in record["programs"]]
    assert programs == [
        ("New Faculty Pairs", "Facilitator"),
        ("Women in Medicine Circles", "Participant"),
    ]
    assert [n.title for n in record["nominations"]] == [
        "Nominated for the Society's Mentoring Award"
    ]
    table = record["achievement_table"]
    assert table["years"] == [2023, 2024, 2025]
    rows = {row["label"]: row["cells"] for row in table["rows"]}
    assert rows["Peer-reviewed publication"] == [2, 0, 1]
    assert rows["Poster"] == [0, 1, 0]
    assert table["grand_total"] == 5  # Bob's paper is not Alice's


def test_record_query_count_does_not_grow_with_circles(
    alice, alices_history, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        build_record(alice)


def test_record_page(client_for, alice, alices_history):
    page = client_for(alice).get(reverse("outcomes:record")).content.decode()
    assert "Mentoring record: Alice Adams" in page
    assert "Thursday Circle" in page
    assert "3 of 4" in page
    assert "Circle names are shown because this is your own record" in page
    assert "Facilitator" in page
    assert "Participant" in page
    for secret in (SECRET_ASK, SECRET_NOTE, SECRET_MESSAGE):
        assert secret not in page


def test_record_page_without_circle_names(client_for, alice, alices_history):
    url = reverse("outcomes:record")
    page = client_for(alice).get(url, {"circle_names": "hidden"}).content.decode()
    assert "Thursday Circle" not in page
    assert "Writing Accountability" not in page
    assert "Circle 1" in page
    assert "Show circle names" in page


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_record_pdf(client_for, alice, alices_history):
    response = client_for(alice).get(reverse("outcomes:record_pdf"))
    assert response.status_code == 200
    assert 'filename="mentoring-record-alice-adams.pdf"' in response["Content-Disposition"]
    text = " ".join(pdf_text(response).split())
    assert "Mentoring record: Alice Adams" in text
    assert "Thursday Circle" in text
    assert "3 of 4" in text
    assert "Writing Accountability" in text
    assert "1 of 1" in text
    assert "New Faculty Pairs" in text
    assert "Facilitator" in text
    assert "Nominated for the Society's Mentoring Award" in text
    assert "Peer-reviewed publication 2 0 1 3" in text
    for secret in ("canary-ask", "canary-note", "canary-message", "Bob's paper"):
        assert secret not in text


def test_record_pdf_without_circle_names(client_for, alice, alices_history):
    url = reverse("outcomes:record_pdf")
    text = pdf_text(client_for(alice).get(url, {"circle_names": "hidden"}))
    assert "Thursday Circle" not in text
    assert "Circle 1" in text


def test_empty_record(client_for, erin):
    page = client_for(erin).get(reverse("outcomes:record")).content.decode()
    assert "No circles yet." in page
    assert "No achievements recorded." in page


def test_record_is_only_ever_ones_own(client_for, bob, dana, alice, alices_history):
    """There is no record URL for another member: staff and peers see their own."""
    for person in (bob, dana):
        page = client_for(person).get(reverse("outcomes:record")).content.decode()
        assert "Alice Adams" not in page.split("<main", 1)[1]
        assert "Nominated for the Society" not in page


def test_nominations_put_forward_on_peerhaven_are_on_the_record(
    client_for, bob, sample_sponsorship
):
    """Bob's accepted, submitted nomination is on his record; one he has not answered, one
    he declined and a draft are not; "selected" is said, "not selected" is not."""
    from peerhaven.sponsorship.models import Nomination

    nomination = sample_sponsorship["nomination"]
    circle_only = sample_sponsorship["circle_opportunity"]
    for response, status in (("pending", "draft"), ("declined", "draft"), ("accepted", "draft")):
        Nomination.objects.create(
            opportunity=circle_only,
            nominee=bob,
            nominator=make_member(f"{response}{status}@example.org", "Someone"),
            response=response,
            status=status,
        )
    page = client_for(bob).get(reverse("outcomes:record")).content.decode()
    assert "Lakeshore Early Career Award, Lakeshore University" in page
    assert "Canary circle-only plenary" not in page
    Nomination.objects.filter(pk=nomination.pk).update(status="not_selected")
    assert "not selected" not in client_for(bob).get(reverse("outcomes:record")).content.decode()
    Nomination.objects.filter(pk=nomination.pk).update(status="selected")
    page = client_for(bob).get(reverse("outcomes:record")).content.decode()
    assert "Lakeshore Early Career Award, Lakeshore University" in page
    assert " — selected" in page


def test_a_circle_only_nomination_is_unnamed_when_circle_names_are_left_out(
    client_for, alice, bob, sample_sponsorship
):
    from peerhaven.sponsorship.models import Nomination

    Nomination.objects.create(
        opportunity=sample_sponsorship["circle_opportunity"],
        nominee=bob,
        nominator=alice,
        response="accepted",
        status="submitted",
    )
    url = reverse("outcomes:record")
    assert "Canary circle-only plenary" in client_for(bob).get(url).content.decode()
    hidden = client_for(bob).get(url, {"circle_names": "hidden"}).content.decode()
    assert "Canary circle-only plenary" not in hidden
    assert "An opportunity shared in a circle" in hidden
