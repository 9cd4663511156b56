from __future__ import annotations

from django.urls import path

from peerhaven.circles import meeting_views, views

app_name = "circles"

meeting = "<int:circle_id>/meetings/<int:meeting_id>/"

urlpatterns = [
    path("", views.circle_list, name="list"),
    path("new/", views.circle_create, name="create"),
    path(
        "invitations/<int:invitation_id>/accept/",
        views.invitation_accept_own,
        name="invitation_accept_own",
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("calendar/", meeting_views.calendar, name="calendar"),
    path("calendar/<str:token>.ics", meeting_views.calendar_feed, name="calendar_feed"),
    path("<int:circle_id>/", views.circle_detail, name="detail"),
    path("<int:circle_id>/join/", views.join, name="join"),
    path("<int:circle_id>/charter/", views.charter, name="charter"),
    path("<int:circle_id>/charter/edit/", views.charter_edit, name="charter_edit"),
    path("<int:circle_id>/members/", views.members, name="members"),
    path("<int:circle_id>/members/invite/", views.invite, name="invite"),
    path(
        "<int:circle_id>/members/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<int:circle_id>/members/admissions/<int:admission_id>/vote/", views.vote, name="vote"),
    path("<int:circle_id>/members/leave/", views.leave, name="leave"),
    path("<int:circle_id>/members/convener/", views.transfer_convener, name="transfer_convener"),
    path(
        "<int:circle_id>/members/notifications/",
        views.notification_preference,
        name="notification_preference",
    ),
    path("<int:circle_id>/settings/", views.circle_settings, name="settings"),
    path("<int:circle_id>/settings/state/", views.change_state, name="change_state"),
    path("<int:circle_id>/schedule/", meeting_views.schedule_edit, name="schedule"),
    path("<int:circle_id>/thread/", views.thread, name="thread"),
    path("<int:circle_id>/asks/new/", meeting_views.ask_create, name="ask_create"),
    path("<int:circle_id>/asks/<int:ask_id>/", meeting_views.ask_detail, name="ask"),
    path(
        "<int:circle_id>/asks/<int:ask_id>/actions/<int:action_id>/toggle/",
        meeting_views.action_item_toggle,
        name="action_item_toggle",
    ),
    path(meeting, meeting_views.meeting_detail, name="meeting"),
    path(meeting + "move/", meeting_views.meeting_move, name="meeting_move"),
    path(meeting + "cancel/", meeting_views.meeting_cancel, name="meeting_cancel"),
    path(meeting + "agenda/", meeting_views.agenda_reorder, name="agenda_reorder"),
    path(meeting + "attendance/", meeting_views.attendance, name="attendance"),
    path(meeting + "meeting.ics", meeting_views.meeting_ics, name="meeting_ics"),
    path(meeting + "live/", meeting_views.live, name="live"),
    path(meeting + "live/<int:item_id>/start/", meeting_views.live_start, name="live_start"),
    path(meeting + "live/<int:item_id>/finish/", meeting_views.live_finish, name="live_finish"),
    path(meeting + "live/<int:item_id>/notes/", meeting_views.live_note, name="live_note"),
]
