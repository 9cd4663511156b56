"""Meeting pages: the schedule, a meeting and its agenda, meeting mode, asks, attendance,
and calendar files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from peerhaven.circles import ics, meeting_actions
from peerhaven.circles.access import circle_view
from peerhaven.circles.actions import CircleError
from peerhaven.circles.forms import AskForm, AttendanceForm, MoveMeetingForm, ScheduleForm, TextForm
from peerhaven.circles.models import CalendarFeed, Meeting, hash_token
from peerhaven.lib.requests import posted
from peerhaven.notifications.email import absolute_url


@circle_view(convener=True)
def schedule_edit(request, membership):
    circle = membership.circle
    form = ScheduleForm.for_circle(circle, posted(request))
    if form.is_valid():
        try:
            meeting_actions.do_update_schedule(
                circle, acting_user=request.user, **form.schedule_fields()
            )
        except CircleError as error:
            form.add_error("first_meeting_on", str(error))
        else:
            messages.success(request, "Schedule saved. Meetings are on everyone's calendar feed.")
            return redirect("circles:detail", circle_id=circle.pk)
    context = {"circle": circle, "membership": membership, "form": form}
    return render(request, "circles/schedule.html", context)


def _meeting(membership, meeting_id) -> Meeting:
    return get_object_or_404(membership.circle.meetings, pk=meeting_id)


@circle_view()
def meeting_detail(request, membership, meeting_id):
    meeting = _meeting(membership, meeting_id)
    members = membership.circle.active_memberships().select_related("user__profile")
    recorded = dict(meeting.attendance.values_list("user_id", "status"))
    context = {
        "circle": membership.circle,
        "membership": membership,
        "meeting": meeting,
        "agenda": meeting.agenda.select_related("ask__author__profile"),
        "attendance_form": AttendanceForm(memberships=members, recorded=recorded),
        "attendance_open": meeting.starts_at <= timezone.now() and not meeting.is_cancelled,
        "ics_url": reverse("circles:meeting_ics", args=[membership.circle_id, meeting.pk]),
    }
    return render(request, "circles/meeting.html", context)


@circle_view(convener=True)
def meeting_move(request, membership, meeting_id):
    meeting = _meeting(membership, meeting_id)
    local = timezone.localtime(meeting.starts_at, timezone.get_current_timezone())
    form = MoveMeetingForm(posted(request), initial={"day": local.date(), "time": local.time()})
    if form.is_valid():
        try:
            meeting_actions.do_move_meeting(
                meeting,
                form.cleaned_data["day"],
                form.cleaned_data["time"],
                acting_user=request.user,
                time_zone=timezone.get_current_timezone_name(),
            )
        except CircleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Meeting moved. Calendars update on their next refresh.")
            return redirect(
                "circles:meeting", circle_id=membership.circle_id, meeting_id=meeting.pk
            )
    context = {
        "circle": membership.circle,
        "membership": membership,
        "meeting": meeting,
        "form": form,
    }
    return render(request, "circles/meeting_move.html", context)


@require_POST
@circle_view(convener=True)
def meeting_cancel(request, membership, meeting_id):
    meeting_actions.do_cancel_meeting(_meeting(membership, meeting_id), acting_user=request.user)
    messages.success(request, "Meeting cancelled. Its asks move to the next meeting.")
    return redirect("circles:detail", circle_id=membership.circle_id)


@require_POST
@circle_view(convener=True)
def agenda_reorder(request, membership, meeting_id):
    meeting = _meeting(membership, meeting_id)
    order = list(meeting.agenda.values_list("ask_id", flat=True))
    moved = request.POST.get("up", "")
    if not moved.isdigit() or int(moved) not in order[1:]:
        messages.error(request, "That ask is not on this agenda any more; reload the page.")
    else:
        index = order.index(int(moved))
        order[index - 1], order[index] = order[index], order[index - 1]
        try:
            meeting_actions.do_reorder_agenda(meeting, order, acting_user=request.user)
        except CircleError as error:
            messages.error(request, str(error))
    return redirect("circles:meeting", circle_id=membership.circle_id, meeting_id=meeting.pk)


@require_POST
@circle_view()
def attendance(request, membership, meeting_id):
    meeting = _meeting(membership, meeting_id)
    members = membership.circle.active_memberships().select_related("user__profile")
    form = AttendanceForm(request.POST, memberships=members, recorded={})
    if not form.is_valid():
        messages.error(request, "Choose present, absent or excused for each member.")
    else:
        try:
            meeting_actions.do_record_attendance(meeting, form.statuses(), acting_user=request.user)
        except CircleError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Attendance saved.")
    return redirect("circles:meeting", circle_id=membership.circle_id, meeting_id=meeting.pk)


# --- Meeting mode ------------------------------------------------------------------------


@circle_view()
def live(request, membership, meeting_id):
    meeting = _meeting(membership, meeting_id)
    agenda = list(meeting.agenda.select_related("ask__author__profile"))
    current = next((i for i in agenda if i.started_at and not i.finished_at), None)
    context = {
        "circle": membership.circle,
        "membership": membership,
        "meeting": meeting,
        "agenda": agenda,
        "current": current,
        "upcoming": [i for i in agenda if i.started_at is None],
        "checkin_minutes": meeting_actions.checkin_minutes(meeting),
        "note_form": TextForm(),
        "notes": current.ask.notes.select_related("author__profile") if current else [],
        "action_items": current.ask.action_items.all() if current else [],
    }
    template = "circles/live.html#live" if request.htmx else "circles/live.html"
    return render(request, template, context)


def _agenda_item(membership, meeting_id, item_id):
    meeting = _meeting(membership, meeting_id)
    return get_object_or_404(meeting.agenda.select_related("ask", "meeting__circle"), pk=item_id)


def _after_live_change(request, membership, meeting_id):
    """htmx swaps the meeting-mode panel in place; without JavaScript, back to the page."""
    if request.htmx:
        return live(request, membership.circle_id, meeting_id=meeting_id)
    return redirect("circles:live", circle_id=membership.circle_id, meeting_id=meeting_id)


@require_POST
@circle_view()
def live_start(request, membership, meeting_id, item_id):
    item = _agenda_item(membership, meeting_id, item_id)
    meeting_actions.do_start_presenter(item, acting_user=request.user)
    return _after_live_change(request, membership, meeting_id)


@require_POST
@circle_view()
def live_finish(request, membership, meeting_id, item_id):
    item = _agenda_item(membership, meeting_id, item_id)
    meeting_actions.do_finish_presenter(item, acting_user=request.user)
    return _after_live_change(request, membership, meeting_id)


@require_POST
@circle_view()
def live_note(request, membership, meeting_id, item_id):
    item = _agenda_item(membership, meeting_id, item_id)
    form = TextForm(request.POST)
    if form.is_valid():
        add = (
            meeting_actions.do_add_action_item
            if request.POST.get("kind") == "action"
            else (meeting_actions.do_add_note)
        )
        add(item.ask, form.cleaned_data["text"], acting_user=request.user)
    return _after_live_change(request, membership, meeting_id)


# --- Asks ---------------------------------------------------------------------------------


@circle_view()
def ask_create(request, membership):
    form = AskForm(posted(request))
    if form.is_valid():
        try:
            ask = meeting_actions.do_submit_ask(membership, **form.cleaned_data)
        except CircleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _ask_placed(ask))
            return redirect("circles:detail", circle_id=membership.circle_id)
    context = {"circle": membership.circle, "membership": membership, "form": form}
    return render(request, "circles/ask_form.html", context)


def _ask_placed(ask) -> str:
    if ask.meeting is None:
        return "Ask saved. It goes on the agenda of the next meeting once one is scheduled."
    when = timezone.localtime(ask.meeting.starts_at).strftime("%A %-d %B")
    return f"Ask saved for the meeting on {when}."


@circle_view()
def ask_detail(request, membership, ask_id):
    ask = get_object_or_404(membership.circle.asks.select_related("author__profile"), pk=ask_id)
    form = TextForm(posted(request), initial={"text": ask.report_back})
    if form.is_valid():
        try:
            meeting_actions.do_report_back(ask, form.cleaned_data["text"], acting_user=request.user)
        except CircleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Thank you for telling the circle how it went.")
            return redirect("circles:ask", circle_id=membership.circle_id, ask_id=ask.pk)
    context = {
        "circle": membership.circle,
        "membership": membership,
        "ask": ask,
        "form": form,
        "notes": ask.notes.select_related("author__profile"),
        "action_items": ask.action_items.all(),
        "is_author": ask.author_id == request.user.pk,
    }
    return render(request, "circles/ask.html", context)


@require_POST
@circle_view()
def action_item_toggle(request, membership, ask_id, action_id):
    ask = get_object_or_404(membership.circle.asks, pk=ask_id)
    meeting_actions.do_toggle_action_item(
        get_object_or_404(ask.action_items, pk=action_id), acting_user=request.user
    )
    return redirect("circles:ask", circle_id=membership.circle_id, ask_id=ask.pk)


# --- Calendar -----------------------------------------------------------------------------


def _event(meeting: Meeting) -> ics.CalendarEvent:
    circle = meeting.circle
    return ics.CalendarEvent(
        uid=f"meeting-{meeting.pk}@peerhaven",
        start=meeting.starts_at,
        end=meeting.ends_at,
        summary=f"{circle.name} (Peerhaven circle)",
        location=meeting.location or circle.location,
        url=absolute_url(reverse("circles:meeting", args=[circle.pk, meeting.pk])),
        sequence=meeting.sequence,
        cancelled=meeting.is_cancelled,
        last_modified=meeting.updated_at,
    )


def _ics_response(events, name: str, filename: str) -> HttpResponse:
    response = HttpResponse(ics.calendar_bytes(events, name=name), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@circle_view()
def meeting_ics(request, membership, meeting_id):
    meeting = _meeting(membership, meeting_id)
    return _ics_response([_event(meeting)], membership.circle.name, f"meeting-{meeting.pk}.ics")


def calendar(request):
    """Where a member gets (or replaces) their personal calendar feed URL."""
    feed_url = None
    if request.method == "POST":
        token = meeting_actions.do_new_calendar_feed(request.user)
        feed_url = absolute_url(reverse("circles:calendar_feed", args=[token]))
    has_feed = CalendarFeed.objects.filter(user=request.user).exists()
    return render(request, "circles/calendar.html", {"feed_url": feed_url, "has_feed": has_feed})


@login_not_required
def calendar_feed(request, token):
    """Calendar apps fetch this without signing in; the secret token is the key, and only
    its hash is stored. A wrong or replaced token is a plain 404."""
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    if feed is None or not feed.user.is_active:
        raise Http404("No such calendar.")
    events = [_event(m) for m in meeting_actions.meetings_for_feed(feed.user)]
    return _ics_response(events, "Peerhaven circles", "peerhaven.ics")
