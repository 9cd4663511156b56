"""Pinned query counts for the circle pages people open most: a page that starts issuing a
query per member, meeting, ask or message fails here first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peerhaven.circles import actions, meeting_actions
from peerhaven.circles.models import Ask, Attendance, Circle, Membership
from tests.circles.conftest import future_meeting, membership_of, past_meeting
from tests.conftest import make_circle, make_member

pytestmark = pytest.mark.django_db


def busy_circle(convener, size: int, name: str = "Busy circle") -> Circle:
    """A circle with `size` members besides its convener, each with an ask on the next
    agenda, a presented ask awaiting a report, messages with replies, and attendance at
    past meetings."""
    slug = name.lower().replace(" ", "-")
    peers = [make_member(f"{slug}-{i}@example.org", f"Peer {i}") for i in range(size)]
    circle = make_circle(convener, peers, name=name)
    meeting = future_meeting(circle, days_ahead=3)
    past = [past_meeting(circle, days_ago=7 * (n + 1)) for n in range(size + 1)]
    for person in [convener, *peers]:
        membership = membership_of(circle, person)
        meeting_actions.do_submit_ask(membership, title=f"Ask of {person.pk}")
        Ask.objects.create(
            circle=circle,
            author=person,
            meeting=past[0],
            title="Earlier",
            presented_at=timezone.now() - dt.timedelta(days=7),
        )
        top = actions.do_post_message(membership, f"Hello from {person.pk}")
        actions.do_post_message(membership, "A reply", parent=top)
        for old in past:
            Attendance.objects.create(meeting=old, user=person, status="present")
    assert meeting.agenda.count() == size + 1
    return circle


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_circle_page_does_not_grow_with_the_circle(alice, client_for):
    small = busy_circle(alice, 1, name="Small circle")
    large = busy_circle(alice, 7, name="Large circle")
    client = client_for(alice)
    assert queries_for(client, reverse("circles:detail", args=[small.pk])) == queries_for(
        client, reverse("circles:detail", args=[large.pk])
    )


def test_the_circle_page_query_count_is_pinned(alice, client_for, django_assert_num_queries):
    circle = busy_circle(alice, 7)
    client = client_for(alice)
    with django_assert_num_queries(18):
        response = client.get(reverse("circles:detail", args=[circle.pk]))
    assert len(response.context["members"]) == 8


def test_the_circle_list_does_not_grow_with_circles_or_members(
    alice, client_for, django_assert_num_queries
):
    client = client_for(alice)
    make_circle(alice, [make_member("one@example.org", "One")], name="First")
    one = queries_for(client, reverse("circles:list"))
    for n in range(4):
        busy_circle(alice, 3 + n, name=f"Circle {n}")
    for n in range(3):  # listed circles of others, and an invitation waiting for alice
        other = make_circle(make_member(f"c{n}@example.org", f"C {n}"), accepts_requests=True)
        actions.do_invite(other, "alice@example.org", acting_user=other.created_by)
    Membership.objects.filter(user__email="circle-1-0@example.org").update(state="left")
    with django_assert_num_queries(one):
        response = client.get(reverse("circles:list"))
    assert len(response.context["circles"]) == 5
    assert len(response.context["invitations"]) == 3


@pytest.mark.parametrize("name", ["members", "thread", "meeting", "live"])
def test_other_circle_pages_do_not_grow_with_the_circle(alice, client_for, name):
    small = busy_circle(alice, 1, name="Small circle")
    large = busy_circle(alice, 7, name="Large circle")
    client = client_for(alice)

    def url(circle):
        if name in ("meeting", "live"):
            meeting = meeting_actions.next_meeting(circle)
            return reverse(f"circles:{name}", args=[circle.pk, meeting.pk])
        return reverse(f"circles:{name}", args=[circle.pk])

    assert queries_for(client, url(small)) == queries_for(client, url(large)), name
