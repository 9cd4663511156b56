"""Meetings of a circle: the schedule, asks and the agenda, meeting mode, attendance, and
the personal calendar feed."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from peerhaven.circles import actions, emails, schedule
from peerhaven.circles.actions import CircleError
from peerhaven.circles.models import (
    ActionItem,
    AgendaItem,
    Ask,
    Attendance,
    CalendarFeed,
    Circle,
    Meeting,
    Membership,
    Note,
    new_token,
)

SCHEDULE_AHEAD = dt.timedelta(days=120)
CHECKIN_MINUTES_PER_MEMBER = 2
MAX_CHECKIN_MINUTES = 15
MIN_PRESENTER_MINUTES = 5


# --- The schedule ------------------------------------------------------------------------


@transaction.atomic
def do_update_schedule(circle: Circle, *, acting_user, **fields) -> Circle:
    """Validate and save the cadence and place, then lay out the meetings ahead."""
    try:
        fields["cadence"] = schedule.validate_cadence(fields["cadence"])
        # Only the first meeting is refused for falling in a daylight-saving gap; later ones
        # in a gap move past it (see schedule.occurrences).
        first_day = schedule.first_meeting_day(fields["cadence"], fields["first_meeting_on"])
        schedule.local_datetime(first_day, fields["meeting_time"], fields["time_zone"])
    except (schedule.CadenceError, schedule.NonexistentLocalTime) as error:
        raise CircleError(str(error)) from None
    if fields["location_kind"] == Circle.LocationKind.JITSI and not (
        circle.location_kind == Circle.LocationKind.JITSI and circle.location
    ):
        fields["location"] = schedule.jitsi_room_url()
    for name, value in fields.items():
        setattr(circle, name, value)
    circle.save()
    schedule_meetings(circle)
    return circle


def schedule_meetings(circle: Circle, now: dt.datetime | None = None) -> None:
    """Make the meetings of the next months exist. Future meetings that no longer fit the
    cadence go, unless someone moved them by hand; their asks wait for the next meeting."""
    if circle.first_meeting_on is None or circle.state in (
        Circle.State.PAUSED,
        Circle.State.CLOSED,
    ):
        return
    now = now or timezone.now()
    starts = schedule.occurrences(
        circle.cadence,
        circle.time_zone,
        circle.meeting_time,
        circle.first_meeting_on,
        after=now,
        until=now + SCHEDULE_AHEAD,
    )
    future = circle.meetings.filter(starts_at__gt=now, checkin_started_at__isnull=True)
    stale = future.exclude(series_start__in=starts).filter(starts_at=F("series_start"))
    Ask.objects.filter(meeting__in=stale).update(meeting=None)
    stale.delete()
    existing = set(
        circle.meetings.filter(series_start__in=starts).values_list("series_start", flat=True)
    )
    length = dt.timedelta(minutes=circle.duration_minutes)
    Meeting.objects.bulk_create(
        Meeting(circle=circle, series_start=start, starts_at=start, ends_at=start + length)
        for start in starts
        if start not in existing
    )
    _attach_waiting_asks(circle)


@transaction.atomic
def do_change_state(circle: Circle, state: str, *, acting_user) -> None:
    """Pausing or closing takes the planned meetings off everyone's calendar (their asks
    wait); resuming plans them again."""
    actions.do_set_state(circle, state, acting_user=acting_user)
    if state in (Circle.State.PAUSED, Circle.State.CLOSED):
        _unplan_future_meetings(circle)
    else:
        schedule_meetings(circle)


def _unplan_future_meetings(circle: Circle) -> None:
    future = circle.meetings.filter(starts_at__gt=timezone.now(), checkin_started_at__isnull=True)
    Ask.objects.filter(meeting__in=future).update(meeting=None)
    future.delete()


def next_meeting(circle: Circle) -> Meeting | None:
    return circle.meetings.upcoming().held().first()


@transaction.atomic
def do_move_meeting(
    meeting: Meeting, day: dt.date, at: dt.time, *, acting_user, time_zone: str | None = None
) -> Meeting:
    """Move one meeting to a wall-clock time in `time_zone` (the convener's own, as the form
    shows it; the circle's by default)."""
    try:
        starts_at = schedule.local_datetime(day, at, time_zone or meeting.circle.time_zone)
    except schedule.NonexistentLocalTime as error:
        raise CircleError(str(error)) from None
    if starts_at <= timezone.now():
        raise CircleError("Choose a time in the future.")
    length = meeting.ends_at - meeting.starts_at
    meeting.starts_at, meeting.ends_at = starts_at, starts_at + length
    meeting.sequence += 1
    meeting.save(update_fields=["starts_at", "ends_at", "sequence", "updated_at"])
    return meeting


@transaction.atomic
def do_cancel_meeting(meeting: Meeting, *, acting_user) -> None:
    if meeting.is_cancelled:
        return
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    AgendaItem.objects.filter(meeting=meeting).delete()
    meeting.asks.filter(presented_at__isnull=True).update(meeting=None)
    _attach_waiting_asks(meeting.circle)


# --- Asks and the agenda -----------------------------------------------------------------


@transaction.atomic
def do_submit_ask(membership: Membership, **fields) -> Ask:
    circle = membership.circle
    if circle.state == Circle.State.CLOSED:
        raise CircleError("This circle is closed.")
    ask = Ask.objects.create(circle=circle, author=membership.user, **fields)
    _attach_waiting_asks(circle)
    ask.refresh_from_db()
    return ask


def _attach_waiting_asks(circle: Circle) -> None:
    meeting = next_meeting(circle)
    if meeting is None:
        return
    circle.asks.filter(meeting__isnull=True, presented_at__isnull=True).update(meeting=meeting)
    arrange_agenda(meeting)


def arrange_agenda(meeting: Meeting) -> list[AgendaItem]:
    """Fair rotation: whoever presented least recently goes first (never presented before
    anyone who has), ties by when the ask came in. Once the convener has reordered the
    agenda, their order stands and new asks join at the end."""
    asks = list(meeting.asks.filter(presented_at__isnull=True))
    placed = {item.ask_id: item for item in meeting.agenda.all()}
    if meeting.agenda_reordered:
        order = sorted(placed.values(), key=lambda item: item.position)
        ordered_asks = [item.ask for item in order] + [a for a in asks if a.pk not in placed]
    else:
        ordered_asks = sorted(asks, key=_rotation_key(meeting.circle))
    minutes = presenter_minutes(meeting, len(ordered_asks))
    AgendaItem.objects.filter(meeting=meeting).exclude(ask__in=ordered_asks).delete()
    for position, ask in enumerate(ordered_asks, start=1):
        AgendaItem.objects.update_or_create(
            ask=ask, defaults={"meeting": meeting, "position": position, "minutes": minutes}
        )
    return list(meeting.agenda.select_related("ask"))


def _rotation_key(circle: Circle):
    last_presented = dict(
        circle.asks.filter(presented_at__isnull=False)
        .values("author_id")
        .annotate(last=Max("presented_at"))
        .values_list("author_id", "last")
    )
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    return lambda ask: (last_presented.get(ask.author_id, never), ask.created_at)


def checkin_minutes(meeting: Meeting) -> int:
    members = meeting.circle.active_memberships().count()
    return min(MAX_CHECKIN_MINUTES, CHECKIN_MINUTES_PER_MEMBER * members)


def presenter_minutes(meeting: Meeting, presenters: int) -> int:
    """The meeting's length after the check-in round, shared evenly by the presenters."""
    if presenters == 0:
        return 0
    available = meeting.duration_minutes - checkin_minutes(meeting)
    return max(MIN_PRESENTER_MINUTES, available // presenters)


@transaction.atomic
def do_reorder_agenda(meeting: Meeting, ask_ids: list[int], *, acting_user) -> None:
    current = list(meeting.agenda.values_list("ask_id", flat=True))
    if sorted(ask_ids) != sorted(current):
        raise CircleError("The agenda changed meanwhile; reload the page and try again.")
    for position, ask_id in enumerate(ask_ids, start=1):
        AgendaItem.objects.filter(meeting=meeting, ask_id=ask_id).update(position=position)
    meeting.agenda_reordered = True
    meeting.save(update_fields=["agenda_reordered", "updated_at"])


@transaction.atomic
def do_report_back(ask: Ask, text: str, *, acting_user) -> None:
    if ask.author_id != acting_user.pk:
        raise CircleError("Only the person who brought the ask reports back on it.")
    ask.report_back = text
    ask.reported_back_at = timezone.now()
    ask.save(update_fields=["report_back", "reported_back_at"])


def asks_awaiting_report(membership: Membership):
    return membership.circle.asks.filter(
        author_id=membership.user_id, presented_at__isnull=False, reported_back_at__isnull=True
    )


# --- Meeting mode ------------------------------------------------------------------------


@transaction.atomic
def do_start_checkin(meeting: Meeting, *, acting_user) -> None:
    if meeting.checkin_started_at is None:
        meeting.checkin_started_at = timezone.now()
        meeting.save(update_fields=["checkin_started_at", "updated_at"])


@transaction.atomic
def do_start_presenter(item: AgendaItem, *, acting_user) -> None:
    """One presenter at a time: starting the next one finishes whoever was on."""
    now = timezone.now()
    do_start_checkin(item.meeting, acting_user=acting_user)
    for running in item.meeting.agenda.filter(started_at__isnull=False, finished_at__isnull=True):
        _finish(running, now)
    item.started_at, item.finished_at = now, None
    item.save(update_fields=["started_at", "finished_at"])


@transaction.atomic
def do_finish_presenter(item: AgendaItem, *, acting_user) -> None:
    if item.started_at is not None and item.finished_at is None:
        _finish(item, timezone.now())


def _finish(item: AgendaItem, now: dt.datetime) -> None:
    item.finished_at = now
    item.save(update_fields=["finished_at"])
    Ask.objects.filter(pk=item.ask_id).update(presented_at=now)


def do_add_note(ask: Ask, text: str, *, acting_user) -> Note:
    return Note.objects.create(ask=ask, author=acting_user, text=text)


def do_add_action_item(ask: Ask, text: str, *, acting_user) -> ActionItem:
    return ActionItem.objects.create(ask=ask, text=text)


def do_toggle_action_item(item: ActionItem, *, acting_user) -> None:
    item.done = not item.done
    item.save(update_fields=["done"])


# --- Attendance ----------------------------------------------------------------------------


@transaction.atomic
def do_record_attendance(meeting: Meeting, statuses: dict[int, str], *, acting_user) -> None:
    """Record who came. A member whose second absence in a row this is gets a private,
    kind note (excused absences do not count)."""
    if meeting.starts_at > timezone.now():
        raise CircleError("Attendance can be recorded once the meeting has started.")
    if meeting.is_cancelled:
        raise CircleError("This meeting was cancelled; there is no attendance to record.")
    members = {m.user_id: m for m in meeting.circle.active_memberships().select_related("user")}
    if not set(statuses) <= set(members):
        raise CircleError("Attendance can only be recorded for current members.")
    _mark_established(meeting.circle)
    for user_id, status in statuses.items():
        record, _ = Attendance.objects.update_or_create(
            meeting=meeting, user_id=user_id, defaults={"status": status}
        )
        if _second_absence_in_a_row(record) and not record.nudged:
            emails.send_absence_nudge(members[user_id])
            Attendance.objects.filter(pk=record.pk).update(nudged=True)


def _mark_established(circle: Circle) -> None:
    """A forming circle that has met is established: from now on the members decide
    together who joins."""
    if circle.state == Circle.State.FORMING:
        circle.state = Circle.State.ACTIVE
        circle.save(update_fields=["state"])


def _second_absence_in_a_row(record: Attendance) -> bool:
    """Exactly the second: one nudge per run of absences, however long it gets, and
    excused absences (the member told the group) never count."""
    if record.status != Attendance.Status.ABSENT:
        return False
    meeting = record.meeting
    earlier = (
        Attendance.objects.filter(
            meeting__circle_id=meeting.circle_id,
            meeting__starts_at__lt=meeting.starts_at,
            meeting__status=Meeting.Status.SCHEDULED,
            user_id=record.user_id,
        )
        .order_by("-meeting__starts_at")
        .values_list("status", flat=True)[:2]
    )
    absent = [status == Attendance.Status.ABSENT for status in earlier]
    return absent[:1] == [True] and absent[1:2] != [True]


def attendance_rate(circle: Circle, user=None) -> float | None:
    """Share of recorded attendances that were "present" (None before any record)."""
    records = Attendance.objects.filter(meeting__circle=circle)
    if user is not None:
        records = records.filter(user=user)
    counts = records.aggregate(
        total=Count("pk"), present=Count("pk", filter=Q(status=Attendance.Status.PRESENT))
    )
    if counts["total"] == 0:
        return None
    return counts["present"] / counts["total"]


# --- Calendar feed ------------------------------------------------------------------------


@transaction.atomic
def do_new_calendar_feed(user) -> str:
    """A new secret feed URL token; any earlier one stops working."""
    token, token_hash = new_token()
    CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": token_hash})
    return token


def meetings_for_feed(user):
    since = timezone.now() - dt.timedelta(days=60)
    return (
        Meeting.objects.filter(
            circle__memberships__user=user,
            circle__memberships__state=Membership.State.ACTIVE,
            starts_at__gte=since,
        )
        .exclude(circle__state=Circle.State.CLOSED)
        .select_related("circle")
        .order_by("starts_at")
    )
