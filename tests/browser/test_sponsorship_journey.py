"""The sponsorship journey: the coordinator posts an opportunity for Lakeshore's people (after
a deadline in the past is refused); Maya nominates Noor, a peer in her circle (after a
100 KB statement is refused); Noor accepts on her phone, asks a colleague for a letter,
marks the nomination submitted and then selected, and adds it to her achievements in one
click; the coordinator's equity view counts her."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from peerhaven.orgs.models import Organization, StaffRole
from peerhaven.outcomes.models import Achievement
from peerhaven.sponsorship.models import LetterRequest, Nomination, Opportunity
from tests.browser.conftest import PHONE, check_page
from tests.browser.test_circle_journey import sign_in
from tests.conftest import make_circle, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Lakeshore Early Career Investigator Award"


def build_people():
    lakeshore = Organization.objects.create(name="Lakeshore University", slug="lakeshore")
    dana = make_member("dana@example.org", "Dana Diaz", career_stage="staff_other")
    StaffRole.objects.create(organization=lakeshore, user=dana, role="coordinator")
    maya = make_member("maya@example.org", "Maya Okafor")
    noor = make_member("noor@example.org", "Noor Haddad", career_stage="instructor")
    make_member("colleague@example.org", "Grace Kim")
    make_circle(maya, [noor], name="Thursday Lunch Circle", organization=lakeshore)
    return dana, maya, noor


def new_page(browser, live_server, viewport=None):
    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def post_opportunity(page):
    page.get_by_role("link", name="Sponsorship").first.click()
    check_page(page, "sponsorship-board-empty")
    page.get_by_role("link", name="Post an opportunity").first.click()
    page.get_by_label("What kind").select_option("award")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Organization offering it").fill("Lakeshore University")
    page.get_by_label("Description").fill("For an instructor or assistant professor.")
    page.get_by_label("Instructor").check()
    page.get_by_label("Assistant professor").check()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page.get_by_label("Deadline").fill(yesterday.isoformat())
    page.get_by_label("Who can see it").select_option(label="People of Lakeshore University")
    page.get_by_role("button", name="Post it").click()
    page.get_by_text("The deadline must be today or later.").wait_for()
    check_page(page, "sponsorship-post-errors")
    assert not Opportunity.objects.exists()
    in_three_weeks = timezone.localdate() + dt.timedelta(days=21)
    page.get_by_label("Deadline").fill(in_three_weeks.isoformat())
    page.get_by_role("button", name="Post it").click()
    page.get_by_role("heading", name=TITLE).wait_for()
    check_page(page, "sponsorship-opportunity")


def nominate_noor(page):
    page.get_by_role("link", name="Sponsorship").first.click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="Follow").click()
    page.get_by_role("button", name="Unfollow").wait_for()
    page.get_by_role("link", name="Nominate a peer").click()
    page.get_by_label("Noor Haddad").check()
    page.get_by_label("Your statement").fill("x" * 100_000)
    page.get_by_role("button", name="Nominate").click()
    page.get_by_text(re.compile("5,000 characters")).first.wait_for()
    check_page(page, "sponsorship-nominate-errors")
    assert not Nomination.objects.exists()
    page.get_by_label("Your statement").fill("Noor rebuilt our residents' quality curriculum.")
    page.get_by_role("button", name="Nominate").click()
    page.get_by_text(re.compile("Waiting for Noor Haddad")).first.wait_for()
    check_page(page, "sponsorship-nomination-nominator")


def accept_ask_for_a_letter_and_win(page):
    page.goto("/sponsorship/nominations/")
    page.get_by_role("heading", name="Waiting for your answer").wait_for()
    check_page(page, "sponsorship-nominations-waiting")
    page.get_by_role("button", name=re.compile("^Accept")).first.click()
    page.get_by_role("link", name="Ask someone for a letter").wait_for()
    page.get_by_role("link", name="Ask someone for a letter").click()
    page.get_by_label("Someone else, by e-mail address").check()
    page.get_by_label("Their e-mail address").fill("colleague@example.org")
    page.get_by_label("A note to the writer").fill("Two paragraphs on the curriculum, please.")
    check_page(page, "sponsorship-letter-request")
    page.get_by_role("button", name="Ask for the letter").click()
    page.get_by_text("Grace Kim").first.wait_for()
    assert LetterRequest.objects.get().writer.email == "colleague@example.org"


def mark_selected_and_add_to_achievements(page):
    page.get_by_role("button", name="Mark as submitted").click()
    page.get_by_role("button", name="Mark as selected").click()
    page.get_by_role("button", name="Add to my achievements").click()
    page.get_by_role("heading", name="Your achievements").wait_for()
    page.get_by_text(TITLE).first.wait_for()
    check_page(page, "sponsorship-achievement-added")


def test_post_nominate_accept_letter_selected_achievement(browser, live_server):
    dana, maya, noor = build_people()
    coordinator = new_page(browser, live_server)
    sign_in(coordinator, dana.email)
    post_opportunity(coordinator)

    member = new_page(browser, live_server)
    sign_in(member, maya.email)
    nominate_noor(member)

    nominee = new_page(browser, live_server, viewport=PHONE)
    sign_in(nominee, noor.email)
    accept_ask_for_a_letter_and_win(nominee)

    colleague = new_page(browser, live_server)
    sign_in(colleague, "colleague@example.org")
    colleague.goto("/sponsorship/nominations/")
    colleague.get_by_role("button", name=re.compile("Mark as written")).click()
    colleague.get_by_text(re.compile("[Ww]ritten")).first.wait_for()
    assert LetterRequest.objects.get().state == LetterRequest.State.DONE

    nominee.reload()
    mark_selected_and_add_to_achievements(nominee)
    achievement = Achievement.objects.get(user=noor)
    assert achievement.title == TITLE
    assert achievement.source == Achievement.Source.NOMINATION
    assert Nomination.objects.get().achievement == achievement

    organization = Organization.objects.get()
    coordinator.goto(f"/sponsorship/organizations/{organization.pk}/equity/")
    check_page(coordinator, "sponsorship-equity")
    # One person put forward and selected: a count of 1, so the figure is suppressed.
    assert "suppressed" in coordinator.content()
    assert "Noor" not in coordinator.content()
