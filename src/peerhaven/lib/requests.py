"""Small helpers for reading a request in a view."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def posted(request):
    """The form data of a POST, or None for a GET, so one form serves both (an empty POST,
    such as a grid with every box unticked, is still a submission)."""
    return request.POST if request.method == "POST" else None


def posted_id(request, name: str) -> int | None:
    """A row id from a form; anything that is not one (tampered or missing) is None."""
    return _row_id(request.POST.get(name, ""))


def query_id(request, name: str) -> int | None:
    """A row id from the query string (``?reply=12``), or None."""
    return _row_id(request.GET.get(name, ""))


def _row_id(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def safe_next(request) -> str | None:
    """Where to go back to after a form (``?next=`` or a posted ``next``), if it is a page
    of this site; anything else is ignored, so the link cannot send people elsewhere."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None
