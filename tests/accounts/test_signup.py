from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from peerhaven.accounts.models import Profile, User

pytestmark = pytest.mark.django_db


def sign_up(client, email="new.person@example.org", name="Nia Osei, MD"):
    return client.post(
        reverse("account_signup"),
        {
            "display_name": name,
            "email": email,
            "password1": "a-long-test-passphrase",
            "password2": "a-long-test-passphrase",
        },
    )


def confirmation_link(message) -> str:
    return re.search(r"https?://[^/]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)


def test_sign_up_verify_and_land_on_profile(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client)
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.person@example.org")
    assert Profile.objects.get(user=user).display_name == "Nia Osei, MD"
    assert user.password.startswith("md5$")  # hashed, never stored as typed

    [message] = mail.outbox
    assert message.to == ["new.person@example.org"]
    link = confirmation_link(message)
    assert "_auth_user_id" not in client.session  # not signed in before verifying

    response = client.post(link)
    assert response.status_code == 302
    assert response.url == reverse("accounts:profile_edit")  # incomplete profile comes first
    assert client.get(reverse("dashboard")).context["profile"].user == user


def test_sign_up_keeps_what_was_typed_on_bad_input(client):
    response = client.post(
        reverse("account_signup"),
        {"display_name": "Nia", "email": "not-an-address", "password1": "short", "password2": "x"},
    )
    assert response.status_code == 200
    assert User.objects.count() == 0
    body = response.content.decode()
    assert 'value="Nia"' in body
    assert "Enter a valid email address." in body


def test_no_email_is_sent_when_signup_fails(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), {"email": "x@example.org"})
    assert mail.outbox == []


def test_unverified_address_cannot_sign_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client)
    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": "new.person@example.org", "password": "a-long-test-passphrase"},
    )
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_login_gives_the_same_answer_for_unknown_and_known_addresses(client, alice):
    known = client.post(reverse("account_login"), {"login": alice.email, "password": "wrong-one"})
    unknown = client.post(
        reverse("account_login"), {"login": "nobody@example.org", "password": "wrong-one"}
    )
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors


def test_password_reset_gives_the_same_answer_for_unknown_and_known_addresses(
    client, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("account_reset_password"), {"email": alice.email})
        unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    # Both get an e-mail; the unknown one is told no account exists, so nothing leaks on screen.
    assert sorted(m.to[0] for m in mail.outbox) == [alice.email, "nobody@example.org"]


def test_failed_logins_are_throttled_through_the_shared_cache(client, alice, settings):
    assert "LocMemCache" not in settings.CACHES["default"]["BACKEND"]
    for _ in range(5):
        client.post(reverse("account_login"), {"login": alice.email, "password": "wrong-one"})
    response = client.post(reverse("account_login"), {"login": alice.email, "password": "x"})
    assert (
        response.status_code == 429 or "Too many failed login attempts" in response.content.decode()
    )
    # Even the right password is refused while throttled.
    client.post(
        reverse("account_login"), {"login": alice.email, "password": "a-long-test-passphrase"}
    )
    assert "_auth_user_id" not in client.session
