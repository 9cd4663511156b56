"""Lists of posts — a community's home, a sub-group, the followed-groups feed, a thread's
replies — read a page at a time by keyset, so page 500 costs what page 1 does."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from peerhaven.communities.models import Member, Post, SubGroupMember

PAGE_SIZE = 25
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
JOINED = ("subgroup", "community", "author__profile")
REPLIES_PER_PAGE = 50


def thread_page(threads, cursor: str | None, size: int = PAGE_SIZE):
    """One page of ``threads`` after ``cursor`` (newest activity first) and the cursor of the
    next page (None at the end). A bad cursor starts from the top."""
    return _keyset_page(threads, "last_activity_at", cursor, size, newest_first=True)


def reply_page(replies, cursor: str | None, size: int = REPLIES_PER_PAGE, *, first=None):
    """One page of a thread's replies, oldest first, after ``cursor`` — or starting at the
    reply ``first`` when someone follows a link to it — and the next page's cursor. A long
    thread is read a page at a time; the page never renders hundreds of replies at once."""
    if first is not None:
        cursor = _cursor(first.created_at, first.pk - 1)
    return _keyset_page(replies, "created_at", cursor, size, newest_first=False)


def _keyset_page(rows, field: str, cursor: str | None, size: int, *, newest_first: bool):
    """Rows ordered by (``field``, pk), a page after a cursor "<time in µs>-<id>"."""
    after = _parse_cursor(cursor)
    before, direction = ("lt", "-") if newest_first else ("gt", "")
    if after is not None:
        moment, pk = after
        rows = rows.filter(
            Q(**{f"{field}__{before}": moment}) | Q(**{field: moment, f"pk__{before}": pk})
        )
    order = (f"{direction}{field}", f"{direction}pk")
    # The page's ids first, from the feed indexes alone; only those rows are then read with
    # their authors and groups (joining first made the database read every candidate row).
    ids = rows.order_by(*order).values("pk")[: size + 1]
    page = list(rows.model.objects.filter(pk__in=ids).select_related(*JOINED).order_by(*order))
    if len(page) <= size:
        return page, None
    last = page[size - 1]
    return page[:size], _cursor(getattr(last, field), last.pk)


def _cursor(moment: dt.datetime, pk: int) -> str:
    # Whole microseconds, not float seconds: a cursor must match its row's time exactly.
    return f"{(moment - EPOCH) // dt.timedelta(microseconds=1)}-{pk}"


def _parse_cursor(cursor: str | None):
    micros, _, pk = (cursor or "").partition("-")
    if not (micros.isdigit() and pk.isdigit()):
        return None
    return EPOCH + dt.timedelta(microseconds=int(micros)), int(pk)


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
