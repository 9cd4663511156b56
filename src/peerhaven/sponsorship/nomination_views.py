"""Placeholder until nominations land (issue 8, in progress)."""

from __future__ import annotations

from django.http import Http404


def _not_yet(request, **kwargs):
    raise Http404


nominate = my_nominations = nomination = nomination_statement = _not_yet
nomination_respond = nomination_status = letter_request = _not_yet
nomination_achievement = letter_done = _not_yet
