from __future__ import annotations

from django.urls import path

from peerhaven.outcomes import export_views

urlpatterns = [
    path(
        "programs/<int:program_id>/research-export/",
        export_views.research_export_page,
        name="research_export",
    ),
]
