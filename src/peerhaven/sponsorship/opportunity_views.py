"""Placeholder until the opportunities board lands (issue 8, in progress)."""

from __future__ import annotations

from django.http import Http404


def _not_yet(request, **kwargs):
    raise Http404


board = opportunity_new = opportunity_detail = opportunity_edit = _not_yet
opportunity_delete = opportunity_follow = _not_yet
