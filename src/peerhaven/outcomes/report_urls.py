from __future__ import annotations

from django.urls import path

from peerhaven.outcomes import report_views

urlpatterns = [
    path("programs/<int:program_id>/report/", report_views.report, name="program_report"),
    path(
        "programs/<int:program_id>/report.pdf", report_views.report_pdf, name="program_report_pdf"
    ),
]
