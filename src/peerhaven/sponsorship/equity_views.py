"""Placeholder until the equity view lands (issue 8, in progress)."""

from __future__ import annotations

from django.http import Http404


def equity(request, **kwargs):
    raise Http404
