"""Daily digest for members who chose it: how many new messages each circle has, never
what they say. Run once a day (cron, or your scheduler of choice)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.db.models import Count, F, Q
from django.utils import timezone

from peerhaven.circles import emails
from peerhaven.circles.models import Circle, Membership


class Command(BaseCommand):
    help = "E-mail each member who chose a daily digest the count of new circle messages."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24, help="Look back this many hours.")

    def handle(self, *args, hours, **options):
        since = timezone.now() - dt.timedelta(hours=hours)
        sent = 0
        for user, counts in digests(since).items():
            emails.send_message_digest(user, counts)
            sent += 1
        self.stdout.write(f"{sent} digest{'s' if sent != 1 else ''} sent.")


def digests(since: dt.datetime) -> dict:
    """{user: [(circle, new messages by others)]} for members who want a daily digest."""
    memberships = (
        Membership.objects.filter(
            state=Membership.State.ACTIVE,
            notify=Membership.Notify.DAILY,
            circle__state__in=[Circle.State.FORMING, Circle.State.ACTIVE, Circle.State.PAUSED],
        )
        .select_related("user", "circle")
        .annotate(
            new=Count(
                "circle__messages",
                filter=Q(circle__messages__created_at__gte=since)
                & ~Q(circle__messages__author=F("user")),
            )
        )
    )
    result: dict = {}
    for membership in memberships:
        if membership.new:
            result.setdefault(membership.user, []).append((membership.circle, membership.new))
    return result
