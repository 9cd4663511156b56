"""Every URL, as every role: the one place that shows who can reach what.

The table must name every URL pattern the resolver knows; a new URL without a row fails
``test_every_url_is_in_the_matrix``. Expected outcomes:

- a status code (200, 404, 405, ...)
- LOGIN: redirected to the sign-in page
- ADMIN_LOGIN: redirected to the admin's sign-in (which is allauth's, so MFA applies)
- REDIRECT: redirected elsewhere (a flow step, e.g. "you have no second factor yet")
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from peerhaven.accounts.models import Separation

pytestmark = pytest.mark.django_db

LOGIN, ADMIN_LOGIN, REDIRECT = "login", "admin-login", "redirect"
ROLES = ("anonymous", "member", "staff", "site_admin")


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome, anonymous=LOGIN):
    return {"anonymous": anonymous, "member": outcome, "staff": outcome, "site_admin": outcome}


# (url name, method) -> {role: expected outcome}
MATRIX = {
    ("dashboard", "get"): everyone(200),
    ("accounts:profile_edit", "get"): signed_in(200),
    ("accounts:availability", "get"): signed_in(200),
    ("accounts:separation_add", "get"): signed_in(405),
    ("accounts:separation_remove", "get"): signed_in(405),
    # Only the owner (alice, not one of the roles here) may remove her separation.
    ("accounts:separation_remove", "post"): signed_in(404),
    ("accounts:private_profile", "get"): signed_in(200),
    ("accounts:private_profile_withdraw", "get"): signed_in(405),
    ("accounts:private_profile_withdraw", "post"): signed_in(REDIRECT),
    # allauth: sign-in and sign-up pages send signed-in people home.
    ("account_login", "get"): signed_in(REDIRECT, anonymous=200),
    ("account_signup", "get"): signed_in(REDIRECT, anonymous=200),
    ("account_logout", "get"): signed_in(200, anonymous=REDIRECT),
    ("account_inactive", "get"): everyone(200),
    ("account_reauthenticate", "get"): signed_in(200),
    ("account_request_reauthentication_code", "get"): signed_in(200),
    ("account_confirm_reauthentication_code", "get"): signed_in(REDIRECT),
    ("account_email", "get"): signed_in(200),
    ("account_email_verification_sent", "get"): everyone(200),
    ("account_change_password", "get"): signed_in(200),
    ("account_set_password", "get"): signed_in(REDIRECT),
    ("account_reset_password", "get"): everyone(200),
    ("account_reset_password_done", "get"): everyone(200),
    ("account_reset_password_from_key", "get"): everyone(200),
    ("account_reset_password_from_key_done", "get"): everyone(200),
    ("account_confirm_login_code", "get"): signed_in(REDIRECT),
    ("account_confirm_email", "get"): everyone(200),
    ("mfa_index", "get"): signed_in(200),
    ("mfa_authenticate", "get"): signed_in(REDIRECT),
    ("mfa_reauthenticate", "get"): signed_in(REDIRECT),
    ("mfa_activate_totp", "get"): signed_in(REDIRECT),
    # Managing a second factor one does not have: there is nothing to show.
    ("mfa_deactivate_totp", "get"): signed_in(404),
    ("mfa_view_recovery_codes", "get"): signed_in(404),
    ("mfa_generate_recovery_codes", "get"): signed_in(REDIRECT),
    ("mfa_download_recovery_codes", "get"): signed_in(404),
    # The admin's own sign-in hands over to allauth; signed-in non-admins are refused.
    ("admin:login", "get"): {
        "anonymous": LOGIN,
        "member": 403,
        "staff": 403,
        "site_admin": REDIRECT,
    },
    ("admin:logout", "get"): {
        "anonymous": ADMIN_LOGIN,
        "member": REDIRECT,
        "staff": REDIRECT,
        "site_admin": 405,
    },
}

# The Django admin is for site admins only; everyone else is sent to sign in as one.
ADMIN_RULE = {
    "anonymous": {LOGIN, ADMIN_LOGIN},
    "member": ADMIN_LOGIN,
    "staff": ADMIN_LOGIN,
    # Not an error page: 302 where the sample object is not there (the admin says so),
    # 403 where a model's admin allows no deletion, 404 for "view on site" of nothing.
    "site_admin": {200, REDIRECT, 403, 404},
}

SAMPLE_KWARGS = {
    "key": "not-a-real-key",
    "uidb36": "1",
    "app_label": "accounts",
    "content_type_id": "1",
}


def url_names(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def test_every_url_is_in_the_matrix():
    listed = {name for name, _method in MATRIX}
    missing = [
        name for name, _ in url_names() if name not in listed and not name.startswith("admin:")
    ]
    assert missing == [], f"add these URLs to the access matrix: {missing}"
    unknown = listed - {name for name, _ in url_names()}
    assert unknown == set(), f"the matrix names URLs that do not exist: {unknown}"


@pytest.fixture
def people(bob, dana, sam):
    return {"anonymous": None, "member": bob, "staff": dana, "site_admin": sam}


@pytest.fixture
def alices_separation(alice):
    return Separation.objects.create(owner=alice, relation="supervisor", email="x@example.org")


def build_url(name, pattern, objects) -> str:
    kwargs = {}
    for key in pattern.pattern.regex.groupindex:
        if key == "pk":
            kwargs[key] = objects["separation"].pk
        elif key in ("object_id", "id"):
            kwargs[key] = objects["user"].pk
        else:
            kwargs[key] = SAMPLE_KWARGS[key]
    return reverse(name, kwargs=kwargs)


def outcome_of(response) -> object:
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(reverse("admin:login")):
        return ADMIN_LOGIN
    if location.startswith(reverse("account_login")):
        return LOGIN
    return REDIRECT


def client_as(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def expectations():
    for name, pattern in url_names():
        rows = [(method, want) for (listed, method), want in MATRIX.items() if listed == name]
        if not rows and name.startswith("admin:"):
            rows = [("get", ADMIN_RULE)]
        for method, expected in rows:
            yield name, pattern, method, expected


def test_every_url_as_every_role(people, alices_separation, alice):
    objects = {"separation": alices_separation, "user": alice}
    wrong = []
    for name, pattern, method, expected in expectations():
        url = build_url(name, pattern, objects)
        for role, person in people.items():
            got = outcome_of(getattr(client_as(person), method)(url))
            want = expected[role]
            if not (got in want if isinstance(want, set) else got == want):
                wrong.append(f"{method.upper()} {name} as {role}: expected {want}, got {got}")
    assert wrong == [], "\n".join(wrong)
    assert Separation.objects.filter(pk=alices_separation.pk).exists()
