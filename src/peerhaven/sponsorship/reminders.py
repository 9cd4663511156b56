"""Deadline reminders: one e-mail per follow, in the week before the opportunity closes,
to a follower who can still see it. Run daily (``manage.py send_deadline_reminders``);
however often it runs, nobody gets a second copy.

A circle-only opportunity is circle content, and e-mail leaves the site: its reminder says
only that an opportunity shared in the follower's circle closes on a date, with the link."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from peerhaven.notifications.email import absolute_url, render_templated, send_all
from peerhaven.sponsorship.models import Follow, Opportunity

# A reminder goes out once the deadline is at most this many days away (today included).
REMIND_DAYS_BEFORE = 7


@transaction.atomic
def do_send_deadline_reminders(today: dt.date | None = None) -> int:
    """Send the reminders that are due and mark them sent in the same transaction, so a
    failure sends nothing and marks nothing. Returns how many were sent."""
    today = today or timezone.localdate()
    due = list(_due_follows(today))
    visible = _visible_pairs(due)
    chosen = [follow for follow in due if (follow.user_id, follow.opportunity_id) in visible]
    if not chosen:
        return 0
    Follow.objects.filter(pk__in=[f.pk for f in chosen]).update(reminded_at=timezone.now())
    send_all([_message(follow) for follow in chosen])
    return len(chosen)


def _due_follows(today: dt.date):
    # Locked, so two runs at once cannot both send: the second waits, then finds them
    # reminded (PostgreSQL re-reads locked rows against the query).
    return (
        Follow.objects.select_for_update(of=("self",))
        .filter(
            reminded_at__isnull=True,
            user__is_active=True,
            opportunity__deadline__gte=today,
            opportunity__deadline__lte=today + dt.timedelta(days=REMIND_DAYS_BEFORE),
        )
        .select_related("user__profile", "opportunity")
        .order_by("pk")
    )


def _visible_pairs(follows: list[Follow]) -> set[tuple[int, int]]:
    """(user, opportunity) pairs the follower may still see. An opportunity for everyone
    needs no query; the others take one query per follower, whatever they follow."""
    visible = set()
    others: dict[int, list[Follow]] = defaultdict(list)
    for follow in follows:
        if follow.opportunity.audience == Opportunity.Audience.EVERYONE:
            visible.add((follow.user_id, follow.opportunity_id))
        else:
            others[follow.user_id].append(follow)
    for user_follows in others.values():
        user = user_follows[0].user
        ids = Opportunity.objects.visible_to(user).filter(
            pk__in=[f.opportunity_id for f in user_follows]
        )
        visible.update((user.pk, pk) for pk in ids.values_list("pk", flat=True))
    return visible


def _message(follow: Follow):
    opportunity = follow.opportunity
    circle_only = opportunity.audience == Opportunity.Audience.CIRCLE
    context = {
        "name": follow.user.display_name,
        "circle_only": circle_only,
        # Left out for a circle-only opportunity, so no template can show it.
        "title": "" if circle_only else opportunity.title,
        "deadline": opportunity.deadline,
        "url": absolute_url(reverse("sponsorship:opportunity", args=[opportunity.pk])),
    }
    return render_templated("deadline_reminder", [follow.user.email], context)
