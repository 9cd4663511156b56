from __future__ import annotations

import re

import pytest
from django.core import mail

from peerhaven.accounts.models import Profile, User
from tests.browser.conftest import check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-passphrase"


def test_sign_up_verify_complete_profile_and_availability(page):
    page.goto("/")
    check_page(page, "landing")
    page.get_by_role("link", name="Join Peerhaven").first.click()

    check_page(page, "signup")
    page.get_by_label("Your name").fill("Nia Osei, MD")
    page.get_by_label("Email").fill("nia.osei@example.org")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again):").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_role("heading", name="Verify Your Email Address").wait_for()
    check_page(page, "verify-email-sent")

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    check_page(page, "confirm-email")
    page.get_by_role("button", name="Confirm").click()

    page.get_by_role("heading", name="Your profile").wait_for()
    check_page(page, "profile")
    page.get_by_label("Career stage").select_option("assistant_professor")
    page.get_by_label("Year you entered your current rank").fill("1890")
    page.get_by_label("Department").fill("Pediatrics")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.get_by_role("button", name="Save profile").click()

    # A bad year is refused beside the field, and what was typed is still there.
    page.get_by_text("Enter a year between 1950").wait_for()
    assert page.get_by_label("Department").input_value() == "Pediatrics"
    check_page(page, "profile-error")
    page.get_by_label("Year you entered your current rank").fill("2023")
    page.get_by_role("button", name="Save profile").click()

    page.get_by_role("heading", name="When you can meet").wait_for()
    check_page(page, "availability")
    for slot in ("Thu 12:00", "Thu 12:30", "Tue 07:00"):
        page.get_by_label(slot, exact=True).click()
    page.get_by_role("button", name="Save availability").click()

    page.get_by_role("heading", name="Welcome, Nia Osei, MD").wait_for()
    check_page(page, "dashboard")
    assert page.get_by_text("Complete — programs can match you with peers.").is_visible()
    assert page.get_by_text("Thu 12:00–13:00").is_visible()

    profile = Profile.objects.get(user__email="nia.osei@example.org")
    assert profile.career_stage == "assistant_professor"
    assert profile.rank_since_year == 2023
    assert profile.availability == [1 * 48 + 14, 3 * 48 + 24, 3 * 48 + 25]


def test_private_self_description_and_separations(page):
    from tests.conftest import make_member

    make_member("alice@example.org", "Alice Adams")
    page.goto("/accounts/login/")
    check_page(page, "login")
    page.get_by_label("Email").fill("alice@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign In").click()
    page.get_by_text("not correct").wait_for()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name="Welcome, Alice Adams").wait_for()

    page.goto("/profile/private/")
    check_page(page, "private-consent")
    page.get_by_label("I choose to describe myself here", exact=False).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("group", name="Gender").get_by_label("Your answer").select_option("woman")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved. Only the people you chose").wait_for()
    check_page(page, "private-profile")

    page.goto("/profile/")
    page.get_by_label("Their e-mail address").fill("her.chair@example.org")
    page.get_by_role("button", name="Add").click()
    page.get_by_text("My supervisor: her.chair@example.org").wait_for()  # swapped in by htmx
    page.get_by_label("Their e-mail address").fill("alice@example.org")
    page.get_by_role("button", name="Add").click()
    page.get_by_text("That is your own address.").wait_for()
    assert User.objects.get(email="alice@example.org").separations.count() == 1
