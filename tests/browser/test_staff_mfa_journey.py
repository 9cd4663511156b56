from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from peerhaven.orgs.models import Organization, StaffRole
from tests.browser.conftest import check_page
from tests.conftest import PASSWORD, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def test_coordinator_must_add_an_authenticator_before_anything_else(page, settings):
    settings.MFA_REQUIRED_ROLES = ["coordinator"]
    dana = make_member("dana@example.org", "Dana Diaz", career_stage="staff_other")
    org = Organization.objects.create(name="Lakeshore", slug="lakeshore", kind="institution")
    StaffRole.objects.create(organization=org, user=dana, role=StaffRole.Role.COORDINATOR)

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(dana.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    # Sent to confirm the password once more, then to the authenticator set-up.
    page.get_by_text("Your role needs two-factor authentication").wait_for()
    check_page(page, "mfa-reauthenticate")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    page.get_by_label("Authenticator secret").wait_for()
    check_page(page, "mfa-activate")
    page.get_by_label("Authenticator code").fill("000000")
    page.get_by_role("button", name="Activate").click()
    page.get_by_text("Incorrect code").wait_for()
    assert not Authenticator.objects.filter(user=dana).exists()

    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(current_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.get_by_role("heading", name="Recovery Codes").wait_for()
    check_page(page, "mfa-recovery-codes")

    page.goto("/")
    page.get_by_role("heading", name="Welcome, Dana Diaz").wait_for()
    assert page.get_by_text("Two-factor authentication is on.").is_visible()
    assert page.get_by_text("Program coordinator — Lakeshore").is_visible()
