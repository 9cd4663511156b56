"""Helpers for the circle feature tests. The named people come from tests/conftest.py; the
circles need a few more peers (frank, gina, hugo) to fill seats and cast votes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peerhaven.circles.models import Meeting, Membership
from tests.conftest import make_member

INVITATION_LINK = re.compile(r"https?://[^/\s]+(/circles/invitations/([^/\s]+)/)")


@pytest.fixture
def frank(db):
    return make_member("frank@example.org", "Frank Foster", department="Radiology")


@pytest.fixture
def gina(db):
    return make_member("gina@example.org", "Gina Greco", department="Psychiatry")


@pytest.fixture
def hugo(db):
    return make_member("hugo@example.org", "Hugo Hall", department="Neurology")


def membership_of(circle, user) -> Membership | None:
    return circle.memberships.filter(user=user, state=Membership.State.ACTIVE).first()


def invitation_link(message) -> tuple[str, str]:
    """(path, token) of the invitation link in an e-mail."""
    found = INVITATION_LINK.search(message.body)
    assert found, f"no invitation link in: {message.body}"
    return found.group(1), found.group(2)


def messages_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def past_meeting(circle, *, days_ago: float, minutes: int = 60) -> Meeting:
    start = timezone.now() - dt.timedelta(days=days_ago)
    return Meeting.objects.create(
        circle=circle,
        series_start=start,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
    )


def future_meeting(circle, *, days_ahead: float, minutes: int = 60) -> Meeting:
    return past_meeting(circle, days_ago=-days_ahead, minutes=minutes)


def page(client, name: str, *args, **data):
    """GET a circles page by URL name."""
    return client.get(reverse(f"circles:{name}", args=args), data)


def flash(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]
