"""Meetings: the schedule form, moving and cancelling one meeting, calendar files and the
personal feed, and times in each viewer's own zone.

The clock is fixed at Monday 1 February 2027 (FROZEN), so the months ahead always cross
the start of daylight saving time in America/Chicago (Sunday 14 March 2027, 02:00 -> 03:00).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from peerhaven.accounts.models import Profile
from peerhaven.circles import actions, meeting_actions
from peerhaven.circles.models import Ask, Circle, Meeting
from tests.circles.conftest import membership_of
from tests.conftest import make_circle

pytestmark = pytest.mark.django_db

UTC = dt.UTC
CHICAGO = ZoneInfo("America/Chicago")
FROZEN = dt.datetime(2027, 2, 1, 15, 0, tzinfo=UTC)
SCHEDULE = {
    "cadence_choice": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
    "custom_cadence": "",
    "first_meeting_on": "2027-02-04",
    "meeting_time": "12:00",
    "time_zone": "America/Chicago",
    "duration_minutes": "60",
    "location_kind": "jitsi",
    "location": "",
}


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: FROZEN)
    return FROZEN


@pytest.fixture
def circle(alice, bob):
    return make_circle(alice, [bob])


@pytest.fixture
def scheduled(circle, alice):
    """The circle meets every other Thursday at noon, Chicago time, from 4 February 2027."""
    meeting_actions.do_update_schedule(
        circle,
        acting_user=alice,
        cadence=SCHEDULE["cadence_choice"],
        first_meeting_on=dt.date(2027, 2, 4),
        meeting_time=dt.time(12),
        time_zone="America/Chicago",
        duration_minutes=60,
        location_kind="jitsi",
        location="",
    )
    return circle


def post_schedule(client, circle, **changes):
    return client.post(reverse("circles:schedule", args=[circle.pk]), {**SCHEDULE, **changes})


def meeting_on(circle, day: dt.date) -> Meeting:
    return next(
        m for m in circle.meetings.all() if m.series_start.astimezone(CHICAGO).date() == day
    )


def events(response) -> list:
    assert response["Content-Type"] == "text/calendar"
    return Calendar.from_ical(response.content).walk("VEVENT")


# --- The schedule form --------------------------------------------------------------------


def test_a_schedule_lays_out_the_meetings_ahead_in_utc_keeping_local_noon(
    circle, alice, client_for
):
    response = post_schedule(client_for(alice), circle)
    assert response.url == reverse("circles:detail", args=[circle.pk])
    circle.refresh_from_db()
    assert circle.cadence == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
    assert circle.location.startswith("https://meet.jit.si/Peerhaven-")
    starts = list(circle.meetings.order_by("starts_at").values_list("starts_at", flat=True))
    # Every other Thursday for the next 120 days: 4 Feb to 27 May.
    assert [s.astimezone(CHICAGO).date() for s in starts] == [
        dt.date(2027, 2, 4) + dt.timedelta(weeks=2 * n) for n in range(9)
    ]
    assert {s.astimezone(CHICAGO).time() for s in starts} == {dt.time(12)}
    assert all(s.tzinfo == UTC for s in starts)  # stored in UTC
    assert starts[0].hour == 18  # CST, UTC-6
    assert starts[3].hour == 17  # 18 March: CDT, UTC-5
    assert all(m.duration_minutes == 60 for m in circle.meetings.all())


def test_saving_the_schedule_again_duplicates_nothing(scheduled, alice, client_for):
    before = list(scheduled.meetings.values_list("pk", flat=True))
    post_schedule(client_for(alice), scheduled)
    assert list(scheduled.meetings.values_list("pk", flat=True)) == before


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY",
        "FREQ=WEEKLY;BYDAY=XX",
        "nonsense",
        "",
        "FREQ=WEEKLY;COUNT=3",
        "FREQ=WEEKLY;INTERVAL=0",
        "FREQ=WEEKLY;BYHOUR=9",
    ],
)
def test_a_malformed_custom_rule_is_refused_next_to_the_field(circle, alice, client_for, rule):
    response = post_schedule(
        client_for(alice), circle, cadence_choice="custom", custom_cadence=rule
    )
    assert response.status_code == 200
    assert response.context["form"].errors["custom_cadence"]
    assert 'id="id_custom_cadence_error"' in response.content.decode()
    circle.refresh_from_db()
    assert (circle.cadence, circle.first_meeting_on) == ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", None)
    assert not circle.meetings.exists()


def test_a_valid_custom_rule_is_saved_normalised(circle, alice, client_for):
    post_schedule(
        client_for(alice),
        circle,
        cadence_choice="custom",
        custom_cadence="rrule:freq=weekly;interval=3;byday=mo",
    )
    circle.refresh_from_db()
    assert circle.cadence == "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO"
    assert {m.starts_at.astimezone(CHICAGO).weekday() for m in circle.meetings.all()} == {0}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"location_kind": "place", "location": ""}, "location"),
        ({"location_kind": "video_link", "location": "http://zoom.example/j/1"}, "location"),
        ({"duration_minutes": "5"}, "duration_minutes"),
        ({"meeting_time": "25:00"}, "meeting_time"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"first_meeting_on": "31/02/2027"}, "first_meeting_on"),
    ],
)
def test_other_bad_schedule_input_is_refused(circle, alice, client_for, changes, field):
    response = post_schedule(client_for(alice), circle, **changes)
    assert response.context["form"].errors[field]
    assert not circle.meetings.exists()


@pytest.mark.parametrize("first_day", ["2027-03-14", "2027-03-12"])
def test_a_first_meeting_in_a_daylight_saving_gap_is_refused(circle, alice, client_for, first_day):
    """02:30 on 14 March 2027 does not exist in Chicago. The first meeting falls on it
    whether the form names that Sunday or an earlier day."""
    response = post_schedule(
        client_for(alice),
        circle,
        cadence_choice="custom",
        custom_cadence="FREQ=WEEKLY;BYDAY=SU",
        first_meeting_on=first_day,
        meeting_time="02:30",
    )
    assert response.status_code == 200
    [error] = response.context["form"].errors["first_meeting_on"]
    assert "02:30 on 14 March 2027 does not exist in America/Chicago" in error
    circle.refresh_from_db()
    assert circle.first_meeting_on is None
    assert circle.cadence == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
    assert not circle.meetings.exists()


def test_a_start_date_in_a_gap_is_fine_when_no_meeting_falls_on_it(circle, alice, client_for):
    """Every other Thursday "from Sunday 14 March" first meets on Thursday 18 March."""
    response = post_schedule(
        client_for(alice), circle, first_meeting_on="2027-03-14", meeting_time="02:30"
    )
    assert response.status_code == 302
    first = circle.meetings.order_by("starts_at").first()
    assert first.starts_at.astimezone(CHICAGO) == dt.datetime(2027, 3, 18, 2, 30, tzinfo=CHICAGO)


def test_only_the_convener_schedules(circle, bob, client_for):
    assert post_schedule(client_for(bob), circle).status_code == 403
    assert not circle.meetings.exists()


# --- Moving and cancelling ----------------------------------------------------------------


def move(client, meeting, day, time):
    return client.post(
        reverse("circles:meeting_move", args=[meeting.circle_id, meeting.pk]),
        {"day": day, "time": time},
    )


def test_moving_a_meeting_bumps_its_sequence_and_keeps_its_place_in_the_series(
    scheduled, alice, client_for
):
    meeting = meeting_on(scheduled, dt.date(2027, 2, 18))
    response = move(client_for(alice), meeting, "2027-02-19", "13:30")
    assert response.url == reverse("circles:meeting", args=[scheduled.pk, meeting.pk])
    moved = Meeting.objects.get(pk=meeting.pk)
    assert moved.starts_at == dt.datetime(2027, 2, 19, 19, 30, tzinfo=UTC)
    assert moved.ends_at - moved.starts_at == dt.timedelta(hours=1)
    assert moved.sequence == meeting.sequence + 1
    assert moved.series_start == meeting.series_start
    count = scheduled.meetings.count()
    meeting_actions.schedule_meetings(scheduled)  # regenerating keeps the moved meeting
    assert scheduled.meetings.count() == count
    assert Meeting.objects.get(pk=meeting.pk).starts_at == moved.starts_at


def test_the_move_form_works_in_the_viewers_own_time_zone(scheduled, alice, client_for):
    Profile.objects.filter(user=alice).update(time_zone="Europe/London")
    meeting = meeting_on(scheduled, dt.date(2027, 2, 18))
    client = client_for(alice)
    form = client.get(reverse("circles:meeting_move", args=[scheduled.pk, meeting.pk]))
    assert form.context["form"]["time"].value() == dt.time(18)  # noon in Chicago
    move(client, meeting, "2027-02-18", "19:00")  # an hour later, as alice sees it
    moved = Meeting.objects.get(pk=meeting.pk)
    assert moved.starts_at == dt.datetime(2027, 2, 18, 19, tzinfo=UTC)


def test_moving_into_a_daylight_saving_gap_is_refused(scheduled, alice, client_for):
    meeting = meeting_on(scheduled, dt.date(2027, 3, 4))
    response = move(client_for(alice), meeting, "2027-03-14", "02:30")
    assert response.status_code == 200
    [error] = response.context["form"].non_field_errors()
    assert "02:30 on 14 March 2027 does not exist in America/Chicago" in error
    assert "clocks go forward" in error
    unchanged = Meeting.objects.get(pk=meeting.pk)
    assert (unchanged.starts_at, unchanged.sequence) == (meeting.starts_at, meeting.sequence)


@pytest.mark.parametrize(
    ("day", "time", "message"),
    [
        ("2027-01-20", "12:00", "Choose a time in the future."),
        ("2027-02-30", "12:00", "valid date"),
        ("2027-02-20", "", "required"),
    ],
)
def test_moving_with_bad_input_changes_nothing(scheduled, alice, client_for, day, time, message):
    meeting = meeting_on(scheduled, dt.date(2027, 2, 18))
    response = move(client_for(alice), meeting, day, time)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(str(e) for e in errors.values())
    assert Meeting.objects.get(pk=meeting.pk).sequence == meeting.sequence


def test_members_cannot_move_or_cancel(scheduled, bob, client_for):
    meeting = meeting_on(scheduled, dt.date(2027, 2, 18))
    client = client_for(bob)
    assert move(client, meeting, "2027-02-19", "13:00").status_code == 403
    cancel = reverse("circles:meeting_cancel", args=[scheduled.pk, meeting.pk])
    assert client.post(cancel).status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.SCHEDULED


def test_cancelling_moves_its_asks_to_the_next_meeting(scheduled, alice, bob, client_for):
    first = meeting_on(scheduled, dt.date(2027, 2, 4))
    second = meeting_on(scheduled, dt.date(2027, 2, 18))
    ask = meeting_actions.do_submit_ask(membership_of(scheduled, bob), title="Grant resubmission")
    assert ask.meeting == first
    response = client_for(alice).post(
        reverse("circles:meeting_cancel", args=[scheduled.pk, first.pk])
    )
    assert response.url == reverse("circles:detail", args=[scheduled.pk])
    first.refresh_from_db()
    assert (first.status, first.sequence) == (Meeting.Status.CANCELLED, 1)
    ask.refresh_from_db()
    assert ask.meeting == second
    assert ask.agenda_item.meeting == second
    assert meeting_actions.next_meeting(scheduled) == second
    [event] = events(
        client_for(bob).get(reverse("circles:meeting_ics", args=[scheduled.pk, first.pk]))
    )
    assert (str(event["STATUS"]), int(event["SEQUENCE"])) == ("CANCELLED", 1)


# --- Calendar files -----------------------------------------------------------------------


def test_a_meeting_ics_names_the_meeting_once_in_utc(scheduled, bob, client_for):
    meeting = meeting_on(scheduled, dt.date(2027, 3, 18))
    response = client_for(bob).get(reverse("circles:meeting_ics", args=[scheduled.pk, meeting.pk]))
    assert f'filename="meeting-{meeting.pk}.ics"' in response["Content-Disposition"]
    [event] = events(response)
    assert str(event["UID"]) == f"meeting-{meeting.pk}@peerhaven"
    assert event.decoded("DTSTART") == dt.datetime(2027, 3, 18, 17, tzinfo=UTC)
    assert b"DTSTART:20270318T170000Z" in response.content
    assert str(event["SUMMARY"]) == "Thursday Circle (Peerhaven circle)"
    assert str(event["LOCATION"]) == scheduled.location
    assert (str(event["STATUS"]), int(event["SEQUENCE"])) == ("CONFIRMED", 0)


@pytest.fixture
def feed_scene(scheduled, alice, bob, carol, frank):
    """bob is in alice's circle and frank's; carol's circle is not his."""
    franks = make_circle(frank, [bob], name="Frank's circle")
    carols = make_circle(carol, [], name="Carol's circle")
    for other in (franks, carols):
        meeting_actions.do_update_schedule(
            other,
            acting_user=other.created_by,
            cadence="FREQ=WEEKLY;BYDAY=TU",
            first_meeting_on=dt.date(2027, 2, 2),
            meeting_time=dt.time(8),
            time_zone="Europe/London",
            duration_minutes=45,
            location_kind="place",
            location="Room 4",
        )
    return scheduled, franks, carols


def feed_uids(client, url) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    return {str(event["UID"]) for event in events(response)}


def uids(circle) -> set[str]:
    return {f"meeting-{pk}@peerhaven" for pk in circle.meetings.values_list("pk", flat=True)}


def new_feed_url(client) -> str:
    response = client.post(reverse("circles:calendar"))
    url = response.context["feed_url"]
    assert url.startswith("http")
    return url[url.index("/circles/") :]


def test_the_personal_feed_has_all_my_meetings_and_only_mine(feed_scene, bob, client_for, client):
    ours, franks, carols = feed_scene
    url = new_feed_url(client_for(bob))
    assert feed_uids(client, url) == uids(ours) | uids(franks)  # no sign-in needed
    assert not uids(carols) & feed_uids(client, url)


def test_a_tampered_or_replaced_feed_token_is_404(feed_scene, bob, client_for, client):
    member = client_for(bob)
    old = new_feed_url(member)
    token = old.removeprefix("/circles/calendar/").removesuffix(".ics")
    tampered = old.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert client.get(tampered).status_code == 404
    new = new_feed_url(member)
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert "has_feed" in member.get(reverse("circles:calendar")).context


def test_a_former_members_feed_no_longer_lists_the_circle(feed_scene, bob, client_for, client):
    ours, franks, _ = feed_scene
    url = new_feed_url(client_for(bob))
    actions.do_leave(membership_of(franks, bob))
    assert feed_uids(client, url) == uids(ours)


def test_a_closed_circles_meetings_leave_the_feed(feed_scene, alice, bob, client_for, client):
    ours, franks, _ = feed_scene
    url = new_feed_url(client_for(bob))
    actions.do_set_state(ours, Circle.State.CLOSED, acting_user=alice)
    assert feed_uids(client, url) == uids(franks)


def test_a_deactivated_accounts_feed_is_404(feed_scene, bob, client_for, client):
    url = new_feed_url(client_for(bob))
    bob.is_active = False
    bob.save()
    assert client.get(url).status_code == 404


# --- Each viewer's own time zone ----------------------------------------------------------


def test_each_member_sees_meeting_times_in_their_own_zone(scheduled, alice, bob, client_for):
    Profile.objects.filter(user=bob).update(time_zone="Asia/Tokyo")
    detail = reverse("circles:detail", args=[scheduled.pk])
    for person, date, time in [
        (alice, "Thursday 4 February", "12:00–13:00"),
        (bob, "Friday 5 February", "03:00–04:00"),  # 18:00 UTC is 03:00 next day in Tokyo
    ]:
        body = client_for(person).get(detail).content.decode()
        assert date in body, person
        assert time in body, person
    meeting = meeting_on(scheduled, dt.date(2027, 2, 4))
    page = client_for(bob).get(reverse("circles:meeting", args=[scheduled.pk, meeting.pk]))
    assert "Friday 5 February 2027, 03:00–04:00" in page.content.decode()


def test_an_ask_placed_on_a_meeting_is_confirmed_in_the_viewers_zone(scheduled, bob, client_for):
    Profile.objects.filter(user=bob).update(time_zone="Asia/Tokyo")
    response = client_for(bob).post(
        reverse("circles:ask_create", args=[scheduled.pk]),
        {"title": "Which journal?", "context": "", "kind": "professional", "help_wanted": "advice"},
    )
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Ask saved for the meeting on Friday 5 February."]
    assert Ask.objects.get().meeting == meeting_on(scheduled, dt.date(2027, 2, 4))


def test_the_daily_job_keeps_four_months_planned(alice, bob):
    import datetime as dt
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from peerhaven.circles import meeting_actions
    from tests.conftest import make_circle

    circle = make_circle(alice, [bob])
    meeting_actions.do_update_schedule(
        circle,
        acting_user=alice,
        cadence="FREQ=WEEKLY;BYDAY=TH",
        first_meeting_on=timezone.localdate(),
        meeting_time=dt.time(12),
        time_zone="America/Chicago",
        duration_minutes=60,
        location_kind="jitsi",
        location="",
    )
    circle.meetings.filter(starts_at__gt=timezone.now() + dt.timedelta(days=30)).delete()
    call_command("extend_circle_schedules", stdout=StringIO())
    latest = circle.meetings.order_by("-starts_at").first().starts_at
    assert latest > timezone.now() + dt.timedelta(days=110)
    call_command("extend_circle_schedules", stdout=StringIO())  # and never duplicates
    assert circle.meetings.count() == len({m.series_start for m in circle.meetings.all()})
