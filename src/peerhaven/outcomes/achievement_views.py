"""A member's own achievements: the log, adding and editing by hand, imports from files, and
the mentoring record. Nobody else reaches another member's log (404, staff included)."""

from __future__ import annotations

from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from peerhaven.lib.pdf import pdf_response
from peerhaven.lib.requests import posted
from peerhaven.outcomes import importers
from peerhaven.outcomes.achievement_forms import (
    AchievementForm,
    ImportConfirmForm,
    ImportForm,
    SharingForm,
)
from peerhaven.outcomes.achievements import (
    AchievementError,
    achievements_of,
    build_preview,
    by_year,
    candidate,
    do_delete_achievement,
    do_import_achievements,
    do_save_achievement,
    do_set_sharing_for_all,
    forget_upload,
    get_own_achievement,
    recall_upload,
    remember_upload,
)
from peerhaven.outcomes.models import Achievement
from peerhaven.outcomes.record import build_record

# --- The log --------------------------------------------------------------------------


def achievement_list(request):
    kind = request.GET.get("kind")
    kind = kind if kind in Achievement.Kind.values else None
    rows = achievements_of(request.user)
    counts = list(rows.order_by().values_list("kind", "sharing").annotate(n=Count("pk")))
    shown = rows.filter(kind=kind) if kind else rows
    context = {
        "years": by_year(shown),
        "kind": kind,
        "kind_label": Achievement.Kind(kind).label if kind else "",
        "filters": _kind_filters(counts),
        "total": sum(n for _, _, n in counts),
        "sharing_counts": _sharing_counts(counts),
        "sharing_form": SharingForm(initial={"sharing": _common_sharing(counts)}),
    }
    return render(request, "outcomes/achievements/list.html", context)


def _kind_filters(counts) -> list[tuple[str, str, int]]:
    by_kind: dict[str, int] = {}
    for kind, _sharing, n in counts:
        by_kind[kind] = by_kind.get(kind, 0) + n
    return [(value, label, by_kind[value]) for value, label in Achievement.Kind.choices
            if value in by_kind]  # fmt: skip


def _sharing_counts(counts) -> list[tuple[str, int]]:
    by_sharing: dict[str, int] = {}
    for _kind, sharing, n in counts:
        by_sharing[sharing] = by_sharing.get(sharing, 0) + n
    return [(label, by_sharing[value]) for value, label in Achievement.Sharing.choices
            if value in by_sharing]  # fmt: skip


def _common_sharing(counts) -> str:
    values = {sharing for _kind, sharing, _n in counts}
    return values.pop() if len(values) == 1 else Achievement.Sharing.AGGREGATE


def achievement_add(request):
    form = AchievementForm(posted(request), owner=request.user)
    if form.is_valid() and _saved(request, form):
        messages.success(request, f"Added “{form.instance.title}” to your log.")
        return redirect("outcomes:achievements")
    return render(request, "outcomes/achievements/form.html", {"form": form})


def achievement_edit(request, achievement_id):
    achievement = get_own_achievement(request.user, achievement_id)
    form = AchievementForm(posted(request), instance=achievement, owner=request.user)
    if form.is_valid() and _saved(request, form):
        messages.success(request, f"Saved “{achievement.title}”.")
        return redirect("outcomes:achievements")
    context = {"form": form, "achievement": achievement}
    return render(request, "outcomes/achievements/form.html", context)


def _saved(request, form) -> bool:
    try:
        do_save_achievement(form.save(commit=False), acting_user=request.user)
    except AchievementError as error:
        form.add_error(None, str(error))
        return False
    return True


@require_POST
def achievement_delete(request, achievement_id):
    achievement = get_own_achievement(request.user, achievement_id)
    do_delete_achievement(achievement, acting_user=request.user)
    messages.success(request, f"Deleted “{achievement.title}”.")
    return redirect("outcomes:achievements")


@require_POST
def achievement_sharing(request):
    form = SharingForm(request.POST)
    if form.is_valid():
        changed = do_set_sharing_for_all(form.cleaned_data["sharing"], acting_user=request.user)
        label = Achievement.Sharing(form.cleaned_data["sharing"]).label
        messages.success(request, f"All your achievements: {label.lower()} ({changed} changed).")
    else:
        messages.error(request, "Choose one of the listed options.")
    return redirect("outcomes:achievements")


# --- Imports --------------------------------------------------------------------------


class _SizeLimit(FileUploadHandler):
    """Stops keeping an uploaded file once it passes the import limit: the rest of a 20 MB
    upload is read off the connection and dropped, never held in memory or on disk."""

    def __init__(self, request=None):
        super().__init__(request)
        self.exceeded = False
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > importers.MAX_IMPORT_BYTES:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


@csrf_exempt
def achievement_import(request):
    # The size limit must be in place before anything reads the body, and the CSRF check
    # reads it: so the check is made below, once the limit is in (Django's documented way).
    limit = _SizeLimit(request)
    request.upload_handlers.insert(0, limit)
    return _achievement_import(request, limit)


@csrf_protect
def _achievement_import(request, limit: _SizeLimit):
    form = ImportForm(posted(request), request.FILES or None, too_large=limit.exceeded)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            parsed = importers.parse_file(
                upload.read(importers.MAX_IMPORT_BYTES + 1),
                filename=upload.name or "",
                format=form.cleaned_data["format"],
            )
        except importers.UnreadableFile as unreadable:
            form.add_error("file", str(unreadable))
        else:
            remember_upload(request.user, parsed, upload.name or "")
            return redirect("outcomes:achievement_import_preview", fingerprint=parsed.fingerprint)
    return render(request, "outcomes/achievements/import.html", {"form": form})


def achievement_import_preview(request, fingerprint):
    kept = recall_upload(request.user, fingerprint)
    if kept is None:
        messages.error(request, "That preview has expired. Upload the file again.")
        return redirect("outcomes:achievement_import")
    parsed, filename = kept
    context = {
        "parsed": parsed,
        "format_label": importers.FORMATS[parsed.format],
        "filename": filename,
        "preview": build_preview(request.user, parsed),
        "kinds": Achievement.Kind.choices,
        "form": ImportConfirmForm(),
    }
    return render(request, "outcomes/achievements/preview.html", context)


@require_POST
def achievement_import_confirm(request, fingerprint):
    kept = recall_upload(request.user, fingerprint)
    if kept is None:
        # Most often a second click on the button: the first one imported the file.
        messages.info(
            request,
            "Nothing more to add: this file was imported already, or its preview expired. "
            "Upload it again to check.",
        )
        return redirect("outcomes:achievements")
    form = ImportConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what your programs may count of these achievements.")
        return redirect("outcomes:achievement_import_preview", fingerprint=fingerprint)
    parsed, _filename = kept
    result = do_import_achievements(
        [candidate(entry) for entry in parsed.entries],
        source=parsed.format,
        sharing=form.cleaned_data["sharing"],
        acting_user=request.user,
    )
    forget_upload(request.user, fingerprint)
    messages.success(
        request,
        f"{result.added} added to your log"
        + (f"; {result.already_there} were already there." if result.already_there else "."),
    )
    return redirect("outcomes:achievements")


# --- The mentoring record ---------------------------------------------------------------


def record(request):
    context = build_record(request.user, hide_circle_names=_hide_names(request))
    return render(request, "outcomes/record.html", context)


def record_pdf(request):
    context = build_record(request.user, hide_circle_names=_hide_names(request))
    title = f"Mentoring record {request.user.display_name}"
    return pdf_response("outcomes/record_pdf.html", context, title=title, request=request)


def _hide_names(request) -> bool:
    return request.GET.get("circle_names") == "hidden"
