"""Outcomes pages, one module of routes per part: a member's achievements and record,
surveys, the program report, and the research export."""

from __future__ import annotations

from peerhaven.outcomes import achievement_urls, export_urls, report_urls, survey_urls

app_name = "outcomes"

urlpatterns = [
    *achievement_urls.urlpatterns,
    *survey_urls.urlpatterns,
    *report_urls.urlpatterns,
    *export_urls.urlpatterns,
]
