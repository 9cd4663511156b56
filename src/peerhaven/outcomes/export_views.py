"""The research export page: for a program's researchers only, after their password."""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render

from peerhaven.lib.requests import posted
from peerhaven.orgs.models import StaffRole
from peerhaven.outcomes import research_export
from peerhaven.outcomes.export_actions import do_export_research_dataset
from peerhaven.outcomes.export_forms import ResearchExportForm
from peerhaven.programs.access import program_view

logger = logging.getLogger(__name__)

EXPORT_ROLES = (StaffRole.Role.RESEARCHER,)
# Wrong passwords allowed per person in a sliding window before exports are refused.
MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 15 * 60
LOG_SHOWN = 100


@program_view(roles=EXPORT_ROLES)
def research_export_page(request, program):
    waves = research_export.waves_for_export(program)
    if request.method == "POST" and _locked_out(request.user):
        form = ResearchExportForm(None, waves=waves, user=request.user)
        return _page(request, program, form, locked=True, status=429)
    form = ResearchExportForm(posted(request), waves=waves, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            return _download(request, program, form)
        if form.wrong_password:
            _note_failure(request.user, program)
    return _page(request, program, form, locked=_locked_out(request.user))


def _download(request, program, form) -> HttpResponse:
    export = do_export_research_dataset(program, form.contents(), acting_user=request.user)
    cache.delete(_failures_key(request.user))
    response = HttpResponse(export.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _page(request, program, form, *, locked: bool, status: int = 200):
    exports = program.research_exports.select_related("exported_by__profile")[:LOG_SHOWN]
    context = {
        "program": program,
        "form": form,
        "locked": locked,
        "exports": exports,
        "log_shown": LOG_SHOWN,
        "smallest_category": research_export.SMALLEST_CATEGORY,
        "window_minutes": FAILURE_WINDOW_SECONDS // 60,
    }
    return render(request, "outcomes/export.html", context, status=status)


def _failures_key(user) -> str:
    return f"research-export-failures:{user.pk}"


def _recent_failures(user) -> list[float]:
    cutoff = time.time() - FAILURE_WINDOW_SECONDS
    return [moment for moment in cache.get(_failures_key(user), []) if moment > cutoff]


def _locked_out(user) -> bool:
    return len(_recent_failures(user)) >= MAX_FAILURES


def _note_failure(user, program) -> None:
    failures = [*_recent_failures(user), time.time()]
    cache.set(_failures_key(user), failures, FAILURE_WINDOW_SECONDS)
    logger.warning(
        "Research export refused: wrong password (user %s, program %s, %s in %s minutes)",
        user.pk,
        program.pk,
        len(failures),
        FAILURE_WINDOW_SECONDS // 60,
    )
