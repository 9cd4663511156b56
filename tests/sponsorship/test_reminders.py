"""Deadline reminders: one e-mail per follow in the week before the deadline, never a second,
never for a closed opportunity, never to someone who can no longer see it, and never the
title of a circle-only opportunity."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from peerhaven.circles.models import Membership
from peerhaven.sponsorship.models import Follow, Opportunity
from peerhaven.sponsorship.reminders import REMIND_DAYS_BEFORE, do_send_deadline_reminders
from tests.conftest import make_member

pytestmark = pytest.mark.django_db


def opportunity(title="Society Award", days=3, **fields) -> Opportunity:
    fields.setdefault("kind", Opportunity.Kind.AWARD)
    fields.setdefault("audience", Opportunity.Audience.EVERYONE)
    deadline = timezone.localdate() + dt.timedelta(days=days)
    return Opportunity.objects.create(title=title, deadline=deadline, **fields)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return do_send_deadline_reminders()

    return run


def test_a_follower_gets_one_reminder_however_often_it_runs(send, alice):
    award = opportunity()
    follow = Follow.objects.create(opportunity=award, user=alice)
    assert send() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert "“Society Award” closes on" in message.subject
    assert "Hello Alice Adams" in message.body
    assert "Society Award" in message.body
    assert reverse("sponsorship:opportunity", args=[award.pk]) in message.body
    follow.refresh_from_db()
    assert follow.reminded_at is not None
    assert send() == 0
    assert send() == 0
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("days", "reminded"),
    [(-1, False), (0, True), (REMIND_DAYS_BEFORE, True), (REMIND_DAYS_BEFORE + 1, False)],
)
def test_only_deadlines_in_the_coming_week_are_reminded(send, alice, days, reminded):
    follow = Follow.objects.create(opportunity=opportunity(days=days), user=alice)
    assert send() == int(reminded)
    follow.refresh_from_db()
    assert (follow.reminded_at is not None) is reminded


def test_a_follow_is_reminded_once_it_comes_within_the_week(send, alice):
    later = opportunity(days=REMIND_DAYS_BEFORE + 3)
    follow = Follow.objects.create(opportunity=later, user=alice)
    assert send() == 0
    Opportunity.objects.filter(pk=later.pk).update(deadline=timezone.localdate())
    assert send() == 1
    follow.refresh_from_db()
    assert follow.reminded_at is not None


def test_nobody_is_reminded_of_what_they_can_no_longer_see(
    send, sample_sponsorship, alice, bob, carol
):
    circle_only = sample_sponsorship["circle_opportunity"]
    Opportunity.objects.filter(pk=circle_only.pk).update(deadline=timezone.localdate())
    Follow.objects.create(opportunity=circle_only, user=bob)
    # A follow left from before carol lost sight of it (or made by hand): still nothing.
    Follow.objects.create(opportunity=circle_only, user=carol)
    Membership.objects.filter(user=bob).update(state=Membership.State.LEFT)
    assert send() == 0
    assert mail.outbox == []
    assert not Follow.objects.filter(reminded_at__isnull=False).exists()


def test_a_deactivated_member_is_not_written_to(send, alice):
    Follow.objects.create(opportunity=opportunity(), user=alice)
    alice.is_active = False
    alice.save()
    assert send() == 0
    assert mail.outbox == []


def test_a_circle_only_reminder_never_carries_the_title(send, sample_sponsorship, alice, bob):
    circle_only = sample_sponsorship["circle_opportunity"]
    Opportunity.objects.filter(pk=circle_only.pk).update(
        deadline=timezone.localdate() + dt.timedelta(days=2),
        offered_by="Canary society",
        description="Canary description",
    )
    Follow.objects.create(opportunity=circle_only, user=bob)
    assert send() == 1
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    for text in (message.subject, message.body, html):
        assert "Canary" not in text
        assert "Thursday Circle" not in text
    assert "An opportunity shared in your circle closes on" in message.subject
    assert "An opportunity shared in your circle closes on" in message.body
    assert reverse("sponsorship:opportunity", args=[circle_only.pk]) in message.body


def test_an_organizations_reminder_carries_title_and_deadline_unescaped(
    send, sample_sponsorship, dana
):
    award = sample_sponsorship["opportunity"]
    Opportunity.objects.filter(pk=award.pk).update(
        title="Grants & Awards <2027>", deadline=timezone.localdate() + dt.timedelta(days=1)
    )
    Follow.objects.create(opportunity=award, user=dana)
    assert send() == 1
    message = mail.outbox[0]
    assert "Grants & Awards <2027>" in message.subject
    assert "Grants & Awards <2027>" in message.body
    assert "Grants &amp; Awards &lt;2027&gt;" in message.alternatives[0][0]


def test_each_follower_gets_their_own_e_mail(send, alice, bob):
    award = opportunity()
    for user in (alice, bob):
        Follow.objects.create(opportunity=award, user=user)
    assert send() == 2
    assert sorted(tuple(message.to) for message in mail.outbox) == [
        ("alice@example.org",),
        ("bob@example.org",),
    ]


def test_the_command_says_how_many_it_sent(alice, django_capture_on_commit_callbacks):
    Follow.objects.create(opportunity=opportunity(), user=alice)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_deadline_reminders", stdout=out)
    assert out.getvalue().strip() == "1 deadline reminder sent."
    out = StringIO()
    call_command("send_deadline_reminders", stdout=out)
    assert out.getvalue().strip() == "0 deadline reminders sent."


def test_visibility_is_checked_per_follower_not_per_follow(
    alice, lakeshore, sample_circle, django_assert_max_num_queries
):
    """Ten followers of six opportunities each (for everyone, for Lakeshore, for a circle):
    one visibility query per follower whose opportunities are not for everyone."""
    from peerhaven.orgs.models import StaffRole

    circle = sample_circle["circle"]
    opportunities = [
        opportunity(f"Open {n}") for n in range(4)
    ] + [
        opportunity("For Lakeshore", audience="organization", organization=lakeshore),
        opportunity("Circle only", audience="circle", circle=circle),
    ]  # fmt: skip
    followers = [make_member(f"f{n}@example.org", f"Follower {n}") for n in range(10)]
    for follower in followers:
        StaffRole.objects.create(organization=lakeshore, user=follower, role="facilitator")
        Follow.objects.bulk_create(Follow(opportunity=o, user=follower) for o in opportunities)
    # Select the follows; one visibility query per follower; mark them; the savepoint and
    # its release. (The e-mails are handed over on commit, which this test does not run.)
    with django_assert_max_num_queries(1 + len(followers) + 1 + 2):
        sent = do_send_deadline_reminders()
    # Every follower sees the four open ones and Lakeshore's, none the circle's.
    assert sent == 10 * 5
