"""The security baseline every page inherits."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def production_settings(**env) -> dict:
    """Settings as a production process would load them (no PEERHAVEN_DEBUG)."""
    script = (
        "import json, peerhaven.settings as s; print(json.dumps({k: getattr(s, k) for k in "
        "['DEBUG','SESSION_COOKIE_SECURE','CSRF_COOKIE_SECURE','SECURE_HSTS_SECONDS',"
        "'SECURE_SSL_REDIRECT','MFA_REQUIRED_ROLES','SESSION_COOKIE_AGE',"
        "'SESSION_SAVE_EVERY_REQUEST','PASSWORD_HASHERS','EMAIL_DELIVERY_BACKEND']}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PEERHAVEN_")}
    output = subprocess.check_output([sys.executable, "-c", script], env={**clean, **env})
    return json.loads(output)


def test_production_defaults_are_safe():
    prod = production_settings()
    assert prod["DEBUG"] is False
    assert prod["SESSION_COOKIE_SECURE"]
    assert prod["CSRF_COOKIE_SECURE"]
    assert prod["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert prod["SECURE_SSL_REDIRECT"] is True
    assert set(prod["MFA_REQUIRED_ROLES"]) == {
        "site_admin",
        "admin",
        "coordinator",
        "facilitator",
        "researcher",
    }
    assert prod["SESSION_COOKIE_AGE"] == 8 * 60 * 60
    assert prod["SESSION_SAVE_EVERY_REQUEST"] is True  # the age is an idle timeout
    assert prod["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")
    assert prod["EMAIL_DELIVERY_BACKEND"].endswith("smtp.EmailBackend")


def test_local_development_relaxes_only_what_it_must():
    local = production_settings(PEERHAVEN_DEBUG="1")
    assert local["DEBUG"] is True
    assert local["MFA_REQUIRED_ROLES"] == []
    assert local["SESSION_COOKIE_SECURE"] is False
    assert local["EMAIL_DELIVERY_BACKEND"].endswith("console.EmailBackend")


def test_a_malformed_flag_is_a_clear_error():
    with pytest.raises(subprocess.CalledProcessError) as failure:
        subprocess.run(
            [sys.executable, "-c", "import peerhaven.settings"],
            env={**os.environ, "PEERHAVEN_DEBUG": "maybe"},
            check=True,
            capture_output=True,
        )
    assert b"PEERHAVEN_DEBUG must be 1/0" in failure.value.stderr


def test_security_headers_on_every_page(client, client_for, alice):
    for response in (client.get("/"), client_for(alice).get(reverse("accounts:profile_edit"))):
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_signed_in_pages_are_never_cached(client_for, alice):
    response = client_for(alice).get(reverse("dashboard"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_state_changing_views_need_a_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(
        reverse("accounts:separation_add"), {"relation": "supervisor", "email": "x@example.org"}
    )
    assert response.status_code == 403
    assert not alice.separations.exists()
    response = client.post(reverse("accounts:profile_edit"), {"display_name": "Hacked"})
    assert response.status_code == 403


def test_get_never_changes_state(client_for, alice):
    client = client_for(alice)
    assert client.get(reverse("accounts:private_profile_withdraw")).status_code == 405
    assert client.get(reverse("accounts:separation_add")).status_code == 405


def test_signing_in_issues_a_new_session_key(client, alice):
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert client.session.session_key != before


def test_changing_the_password_ends_other_sessions(alice):
    laptop, phone = Client(), Client()
    for device in (laptop, phone):
        device.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
        assert device.get(reverse("accounts:profile_edit")).status_code == 200

    response = laptop.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "another-long-passphrase",
            "password2": "another-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert laptop.get(reverse("accounts:profile_edit")).status_code == 200  # this one stays
    assert phone.get(reverse("accounts:profile_edit")).url.startswith(reverse("account_login"))


def test_session_expires_after_the_idle_timeout(client_for, alice, settings):
    client = client_for(alice)
    client.get(reverse("dashboard"))
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    # An idle timeout: every request pushes the expiry forward.
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
