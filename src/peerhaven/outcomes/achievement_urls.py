"""A member's own achievements and mentoring record (``achievement_views.py``)."""

from __future__ import annotations

from django.urls import path

from peerhaven.outcomes import achievement_views as views

urlpatterns = [
    path("achievements/", views.achievement_list, name="achievements"),
    path("achievements/add/", views.achievement_add, name="achievement_add"),
    path("achievements/<int:achievement_id>/", views.achievement_edit, name="achievement_edit"),
    path(
        "achievements/<int:achievement_id>/delete/",
        views.achievement_delete,
        name="achievement_delete",
    ),
    path("achievements/sharing/", views.achievement_sharing, name="achievement_sharing"),
    path("achievements/import/", views.achievement_import, name="achievement_import"),
    path(
        "achievements/import/<str:fingerprint>/",
        views.achievement_import_preview,
        name="achievement_import_preview",
    ),
    path(
        "achievements/import/<str:fingerprint>/confirm/",
        views.achievement_import_confirm,
        name="achievement_import_confirm",
    ),
    path("achievements/record/", views.record, name="record"),
    path("achievements/record/pdf/", views.record_pdf, name="record_pdf"),
]
