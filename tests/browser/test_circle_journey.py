from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from peerhaven.circles.models import Attendance, Circle, Meeting, Note
from tests.browser.conftest import check_page
from tests.conftest import PASSWORD, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name=re.compile("Welcome")).wait_for()


def invitation_link(email: str) -> str:
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    return re.search(r"https?://\S+/circles/invitations/\S+/", message.body).group(0)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_start_invite_schedule_ask_and_run_a_meeting(browser, live_server):
    alice = make_member("alice@example.org", "Alice Adams")
    make_member("bob@example.org", "Bob Baker", department="Pediatrics")
    pages = {}
    for who in ("alice", "bob", "nia"):
        context = browser.new_context(
            viewport={"width": 1280, "height": 800}, base_url=live_server.url
        )
        pages[who] = context.new_page()
        pages[who].set_default_timeout(10_000)

    # Alice starts a circle and sets when it meets.
    page = pages["alice"]
    sign_in(page, alice.email)
    page.get_by_role("link", name="Circles").first.click()
    check_page(page, "circles-empty")
    page.get_by_role("link", name="Start a circle").click()
    check_page(page, "circle-create")
    page.get_by_label("Name").fill("Thursday Lunch Circle")
    page.get_by_role("button", name="Start the circle").click()
    page.get_by_role("heading", name="Thursday Lunch Circle").wait_for()
    check_page(page, "circle-schedule")
    page.get_by_label("First meeting on or after").fill(
        (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    )
    page.get_by_label("Start time").fill("12:00")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.get_by_role("button", name="Save schedule").click()
    page.get_by_text("Schedule saved").wait_for()
    circle = Circle.objects.get(name="Thursday Lunch Circle")

    # She invites Bob (who has an account) and Nia (who does not).
    page.get_by_role("link", name="Members").click()
    for email in ("bob@example.org", "nia.osei@example.org"):
        page.get_by_label("Their e-mail address").fill(email)
        page.get_by_role("button", name="Invite").click()
        page.get_by_text("Invitation sent.").wait_for()
    page.get_by_label("Their e-mail address").fill("not an address")
    page.get_by_role("button", name="Invite").click()
    page.get_by_text("Enter a valid email address.").wait_for()
    check_page(page, "circle-members")

    # Bob accepts and agrees to the ground rules.
    bob = pages["bob"]
    sign_in(bob, "bob@example.org")
    bob.goto(path_of(invitation_link("bob@example.org")))
    check_page(bob, "circle-invitation")
    bob.get_by_role("button", name="Accept and read the ground rules").click()
    check_page(bob, "circle-charter")
    bob.get_by_role("button", name="I agree to these ground rules").click()
    bob.get_by_text("Welcome to the circle.").wait_for()

    # Nia signs up through her invitation: the link proved her address, no second e-mail.
    nia = pages["nia"]
    nia.goto(path_of(invitation_link("nia.osei@example.org")))
    nia.get_by_role("link", name="Create an account to accept").click()
    nia.get_by_label("Your name").fill("Nia Osei, MD")
    nia.get_by_label("Email").fill("nia.osei@example.org")
    nia.get_by_label("Password:", exact=True).fill(PASSWORD)
    nia.get_by_label("Password (again):").fill(PASSWORD)
    nia.get_by_role("button", name="Sign Up").click()
    nia.get_by_role("button", name="Accept and read the ground rules").click()
    nia.get_by_role("button", name="I agree to these ground rules").click()
    nia.get_by_text("Welcome to the circle.").wait_for()
    assert circle.active_memberships().count() == 3

    # Bob brings a problem to the next meeting.
    bob.goto(f"/circles/{circle.pk}/")
    check_page(bob, "circle-detail")
    bob.get_by_role("link", name="Bring a problem").click()
    check_page(bob, "circle-ask")
    bob.get_by_label("Title").fill("Should I take the program director role?")
    bob.get_by_label("Context").fill("It is 20% and my R01 is due in March.")
    bob.get_by_role("button", name="Add to the agenda").click()
    bob.get_by_text("Ask saved for the meeting on").wait_for()

    # The meeting begins (we move the clock rather than wait for Thursday).
    meeting = Meeting.objects.filter(circle=circle).order_by("starts_at").first()
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now - dt.timedelta(minutes=5), ends_at=now + dt.timedelta(minutes=55)
    )

    page.goto(f"/circles/{circle.pk}/meetings/{meeting.pk}/live/")
    check_page(page, "circle-live-checkin")
    page.get_by_role("button", name="Start Bob Baker").click()
    page.get_by_role(
        "heading", name="Bob Baker: Should I take the program director role?"
    ).wait_for()
    clock = page.get_by_role("timer")
    assert re.fullmatch(r"\d+:\d\d", clock.inner_text())
    first = clock.inner_text()
    page.wait_for_timeout(1500)
    assert clock.inner_text() != first  # it counts down without a page reload
    page.get_by_label("Capture advice or an action item").fill("Ask for the end date in writing.")
    page.get_by_role("button", name="Add advice").click()
    page.get_by_text("Ask for the end date in writing.").wait_for()
    check_page(page, "circle-live-presenting")
    page.get_by_role("button", name="Finish this ask").click()
    page.get_by_text("Everyone has presented.").wait_for()
    assert Note.objects.get().text == "Ask for the end date in writing."

    # Attendance, then Bob is asked how it went.
    page.get_by_role("link", name="Record attendance").click()
    check_page(page, "circle-meeting")
    page.get_by_role("group", name="Nia Osei, MD").get_by_label("Excused (told the group)").check()
    page.get_by_role("button", name="Save attendance").click()
    page.get_by_text("Attendance saved.").wait_for()
    assert dict(Attendance.objects.values_list("user__email", "status")) == {
        "alice@example.org": "present",
        "bob@example.org": "present",
        "nia.osei@example.org": "excused",
    }
    bob.goto(f"/circles/{circle.pk}/")
    bob.get_by_text("How did it go?").wait_for()
    for context_page in pages.values():
        context_page.context.close()
    circle.refresh_from_db()
    assert circle.state == Circle.State.ACTIVE  # it has met: established from now on
