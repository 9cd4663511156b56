from __future__ import annotations

from django.urls import reverse

# The main sections, in the order members meet them. Each app adds its entry here when
# its pages exist, so the navigation never links to a page that is not there.
NAVIGATION = [
    ("dashboard", "Home"),
    ("accounts:profile_edit", "Profile"),
]


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = [
        {"url": reverse(name), "label": label, "current": name == current}
        for name, label in NAVIGATION
    ]
    return {"navigation": items}
