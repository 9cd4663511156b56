"""Every signed-in page the journeys do not reach, on the demo data, looked at by axe-core at
laptop and phone width (screenshots in test-results/screenshots/)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from peerhaven.circles.models import Circle
from peerhaven.communities.models import Community, Post
from peerhaven.orgs.models import Organization
from peerhaven.outcomes.models import Achievement, Instrument
from peerhaven.programs.models import Program
from peerhaven.sponsorship.models import Nomination, Opportunity
from tests.browser.conftest import check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "peerhaven-demo"


def circle_pages(circle) -> list[str]:
    ask = circle.asks.filter(presented_at__isnull=False).first()
    meeting = circle.meetings.upcoming().first()
    return [
        f"/circles/{circle.pk}/thread/",
        f"/circles/{circle.pk}/charter/edit/",
        f"/circles/{circle.pk}/asks/{ask.pk}/",
        f"/circles/{circle.pk}/meetings/{meeting.pk}/",
        f"/circles/{circle.pk}/meetings/{meeting.pk}/move/",
        f"/circles/{circle.pk}/settings/",
        "/circles/calendar/",
        "/profile/private/",
    ]


def program_pages(program) -> list[str]:
    return [
        "/programs/",
        f"/programs/{program.pk}/",
        f"/programs/{program.pk}/questions/",
        f"/programs/{program.pk}/edit/",
        f"/programs/{program.pk}/runs/{program.runs.order_by('-number').first().pk}/",
    ]


def community_moderator_pages(community) -> list[str]:
    """The demo network as its owner sees it: the pages the community journey skips."""
    base = f"/communities/{community.pk}"
    article = Post.objects.get(community=community, kind="article", parent=None)
    anonymous = Post.objects.filter(community=community, anonymous=True).first()
    group = community.subgroups.get(name="Chicago")
    return [
        f"{base}/",
        f"{base}/?unanswered=1",
        article.get_absolute_url(),
        anonymous.get_absolute_url(),
        f"{base}/groups/{group.pk}/",
        f"{base}/people/{article.author_id}/",
        f"{base}/moderation/",
        f"{base}/moderation/members/",
        f"{base}/moderation/log/",
        f"{base}/settings/",
        f"{base}/settings/rules/",
        f"{base}/settings/auto-rules/",
        f"{base}/groups/new/",
        f"{base}/search/?q=grant",
        "/communities/new/",
    ]


def member_outcomes_pages(member) -> list[str]:
    achievement = Achievement.objects.filter(user=member).first()
    return [
        "/surveys/",
        "/achievements/",
        "/achievements/add/",
        f"/achievements/{achievement.pk}/",
        "/achievements/record/",
    ]


def staff_outcomes_pages(program) -> list[str]:
    """The demo program in its second year, as its coordinator sees it."""
    base = f"/programs/{program.pk}"
    core = Instrument.objects.get(key="core-outcomes")
    return [
        f"{base}/report/",
        f"{base}/surveys/",
        f"{base}/surveys/new/",
        f"{base}/instruments/",
        f"{base}/instruments/{core.pk}/",
        f"{base}/instruments/new/",
    ]


def member_sponsorship_pages(member) -> list[str]:
    """Maya's side of the demo: the board, a circle-only opportunity, her nominations in
    several states and a letter request."""
    circle_only = Opportunity.objects.get(audience="circle")
    selected = Nomination.objects.get(nominee=member, status="selected")
    waiting = Nomination.objects.get(nominee=member, response="pending")
    made = Nomination.objects.filter(nominator=member, response="accepted", status="draft")
    return [
        "/sponsorship/",
        "/sponsorship/?deadline=past&kind=award",
        f"/sponsorship/{circle_only.pk}/",
        f"/sponsorship/{circle_only.pk}/nominate/",
        "/sponsorship/new/",
        "/sponsorship/nominations/",
        f"/sponsorship/nominations/{selected.pk}/",
        f"/sponsorship/nominations/{waiting.pk}/",
        f"/sponsorship/nominations/{made.get().pk}/letters/",
        f"/sponsorship/nominations/{made.get().pk}/statement/",
    ]


def staff_sponsorship_pages() -> list[str]:
    lakeshore = Organization.objects.get(slug="lakeshore")
    award = Opportunity.objects.filter(organization=lakeshore, deadline__gte=timezone.localdate())
    return [
        f"/sponsorship/organizations/{lakeshore.pk}/equity/",
        f"/sponsorship/{award.first().pk}/edit/",
    ]


def visit(page, email, paths, prefix):
    sign_in_demo(page, email)
    visit_signed_in(page, paths, prefix)


def visit_signed_in(page, paths, prefix):
    for number, path in enumerate(paths):
        response = page.goto(path)
        assert response.status == 200, path
        check_page(page, f"{prefix}-{number}-{path.strip('/').replace('/', '-')}")


def sign_in_demo(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name="Welcome", exact=False).wait_for()


def test_every_page_is_accessible_on_the_demo_data(page, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=StringIO())
    circle = Circle.objects.get(name="Thursday Lunch Circle")
    visit(page, "convener@demo.peerhaven.org", circle_pages(circle), "convener")
    page.context.clear_cookies()
    program = Program.objects.get(name="New Faculty Peer Mentoring 2027")
    visit(page, "coordinator@demo.peerhaven.org", program_pages(program), "coordinator")
    second_year = Program.objects.get(name="Faculty Circles 2025")
    visit_signed_in(page, staff_outcomes_pages(second_year), "coordinator-outcomes")
    visit_signed_in(page, staff_sponsorship_pages(), "coordinator-sponsorship")
    page.context.clear_cookies()
    maya = program.enrollments.get(user__email="member@demo.peerhaven.org").user
    visit(page, maya.email, member_outcomes_pages(maya), "member-outcomes")
    visit_signed_in(page, member_sponsorship_pages(maya), "member-sponsorship")
    page.context.clear_cookies()
    export = [f"/programs/{second_year.pk}/research-export/"]
    visit(page, "researcher@demo.peerhaven.org", export, "researcher")
    page.context.clear_cookies()
    joinable = Circle.objects.get(name="New Faculty Peer Circle")
    visit(page, "moderator@demo.peerhaven.org", [f"/circles/{joinable.pk}/join/"], "joiner")
    network = Community.objects.get(name="Women in Academic Medicine Network")
    page.goto("/communities/")
    check_page(page, "moderator-communities")
    visit_signed_in(page, community_moderator_pages(network), "moderator")
