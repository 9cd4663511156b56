"""Small helpers for reading a request in a view."""

from __future__ import annotations


def posted(request):
    """The form data of a POST, or None for a GET, so one form serves both (an empty POST,
    such as a grid with every box unticked, is still a submission)."""
    return request.POST if request.method == "POST" else None


def posted_id(request, name: str) -> int | None:
    """A row id from a form; anything that is not one (tampered or missing) is None."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else None
