from __future__ import annotations

import zoneinfo

from django.utils import timezone
from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInMiddleware:
    """Pages shown to a signed-in person may hold personal or confidential content, so no
    browser or proxy cache may keep them (a shared clinic computer's back button included)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class ViewerTimeZoneMiddleware:
    """Show every time in the viewer's own time zone (from their profile); times are stored
    in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        profile = getattr(request.user, "profile", None) if request.user.is_authenticated else None
        if profile is not None:
            timezone.activate(zoneinfo.ZoneInfo(profile.time_zone))
        else:
            timezone.deactivate()
        return self.get_response(request)
