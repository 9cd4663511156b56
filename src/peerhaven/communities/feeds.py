"""Lists of threads — a community's home, a sub-group, the followed-groups feed — read a
page at a time by keyset (newest activity first), so page 500 costs what page 1 does."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from peerhaven.communities.models import Member, Post, SubGroupMember

PAGE_SIZE = 25


def thread_page(threads, cursor: str | None, size: int = PAGE_SIZE):
    """One page of ``threads`` after ``cursor`` and the cursor of the next page (None at the
    end). A cursor is "<activity time in µs>-<post id>"; a bad one starts from the top."""
    after = _parse_cursor(cursor)
    if after is not None:
        moment, pk = after
        threads = threads.filter(
            Q(last_activity_at__lt=moment) | Q(last_activity_at=moment, pk__lt=pk)
        )
    page = list(
        threads.select_related("subgroup", "author__profile").order_by("-last_activity_at", "-pk")[
            : size + 1
        ]
    )
    if len(page) <= size:
        return page, None
    last = page[size - 1]
    return page[:size], f"{int(last.last_activity_at.timestamp() * 1_000_000)}-{last.pk}"


def _parse_cursor(cursor: str | None):
    micros, _, pk = (cursor or "").partition("-")
    if not (micros.isdigit() and pk.isdigit()):
        return None
    moment = dt.datetime.fromtimestamp(int(micros) / 1_000_000, tz=dt.UTC)
    return moment, int(pk)


def community_threads(member, *, kind: str | None = None, unanswered: bool = False):
    threads = Post.objects.in_reach_of(member).threads().published()
    if kind in Post.Kind.values:
        threads = threads.filter(kind=kind)
    if unanswered:
        threads = threads.filter(kind=Post.Kind.QUESTION, accepted_answer__isnull=True)
    return threads


def followed_threads(user):
    """Across the person's communities: threads in the sub-groups they follow and are still
    members of (leaving a community removes its sub-group rows)."""
    followed = SubGroupMember.objects.filter(user=user, following=True).values("subgroup")
    return (
        Post.objects.threads()
        .published()
        .filter(
            subgroup__in=followed,
            community__members__user=user,
            community__members__state=Member.State.ACTIVE,
        )
    )
