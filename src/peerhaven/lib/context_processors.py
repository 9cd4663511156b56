from __future__ import annotations

from django.urls import reverse

# The main sections, in the order members meet them. Each app adds its entry here when
# its pages exist, so the navigation never links to a page that is not there.
NAVIGATION = [
    ("dashboard", "Home"),
    ("circles:list", "Circles"),
    ("programs:list", "Programs"),
    ("communities:list", "Communities"),
    ("sponsorship:board", "Sponsorship"),
    ("outcomes:achievements", "Achievements"),
    ("accounts:profile_edit", "Profile"),
]


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    items = []
    for name, label in NAVIGATION:
        url = reverse(name)
        items.append({"url": url, "label": label, "current": _is_current(url, request.path)})
    return {"navigation": items}


def _is_current(url: str, path: str) -> bool:
    """A section is current on every page under its address (a circle's page is under
    Circles, a program's report under Programs); Home only on the home page itself."""
    return path == url if url == "/" else path.startswith(url)
