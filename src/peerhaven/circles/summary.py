from __future__ import annotations

from django.db.models import Min, Q
from django.utils import timezone

from peerhaven.circles.models import Circle, Meeting


def my_circles_summary(user) -> list[Circle]:
    """The dashboard's "My circles": each open circle with its next meeting time, in one
    query."""
    upcoming = Q(meetings__ends_at__gt=timezone.now(), meetings__status=Meeting.Status.SCHEDULED)
    return list(
        Circle.objects.with_member(user)
        .exclude(state=Circle.State.CLOSED)
        .annotate(next_meeting_at=Min("meetings__starts_at", filter=upcoming))
        .order_by("name")
    )
