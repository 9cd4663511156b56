from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from peerhaven.circles.models import Ask, Attendance, CharterVersion, Circle, Meeting, Message
from peerhaven.circles.retention import do_purge_closed_circles
from tests.conftest import make_circle

pytestmark = pytest.mark.django_db


def close(circle, days_ago):
    circle.state = Circle.State.CLOSED
    circle.closed_at = timezone.now() - dt.timedelta(days=days_ago)
    circle.save()


@pytest.fixture
def circle_with_content(alice, bob):
    circle = make_circle(alice, [bob], retention_days=30)
    start = timezone.now() - dt.timedelta(days=60)
    meeting = Meeting.objects.create(
        circle=circle, series_start=start, starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    Ask.objects.create(circle=circle, author=bob, meeting=meeting, title="Private ask")
    Message.objects.create(circle=circle, author=alice, body="Private message")
    Attendance.objects.create(meeting=meeting, user=bob, status="present")
    return circle


def test_content_stays_readable_during_retention(circle_with_content):
    close(circle_with_content, days_ago=29)
    assert do_purge_closed_circles() == 0
    assert Ask.objects.filter(circle=circle_with_content).exists()


def test_content_is_deleted_after_retention_but_numbers_stay(circle_with_content, carol):
    other = make_circle(carol, name="Still open")
    Message.objects.create(circle=other, author=carol, body="Keep me")
    close(circle_with_content, days_ago=31)

    out = StringIO()
    call_command("purge_closed_circles", stdout=out)
    assert "1 closed circle" in out.getvalue()
    assert not Ask.objects.filter(circle=circle_with_content).exists()
    assert not Message.objects.filter(circle=circle_with_content).exists()
    assert not CharterVersion.objects.filter(circle=circle_with_content).exists()
    assert Attendance.objects.filter(meeting__circle=circle_with_content).count() == 1
    assert circle_with_content.meetings.count() == 1
    assert Message.objects.filter(circle=other).count() == 1


def test_daily_digest_counts_messages_without_content(
    circle_with_content, alice, bob, carol, django_capture_on_commit_callbacks
):
    circle_with_content.memberships.filter(user=alice).update(notify="daily")
    circle_with_content.memberships.filter(user=bob).update(notify="none")
    Message.objects.create(circle=circle_with_content, author=bob, body="Canary digest text")
    Message.objects.create(circle=circle_with_content, author=alice, body="Own message")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_circle_digests", stdout=StringIO())

    [digest] = mail.outbox
    assert digest.to == [alice.email]
    # Only Bob's message counts: both others are Alice's own.
    assert "1 new message in “Thursday Circle”" in digest.body
    assert "Canary digest text" not in digest.body
    assert "Canary digest text" not in digest.alternatives[0][0]
