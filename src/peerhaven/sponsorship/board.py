"""The opportunities board as queryset code: which opportunities a member sees, narrowed by
the board's filters, in the order the board shows them. Visibility itself is decided on
``Opportunity.objects.visible_to``; this module only narrows what that allows."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef, Q

from peerhaven.sponsorship.models import Follow, Opportunity

PAGE_SIZE = 25

# The deadline filter: "all open" unless the member asks for a window or the past.
OPEN, TWO_WEEKS, THREE_MONTHS, PAST = "open", "2w", "3m", "past"
DEADLINE_CHOICES = [
    (OPEN, "All open"),
    (TWO_WEEKS, "Closing within 2 weeks"),
    (THREE_MONTHS, "Closing within 3 months"),
    (PAST, "Past deadlines"),
]


def board_opportunities(
    user,
    *,
    kind: str = "",
    stage: str = "",
    deadline: str = OPEN,
    following: bool = False,
    mine: bool = False,
    today: dt.date,
):
    """What the board lists for ``user``; the filters are already checked values."""
    rows = Opportunity.objects.visible_to(user)
    if kind:
        rows = rows.filter(kind=kind)
    if stage:
        rows = rows.filter(for_career_stage(stage))
    if following:
        rows = rows.filter(follows__user=user)
    if mine:
        rows = rows.filter(posted_by=user)
    return _by_deadline(rows, deadline, today).select_related(
        "organization", "community", "circle"
    ).annotate(followed=followed_by(user))  # fmt: skip


def for_career_stage(stage: str) -> Q:
    """Opportunities open to ``stage``: those for any stage (an empty list) and those that
    list it. JSON ``contains`` does not exist on SQLite, so this matches the stage as a
    quoted JSON string in the column's text: the quotes keep "professor" from matching
    "assistant_professor", and a stage is a plain slug, so its JSON text is itself."""
    return Q(career_stages=[]) | Q(career_stages__icontains=f'"{stage}"')


def _by_deadline(rows, deadline: str, today: dt.date):
    if deadline == PAST:
        # The most recently closed first: those are the ones someone is looking for.
        return rows.filter(deadline__lt=today).order_by("-deadline", "-pk")
    rows = rows.filter(deadline__gte=today)
    if deadline == TWO_WEEKS:
        rows = rows.filter(deadline__lte=today + dt.timedelta(days=14))
    elif deadline == THREE_MONTHS:
        rows = rows.filter(deadline__lte=today + relativedelta(months=3))
    return rows.order_by("deadline", "pk")


def followed_by(user) -> Exists:
    return Exists(Follow.objects.filter(opportunity=OuterRef("pk"), user=user))


def deadline_note(deadline: dt.date, today: dt.date) -> str:
    """How soon it closes, in words the board and the detail page share."""
    days = (deadline - today).days
    if days < 0:
        return f"Closed on {deadline.day} {deadline:%B %Y}"
    if days == 0:
        return "closes today"
    if days == 1:
        return "closes tomorrow"
    return f"in {days} days"
