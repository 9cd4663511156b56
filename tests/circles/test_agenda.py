"""Asks and the agenda: fair rotation, time boxes, the convener's reordering, meeting mode
(htmx) and the prompt to report back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from peerhaven.circles import meeting_actions
from peerhaven.circles.models import ActionItem, AgendaItem, Ask, Note
from tests.circles.conftest import flash, future_meeting, membership_of, past_meeting
from tests.conftest import make_circle

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def circle(alice, bob, carol, frank):
    return make_circle(alice, [bob, carol, frank])


@pytest.fixture
def meeting(circle):
    return future_meeting(circle, days_ahead=3)


def submit(circle, user, title) -> Ask:
    return meeting_actions.do_submit_ask(membership_of(circle, user), title=title)


def presented(circle, user, days_ago):
    when = timezone.now() - dt.timedelta(days=days_ago)
    Ask.objects.create(circle=circle, author=user, title="Earlier ask", presented_at=when)


def agenda_authors(meeting) -> list[str]:
    return [item.ask.author.email.split("@")[0] for item in meeting.agenda.select_related("ask")]


def test_rotation_puts_never_presented_first_then_least_recent(
    circle, meeting, alice, bob, carol, frank
):
    presented(circle, bob, days_ago=21)
    presented(circle, alice, days_ago=7)
    presented(circle, bob, days_ago=35)  # bob's latest turn counts, not his first
    for person in (alice, bob, frank, carol):
        submit(circle, person, f"{person.email} asks")
    assert agenda_authors(meeting) == ["frank", "carol", "bob", "alice"]
    assert list(meeting.agenda.values_list("position", flat=True)) == [1, 2, 3, 4]


def test_asks_wait_for_a_meeting_and_join_the_next_one_scheduled(circle, bob):
    ask = submit(circle, bob, "Before any meeting")
    assert ask.meeting is None
    meeting = future_meeting(circle, days_ahead=5)
    meeting_actions.schedule_meetings(circle)  # no cadence yet: nothing scheduled ...
    meeting_actions.do_submit_ask(membership_of(circle, bob), title="Second")
    ask.refresh_from_db()
    assert ask.meeting == meeting  # ... but a new ask pulls the waiting one along


def test_time_boxes_split_the_meeting_after_check_in(circle, meeting, alice, bob, carol):
    submit(circle, alice, "One")
    assert meeting_actions.checkin_minutes(meeting) == 8  # 2 minutes for each of 4
    assert list(meeting.agenda.values_list("minutes", flat=True)) == [52]
    submit(circle, bob, "Two")
    submit(circle, carol, "Three")
    assert list(meeting.agenda.values_list("minutes", flat=True)) == [17, 17, 17]


def test_time_boxes_never_shrink_below_five_minutes(circle, alice):
    short = future_meeting(circle, days_ahead=1, minutes=15)
    assert meeting_actions.presenter_minutes(short, 4) == 5
    assert meeting_actions.presenter_minutes(short, 0) == 0


def test_the_convener_moves_an_ask_up_and_later_asks_join_the_end(
    circle, meeting, alice, bob, carol, frank, client_for
):
    for person in (bob, carol):
        submit(circle, person, "ask")
    assert agenda_authors(meeting) == ["bob", "carol"]
    carols = Ask.objects.get(author=carol)
    response = client_for(alice).post(
        reverse("circles:agenda_reorder", args=[circle.pk, meeting.pk]), {"up": carols.pk}
    )
    assert response.url == reverse("circles:meeting", args=[circle.pk, meeting.pk])
    assert agenda_authors(meeting) == ["carol", "bob"]
    submit(circle, frank, "never presented, but late")
    assert agenda_authors(meeting) == ["carol", "bob", "frank"]


@pytest.mark.parametrize("up", ["first", "", "abc", "999999"])
def test_a_bad_reorder_changes_nothing(circle, meeting, alice, bob, carol, client_for, up):
    for person in (bob, carol):
        submit(circle, person, "ask")
    value = str(Ask.objects.get(author=bob).pk) if up == "first" else up
    response = client_for(alice).post(
        reverse("circles:agenda_reorder", args=[circle.pk, meeting.pk]), {"up": value}
    )
    assert flash(response) == ["That ask is not on this agenda any more; reload the page."]
    assert agenda_authors(meeting) == ["bob", "carol"]
    meeting.refresh_from_db()
    assert not meeting.agenda_reordered


def test_only_the_convener_reorders(circle, meeting, bob, carol, client_for):
    for person in (bob, carol):
        submit(circle, person, "ask")
    response = client_for(bob).post(
        reverse("circles:agenda_reorder", args=[circle.pk, meeting.pk]),
        {"up": Ask.objects.get(author=carol).pk},
    )
    assert response.status_code == 403
    assert agenda_authors(meeting) == ["bob", "carol"]


def test_submitting_an_ask_with_bad_input_saves_nothing(circle, bob, client_for):
    response = client_for(bob).post(
        reverse("circles:ask_create", args=[circle.pk]),
        {"title": "", "context": "x", "kind": "gossip", "help_wanted": "advice"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "kind"}
    assert not Ask.objects.exists()


# --- Meeting mode -------------------------------------------------------------------------


def live_url(name, meeting, item=None):
    args = [meeting.circle_id, meeting.pk] + ([item.pk] if item else [])
    return reverse(f"circles:{name}", args=args)


def test_meeting_mode_runs_a_presenter_through_htmx(circle, meeting, alice, bob, carol, client_for):
    bobs = submit(circle, bob, "Should I take the chief role?")
    submit(circle, carol, "Mentoring a struggling resident")
    first, second = meeting.agenda.all()
    client = client_for(alice)

    page = client.get(live_url("live", meeting))
    assert "Check-in round" in page.content.decode()

    started = client.post(live_url("live_start", meeting, first), **HTMX)
    body = started.content.decode()
    assert started.status_code == 200
    assert "<html" not in body
    assert 'id="live"' in body
    assert "Now presenting" in body
    assert "Should I take the chief role?" in body
    first.refresh_from_db()
    assert first.started_at is not None
    assert first.deadline == first.started_at + dt.timedelta(minutes=first.minutes)
    meeting.refresh_from_db()
    assert meeting.checkin_started_at is not None

    client.post(
        live_url("live_note", meeting, first),
        {"text": "Ask for protected time", "kind": "note"},
        **HTMX,
    )
    panel = client.post(
        live_url("live_note", meeting, first), {"text": "Email the dean", "kind": "action"}, **HTMX
    )
    assert [n.text for n in Note.objects.filter(ask=bobs)] == ["Ask for protected time"]
    assert Note.objects.get().author == alice
    assert [a.text for a in ActionItem.objects.filter(ask=bobs)] == ["Email the dean"]
    assert "Ask for protected time" in panel.content.decode()
    assert "Email the dean" in panel.content.decode()

    finished = client.post(live_url("live_finish", meeting, first), **HTMX)
    assert "Between presenters" in finished.content.decode()
    first.refresh_from_db()
    bobs.refresh_from_db()
    assert first.finished_at is not None
    assert bobs.presented_at == first.finished_at
    assert list(meeting.agenda.filter(started_at__isnull=True)) == [second]


def test_starting_the_next_presenter_finishes_the_one_on(circle, meeting, bob, carol, client_for):
    submit(circle, bob, "One")
    submit(circle, carol, "Two")
    first, second = meeting.agenda.all()
    client = client_for(bob)
    client.post(live_url("live_start", meeting, first))
    response = client.post(live_url("live_start", meeting, second))
    assert response.url == live_url("live", meeting)  # without htmx: back to the page
    first.refresh_from_db()
    assert first.finished_at is not None
    assert Ask.objects.get(pk=first.ask_id).presented_at is not None


def test_an_empty_note_or_another_meetings_item_adds_nothing(
    circle, meeting, alice, bob, client_for
):
    submit(circle, bob, "One")
    item = meeting.agenda.get()
    client = client_for(alice)
    client.post(live_url("live_note", meeting, item), {"text": "", "kind": "note"}, **HTMX)
    other = past_meeting(circle, days_ago=14)
    response = client.post(live_url("live_note", other, item), {"text": "Misfiled", "kind": "note"})
    assert response.status_code == 404
    assert not Note.objects.exists()


# --- Reporting back -----------------------------------------------------------------------


def test_the_presenter_is_prompted_to_report_back_until_they_do(
    circle, meeting, alice, bob, client_for
):
    ask = submit(circle, bob, "Negotiating start-up funds")
    item = AgendaItem.objects.get(ask=ask)
    meeting_actions.do_start_presenter(item, acting_user=alice)
    meeting_actions.do_finish_presenter(item, acting_user=alice)
    client = client_for(bob)
    detail = reverse("circles:detail", args=[circle.pk])
    body = client.get(detail).content.decode()
    assert "How did it go?" in body
    assert "Negotiating start-up funds" in body
    assert "How did it go?" not in client_for(alice).get(detail).content.decode()

    ask_url = reverse("circles:ask", args=[circle.pk, ask.pk])
    response = client.post(ask_url, {"text": "They doubled the offer."})
    assert response.url == ask_url
    ask.refresh_from_db()
    assert ask.report_back == "They doubled the offer."
    assert "How did it go?" not in client.get(detail).content.decode()
    assert "They doubled the offer." in client_for(alice).get(ask_url).content.decode()


def test_only_the_presenter_reports_back(circle, meeting, alice, bob, client_for):
    ask = submit(circle, bob, "One")
    Ask.objects.filter(pk=ask.pk).update(presented_at=timezone.now())
    url = reverse("circles:ask", args=[circle.pk, ask.pk])
    page = client_for(alice).get(url)
    assert "Tell the circle" not in page.content.decode()
    response = client_for(alice).post(url, {"text": "Forged"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Only the person who brought the ask reports back on it."
    ]
    ask.refresh_from_db()
    assert ask.report_back == ""
