from __future__ import annotations

from django.urls import path

from peerhaven.sponsorship import equity_views, nomination_views, opportunity_views

app_name = "sponsorship"

urlpatterns = [
    path("", opportunity_views.board, name="board"),
    path("new/", opportunity_views.opportunity_new, name="opportunity_new"),
    path("<int:opportunity_id>/", opportunity_views.opportunity_detail, name="opportunity"),
    path("<int:opportunity_id>/edit/", opportunity_views.opportunity_edit, name="opportunity_edit"),
    path(
        "<int:opportunity_id>/delete/",
        opportunity_views.opportunity_delete,
        name="opportunity_delete",
    ),
    path(
        "<int:opportunity_id>/follow/",
        opportunity_views.opportunity_follow,
        name="opportunity_follow",
    ),
    path("<int:opportunity_id>/nominate/", nomination_views.nominate, name="nominate"),
    path("nominations/", nomination_views.my_nominations, name="nominations"),
    path("nominations/<int:nomination_id>/", nomination_views.nomination, name="nomination"),
    path(
        "nominations/<int:nomination_id>/statement/",
        nomination_views.nomination_statement,
        name="nomination_statement",
    ),
    path(
        "nominations/<int:nomination_id>/respond/",
        nomination_views.nomination_respond,
        name="nomination_respond",
    ),
    path(
        "nominations/<int:nomination_id>/status/",
        nomination_views.nomination_status,
        name="nomination_status",
    ),
    path(
        "nominations/<int:nomination_id>/letters/",
        nomination_views.letter_request,
        name="letter_request",
    ),
    path(
        "nominations/<int:nomination_id>/achievement/",
        nomination_views.nomination_achievement,
        name="nomination_achievement",
    ),
    path("letters/<int:letter_id>/done/", nomination_views.letter_done, name="letter_done"),
    path("organizations/<int:organization_id>/equity/", equity_views.equity, name="equity"),
]
