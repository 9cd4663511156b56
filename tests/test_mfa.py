from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def mfa_required(settings):
    settings.MFA_REQUIRED_ROLES = settings.STAFF_ROLES


def test_staff_must_set_up_a_second_factor_first(mfa_required, client, dana):
    response = client.post(reverse("account_login"), {"login": dana.email, "password": PASSWORD})
    assert client.get(response.url).url == reverse("mfa_activate_totp")
    assert client.get(reverse("accounts:profile_edit")).url == reverse("mfa_activate_totp")
    # allauth asks for the password once more before adding a factor; that page stays open.
    reauthenticate = client.get(reverse("mfa_activate_totp"))
    assert reauthenticate.url.startswith(reverse("account_reauthenticate"))
    response = client.post(reauthenticate.url, {"password": PASSWORD})
    assert response.url == reverse("mfa_activate_totp")
    setup_page = client.get(reverse("mfa_activate_totp"))
    assert setup_page.status_code == 200
    assert "Authenticator" in setup_page.content.decode()


def test_site_admins_too(mfa_required, client_for, sam):
    assert client_for(sam).get(reverse("admin:index")).url == reverse("mfa_activate_totp")


def test_members_are_not_forced(mfa_required, client_for, bob):
    assert client_for(bob).get(reverse("accounts:profile_edit")).status_code == 200


def test_staff_with_a_second_factor_go_on(mfa_required, client_for, dana):
    TOTP.activate(dana, generate_totp_secret())
    assert client_for(dana).get(reverse("accounts:profile_edit")).status_code == 200


def test_staff_can_still_sign_out(mfa_required, client_for, dana):
    response = client_for(dana).post(reverse("account_logout"))
    assert response.status_code == 302
    assert response.url != reverse("mfa_activate_totp")


def test_off_when_no_role_requires_it(client_for, dana):
    assert client_for(dana).get(reverse("accounts:profile_edit")).status_code == 200


def test_totp_secrets_are_encrypted_at_rest(dana):
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    secret = generate_totp_secret()
    TOTP.activate(dana, secret)
    stored = Authenticator.objects.get(user=dana, type=Authenticator.Type.TOTP).data["secret"]
    assert secret not in stored
    assert get_adapter().decrypt(stored) == secret


def test_each_role_can_be_required_on_its_own(settings, client_for, dana, sam, bob):
    settings.MFA_REQUIRED_ROLES = ["site_admin"]
    assert client_for(sam).get(reverse("dashboard")).url == reverse("mfa_activate_totp")
    assert client_for(dana).get(reverse("dashboard")).status_code == 200  # a coordinator

    settings.MFA_REQUIRED_ROLES = ["member"]
    assert client_for(bob).get(reverse("dashboard")).url == reverse("mfa_activate_totp")
