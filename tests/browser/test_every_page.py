"""Every signed-in page the journeys do not reach, on the demo data, looked at by axe-core at
laptop and phone width (screenshots in test-results/screenshots/)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from peerhaven.circles.models import Circle
from peerhaven.programs.models import Program
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


def visit(page, email, paths, prefix):
    sign_in_demo(page, email)
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
    page.context.clear_cookies()
    joinable = Circle.objects.get(name="New Faculty Peer Circle")
    visit(page, "moderator@demo.peerhaven.org", [f"/circles/{joinable.pk}/join/"], "joiner")
