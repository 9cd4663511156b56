"""Leaving, handing over the convener role, pausing and closing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from peerhaven.circles import actions, meeting_actions
from peerhaven.circles.actions import CircleError
from peerhaven.circles.models import Ask, Circle, Invitation, Membership, Message
from tests.circles.conftest import flash, membership_of, past_meeting
from tests.conftest import make_circle

pytestmark = pytest.mark.django_db


@pytest.fixture
def circle(alice, bob, carol):
    circle = make_circle(alice, [bob, carol])
    # carol has been in the circle longer than bob
    Membership.objects.filter(circle=circle, user=carol).update(
        joined_at=timezone.now() - dt.timedelta(days=30)
    )
    return circle


def convener_of(circle):
    return circle.active_memberships().get(role=Membership.Role.CONVENER).user


def test_a_former_member_loses_access_on_the_very_next_request(circle, bob, client_for):
    meeting = past_meeting(circle, days_ago=1)
    ask = Ask.objects.create(circle=circle, author=bob, meeting=meeting, title="Mine")
    client = client_for(bob)
    urls = [
        reverse("circles:detail", args=[circle.pk]),
        reverse("circles:thread", args=[circle.pk]),
        reverse("circles:charter", args=[circle.pk]),
        reverse("circles:members", args=[circle.pk]),
        reverse("circles:ask", args=[circle.pk, ask.pk]),
        reverse("circles:meeting", args=[circle.pk, meeting.pk]),
        reverse("circles:meeting_ics", args=[circle.pk, meeting.pk]),
        reverse("circles:live", args=[circle.pk, meeting.pk]),
    ]
    assert all(client.get(url).status_code == 200 for url in urls)

    response = client.post(reverse("circles:leave", args=[circle.pk]))
    assert response.url == reverse("circles:list")
    assert flash(response) == ["You have left Thursday Circle."]
    left = circle.memberships.get(user=bob)
    assert left.state == Membership.State.LEFT
    assert left.left_at is not None
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.post(reverse("circles:thread", args=[circle.pk]), {"body": "Still here?"})
    assert not Message.objects.exists()
    assert circle not in client.get(reverse("circles:list")).context["circles"]
    assert Ask.objects.filter(pk=ask.pk).exists()  # what bob wrote stays with the circle


def test_a_leaving_convener_hands_over_to_the_longest_standing_member(
    circle, alice, carol, client_for
):
    client_for(alice).post(reverse("circles:leave", args=[circle.pk]))
    assert convener_of(circle) == carol
    assert circle.memberships.get(user=alice).role == Membership.Role.MEMBER
    assert circle.active_memberships().filter(role=Membership.Role.CONVENER).count() == 1
    circle.refresh_from_db()
    assert circle.state == Circle.State.FORMING


def test_the_last_member_leaving_closes_the_circle(alice, client_for):
    circle = make_circle(alice)
    invitation = actions.do_invite(circle, "someone@example.org", acting_user=alice)
    client_for(alice).post(reverse("circles:leave", args=[circle.pk]))
    circle.refresh_from_db()
    assert circle.state == Circle.State.CLOSED
    assert circle.closed_at is not None
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.REVOKED


def test_the_convener_hands_the_role_to_a_member(circle, alice, bob, carol, client_for):
    response = client_for(alice).post(
        reverse("circles:transfer_convener", args=[circle.pk]), {"user_id": bob.pk}
    )
    assert flash(response) == ["Bob Baker now convenes the circle."]
    assert convener_of(circle) == bob
    assert membership_of(circle, alice).role == Membership.Role.MEMBER
    settings = reverse("circles:settings", args=[circle.pk])
    assert client_for(alice).get(settings).status_code == 403
    assert client_for(bob).get(settings).status_code == 200


@pytest.mark.parametrize("user_id", ["outsider", "former", "", "abc"])
def test_the_role_cannot_go_to_a_non_member(circle, alice, bob, gina, client_for, user_id):
    if user_id == "former":
        actions.do_leave(membership_of(circle, bob))
    value = {"outsider": gina.pk, "former": bob.pk}.get(user_id, user_id)
    response = client_for(alice).post(
        reverse("circles:transfer_convener", args=[circle.pk]), {"user_id": value}
    )
    assert response.status_code == 404
    assert convener_of(circle) == alice


def test_a_member_cannot_take_the_role(circle, alice, bob, client_for):
    response = client_for(bob).post(
        reverse("circles:transfer_convener", args=[circle.pk]), {"user_id": bob.pk}
    )
    assert response.status_code == 403
    assert convener_of(circle) == alice
    with pytest.raises(CircleError, match="current member"):
        actions.do_transfer_convener(circle, _outsider(), acting_user=alice)


def _outsider():
    from tests.conftest import make_member

    return make_member("stranger@example.org", "Stranger")


def change_state(client, circle, state):
    return client.post(reverse("circles:change_state", args=[circle.pk]), {"state": state})


def test_pausing_and_resuming(circle, alice, carol, client_for):
    Circle.objects.filter(pk=circle.pk).update(accepts_requests=True)
    client = client_for(alice)
    change_state(client, circle, "paused")
    circle.refresh_from_db()
    assert circle.state == Circle.State.PAUSED
    assert client_for(carol).get(reverse("circles:detail", args=[circle.pk])).status_code == 200
    with pytest.raises(CircleError, match="paused: nobody can join"):
        actions.do_invite(circle, "someone@example.org", acting_user=alice)
    assert not Circle.objects.open_to_requests().exists()
    change_state(client, circle, "active")
    circle.refresh_from_db()
    assert circle.state == Circle.State.ACTIVE


@pytest.mark.parametrize("state", ["forming", "deleted", ""])
def test_an_unknown_state_changes_nothing(circle, alice, client_for, state):
    response = change_state(client_for(alice), circle, state)
    assert flash(response) == ["That is not a state a circle can be put in."]
    circle.refresh_from_db()
    assert circle.state == Circle.State.FORMING


def test_only_the_convener_pauses_or_closes(circle, bob, client_for):
    assert change_state(client_for(bob), circle, "closed").status_code == 403
    circle.refresh_from_db()
    assert circle.state == Circle.State.FORMING


def test_a_closed_circle_is_final_and_its_discussion_read_only(
    circle, alice, bob, client_for, django_capture_on_commit_callbacks
):
    actions.do_post_message(membership_of(circle, bob), "Before closing")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = actions.do_invite(circle, "late@example.org", acting_user=alice)
    change_state(client_for(alice), circle, "closed")
    circle.refresh_from_db()
    assert circle.state == Circle.State.CLOSED
    assert circle.purge_after == circle.closed_at + dt.timedelta(days=90)
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.REVOKED

    client = client_for(bob)
    thread = reverse("circles:thread", args=[circle.pk])
    assert "Before closing" in client.get(thread).content.decode()  # still readable
    response = client.post(thread, {"body": "After closing"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This circle is closed; its discussion is read-only."
    ]
    assert Message.objects.count() == 1
    response = client.post(
        reverse("circles:ask_create", args=[circle.pk]),
        {"title": "Too late", "context": "", "kind": "professional", "help_wanted": "advice"},
    )
    assert response.context["form"].non_field_errors() == ["This circle is closed."]
    assert not Ask.objects.exists()

    response = change_state(client_for(alice), circle, "active")
    assert flash(response) == ["This circle is closed."]
    circle.refresh_from_db()
    assert circle.state == Circle.State.CLOSED
    with pytest.raises(CircleError):
        meeting_actions.do_submit_ask(membership_of(circle, bob), title="Also too late")


def test_a_closed_circle_cannot_be_joined(circle, alice, gina, client_for):
    actions.do_set_state(circle, Circle.State.CLOSED, acting_user=alice)
    with pytest.raises(CircleError, match="closed: nobody can join"):
        actions.do_invite(circle, gina.email, acting_user=alice)


def test_pausing_takes_planned_meetings_off_calendars_and_resuming_plans_them(
    alice, bob, client_for
):
    import datetime as dt

    from django.utils import timezone

    from peerhaven.circles import meeting_actions
    from peerhaven.circles.models import Ask, Circle
    from tests.conftest import make_circle

    circle = make_circle(alice, [bob])
    meeting_actions.do_update_schedule(
        circle,
        acting_user=alice,
        cadence="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
        first_meeting_on=timezone.localdate() + dt.timedelta(days=1),
        meeting_time=dt.time(12),
        time_zone="America/Chicago",
        duration_minutes=60,
        location_kind="jitsi",
        location="",
    )
    planned = circle.meetings.count()
    assert planned >= 8
    ask = meeting_actions.do_submit_ask(circle.memberships.get(user=bob), title="Waiting ask")
    assert ask.meeting is not None

    client_for(alice).post(f"/circles/{circle.pk}/settings/state/", {"state": "paused"})
    circle.refresh_from_db()
    assert circle.state == Circle.State.PAUSED
    assert circle.meetings.upcoming().count() == 0
    assert Ask.objects.get(pk=ask.pk).meeting is None  # the ask waits

    client_for(alice).post(f"/circles/{circle.pk}/settings/state/", {"state": "active"})
    assert circle.meetings.upcoming().count() == planned
    assert Ask.objects.get(pk=ask.pk).meeting == circle.meetings.upcoming().first()
