from __future__ import annotations

from django.urls import path

from peerhaven.programs import matching_views, views

app_name = "programs"

urlpatterns = [
    path("", views.program_list, name="list"),
    path("new/", views.program_create, name="create"),
    path("facilitating/", views.facilitating, name="facilitating"),
    path("<int:program_id>/", views.program_detail, name="detail"),
    path("<int:program_id>/edit/", views.program_edit, name="edit"),
    path("<int:program_id>/policy/", views.policy_edit, name="policy"),
    path("<int:program_id>/enrollments/", views.enrollments, name="enrollments"),
    path(
        "<int:program_id>/enrollments/<int:enrollment_id>/state/",
        views.enrollment_state,
        name="enrollment_state",
    ),
    path("<int:program_id>/questions/", views.questions, name="questions"),
    path(
        "<int:program_id>/questions/<int:question_id>/delete/",
        views.question_delete,
        name="question_delete",
    ),
    path("<int:program_id>/roster/", views.roster_upload, name="roster"),
    path("<int:program_id>/roster/confirm/", views.roster_confirm, name="roster_confirm"),
    path("<int:program_id>/join-link/", views.join_link, name="join_link"),
    path("<int:program_id>/join/<str:token>/", views.join, name="join"),
    path("<int:program_id>/apply/", views.apply, name="apply"),
    path("<int:program_id>/intake/", views.intake, name="intake"),
    path("<int:program_id>/pair/", views.pair, name="pair"),
    path("<int:program_id>/runs/", matching_views.runs, name="runs"),
    path("<int:program_id>/runs/start/", matching_views.run_start, name="run_start"),
    path(
        "<int:program_id>/runs/late-joiners/",
        matching_views.place_late_joiners,
        name="place_late_joiners",
    ),
    path("<int:program_id>/runs/<int:run_id>/", matching_views.run_detail, name="run"),
    path(
        "<int:program_id>/runs/<int:run_id>/cancel/", matching_views.run_cancel, name="run_cancel"
    ),
    path("<int:program_id>/runs/<int:run_id>/move/", matching_views.run_move, name="run_move"),
    path("<int:program_id>/runs/<int:run_id>/lock/", matching_views.run_lock, name="run_lock"),
    path("<int:program_id>/runs/<int:run_id>/rerun/", matching_views.run_rerun, name="run_rerun"),
    path(
        "<int:program_id>/runs/<int:run_id>/publish/",
        matching_views.run_publish,
        name="run_publish",
    ),
]
