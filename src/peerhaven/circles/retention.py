"""What happens to a circle's content after it closes: members can read it for the
circle's retention period, then it is deleted for good."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from peerhaven.circles.models import (
    Admission,
    Ask,
    CharterVersion,
    Circle,
    Message,
)


def circles_past_retention(now: dt.datetime | None = None) -> list[int]:
    """Closed circles whose retention has run out. Compared in Python: date arithmetic on a
    per-row number of days differs between SQLite and PostgreSQL, and closed circles are few."""
    now = now or timezone.now()
    closed = Circle.objects.filter(state=Circle.State.CLOSED, closed_at__isnull=False)
    return [
        circle.pk
        for circle in closed.only("closed_at", "retention_days")
        if circle.purge_after <= now
    ]


@transaction.atomic
def do_purge_closed_circles(now: dt.datetime | None = None) -> int:
    """Asks (with their notes and action items), messages, charter texts and admission notes
    go; membership, meetings and attendance stay as numbers for program reports."""
    circles = circles_past_retention(now)
    Ask.objects.filter(circle__in=circles).delete()
    Message.objects.filter(circle__in=circles).delete()
    CharterVersion.objects.filter(circle__in=circles).delete()
    Admission.objects.filter(circle__in=circles).delete()
    return len(circles)
