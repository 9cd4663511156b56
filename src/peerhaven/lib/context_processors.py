from __future__ import annotations

from django.urls import reverse

# The main sections, in the order members meet them. Each app adds its entry here when
# its pages exist, so the navigation never links to a page that is not there.
NAVIGATION = [
    ("dashboard", "Home"),
    ("circles:list", "Circles"),
    ("programs:list", "Programs"),
    ("communities:list", "Communities"),
    ("outcomes:achievements", "Achievements"),
    ("accounts:profile_edit", "Profile"),
]


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    match = request.resolver_match
    items = [
        {"url": reverse(name), "label": label, "current": _is_current(name, match)}
        for name, label in NAVIGATION
    ]
    return {"navigation": items}


def _is_current(name: str, match) -> bool:
    """A section is current on any of its app's pages (a circle's page is under Circles)."""
    if match is None:
        return False
    namespace = name.split(":")[0] if ":" in name else None
    return match.view_name == name or (namespace is not None and match.namespace == namespace)
