"""Attendance: recording it, the rates each member sees, and the private nudge after two
absences in a row."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from peerhaven.circles import meeting_actions
from peerhaven.circles.actions import CircleError
from peerhaven.circles.models import Attendance, Circle, Meeting
from tests.circles.conftest import flash, future_meeting, past_meeting
from tests.conftest import make_circle

pytestmark = pytest.mark.django_db

PRESENT, ABSENT, EXCUSED = "present", "absent", "excused"


@pytest.fixture
def circle(alice, bob, carol):
    return make_circle(alice, [bob, carol])


@pytest.fixture
def meetings(circle):
    """Three past meetings, oldest first."""
    return [past_meeting(circle, days_ago=days) for days in (42, 28, 14)]


def record(client, meeting, statuses: dict):
    data = {f"member_{user.pk}": status for user, status in statuses.items()}
    return client.post(reverse("circles:attendance", args=[meeting.circle_id, meeting.pk]), data)


def recorded(meeting) -> dict:
    return dict(meeting.attendance.values_list("user__email", "status"))


def nudges() -> list:
    return [m for m in mail.outbox if m.subject.startswith("[Peerhaven] We missed you")]


def test_any_member_records_attendance_for_everyone(
    circle, meetings, alice, bob, carol, client_for
):
    response = record(client_for(bob), meetings[0], {alice: PRESENT, bob: PRESENT, carol: EXCUSED})
    assert flash(response) == ["Attendance saved."]
    assert recorded(meetings[0]) == {
        "alice@example.org": PRESENT,
        "bob@example.org": PRESENT,
        "carol@example.org": EXCUSED,
    }
    # Correcting it updates the same rows.
    record(client_for(alice), meetings[0], {alice: PRESENT, bob: ABSENT, carol: EXCUSED})
    assert recorded(meetings[0])["bob@example.org"] == ABSENT
    assert Attendance.objects.count() == 3


def test_recording_attendance_establishes_a_forming_circle(circle, meetings, alice, bob, carol):
    assert circle.state == Circle.State.FORMING
    meeting_actions.do_record_attendance(
        meetings[0], {alice.pk: PRESENT, bob.pk: PRESENT, carol.pk: PRESENT}, acting_user=alice
    )
    circle.refresh_from_db()
    assert circle.state == Circle.State.ACTIVE


def test_each_member_sees_their_own_rate_and_the_circles(
    circle, meetings, alice, bob, carol, client_for
):
    detail = reverse("circles:detail", args=[circle.pk])
    assert "Not recorded yet" in client_for(bob).get(detail).content.decode()
    everyone = {alice: PRESENT, carol: PRESENT}
    meeting_actions.do_record_attendance(
        meetings[0], {u.pk: s for u, s in {**everyone, bob: PRESENT}.items()}, acting_user=alice
    )
    meeting_actions.do_record_attendance(
        meetings[1], {u.pk: s for u, s in {**everyone, bob: EXCUSED}.items()}, acting_user=alice
    )
    context = client_for(bob).get(detail).context
    assert context["my_rate"] == pytest.approx(1 / 2)
    assert context["circle_rate"] == pytest.approx(5 / 6)
    body = client_for(bob).get(detail).content.decode()
    assert "<dt>Your attendance</dt><dd>50%</dd>" in body
    assert "<dt>The circle's</dt><dd>83%</dd>" in body
    assert client_for(alice).get(detail).context["my_rate"] == 1


def test_two_absences_in_a_row_send_one_kind_private_nudge(
    circle, meetings, alice, bob, carol, client_for, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    record(client, meetings[0], {alice: PRESENT, bob: ABSENT, carol: PRESENT})
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        record(client, meetings[1], {alice: PRESENT, bob: ABSENT, carol: ABSENT})
    [nudge] = nudges()
    assert nudge.to == ["bob@example.org"]  # only bob: carol missed one, alice none
    assert len(mail.outbox) == 1
    assert nudge.subject == "[Peerhaven] We missed you at Thursday Circle"
    assert "Hello Bob Baker" in nudge.body
    assert "nobody else was told" in nudge.body

    # Saving the same attendance again is not a new absence.
    with django_capture_on_commit_callbacks(execute=True):
        record(client, meetings[1], {alice: PRESENT, bob: ABSENT, carol: PRESENT})
    assert len(nudges()) == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [(EXCUSED, ABSENT), (ABSENT, EXCUSED), (ABSENT, PRESENT), (PRESENT, ABSENT)],
)
def test_no_nudge_unless_both_are_unexcused_absences(
    circle, meetings, alice, bob, carol, django_capture_on_commit_callbacks, first, second
):
    with django_capture_on_commit_callbacks(execute=True):
        for meeting, status in zip(meetings, (first, second), strict=False):
            meeting_actions.do_record_attendance(
                meeting, {alice.pk: PRESENT, bob.pk: status, carol.pk: PRESENT}, acting_user=alice
            )
    assert nudges() == []


def test_a_cancelled_meeting_between_does_not_break_the_run(
    circle, meetings, alice, bob, carol, django_capture_on_commit_callbacks
):
    Meeting.objects.filter(pk=meetings[1].pk).update(status=Meeting.Status.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        for meeting in (meetings[0], meetings[2]):
            meeting_actions.do_record_attendance(
                meeting, {alice.pk: PRESENT, bob.pk: ABSENT, carol.pk: PRESENT}, acting_user=alice
            )
    assert [m.to for m in nudges()] == [["bob@example.org"]]


def test_attendance_for_a_future_meeting_is_refused(circle, alice, bob, carol, client_for):
    meeting = future_meeting(circle, days_ahead=2)
    response = record(client_for(alice), meeting, {alice: PRESENT, bob: ABSENT, carol: PRESENT})
    assert flash(response) == ["Attendance can be recorded once the meeting has started."]
    assert not Attendance.objects.exists()
    circle.refresh_from_db()
    assert circle.state == Circle.State.FORMING


def test_attendance_for_a_cancelled_meeting_is_refused(circle, meetings, alice, bob, carol):
    meeting = meetings[2]
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)
    meeting.refresh_from_db()
    with pytest.raises(CircleError, match="cancelled"):
        meeting_actions.do_record_attendance(
            meeting, {alice.pk: PRESENT, bob.pk: ABSENT, carol.pk: PRESENT}, acting_user=alice
        )
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("bad", ["late", "", None])
def test_a_missing_or_unknown_status_saves_nothing(
    circle, meetings, alice, bob, carol, client_for, bad
):
    statuses = {alice: PRESENT, carol: PRESENT}
    if bad is not None:
        statuses[bob] = bad
    response = record(client_for(alice), meetings[0], statuses)
    assert flash(response) == ["Choose present, absent or excused for each member."]
    assert not Attendance.objects.exists()


def test_attendance_is_only_for_current_members(circle, meetings, alice, bob, carol, frank):
    with pytest.raises(CircleError, match="current members"):
        meeting_actions.do_record_attendance(
            meetings[0], {alice.pk: PRESENT, frank.pk: ABSENT}, acting_user=alice
        )
    assert not Attendance.objects.exists()


def test_one_nudge_per_run_of_absences_even_when_corrected_back_and_forth(
    circle, meetings, alice, bob, carol, client_for, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        record(client, meetings[0], {alice: PRESENT, bob: ABSENT, carol: PRESENT})
        record(client, meetings[1], {alice: PRESENT, bob: ABSENT, carol: PRESENT})
        record(client, meetings[1], {alice: PRESENT, bob: PRESENT, carol: PRESENT})
        record(client, meetings[1], {alice: PRESENT, bob: ABSENT, carol: PRESENT})
        record(client, meetings[2], {alice: PRESENT, bob: ABSENT, carol: PRESENT})  # a third
    assert [m.to for m in nudges()] == [["bob@example.org"]]
