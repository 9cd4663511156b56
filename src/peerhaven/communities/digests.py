"""E-mail digests of new threads, daily or weekly, per member who asked for one.

A run walks the members who chose that period in batches (keyset by id). Each batch is one
transaction that records a ``DigestDelivery`` per member, queues their e-mail (the queued
backend hands it to the worker when the transaction commits) and moves their
``digest_sent_at`` on. A run that crashes loses only its open batch, nothing of which was
queued; running the same period again skips everyone with a delivery row, so nobody gets
two copies, and the unique constraint on (member, period) holds even if two runs overlap.

A digest names threads (title, sub-group, reply count, link), never their text: titles are
shown to the recipient only, a member who can open every thread listed. It lists threads
in the sub-groups the member follows, plus community-wide threads. Following a sub-group
needs a ``SubGroupMember`` row, the same row that lets a member into a private sub-group,
so a digest stays inside ``Post.objects.in_reach_of(member)`` by construction."""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from operator import itemgetter

from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django_tasks import task

from peerhaven.communities.models import DigestDelivery, Member, Post, SubGroupMember
from peerhaven.notifications.email import absolute_url, render_templated, send_all

PERIODS = {
    Member.Digest.DAILY: dt.timedelta(days=1),
    Member.Digest.WEEKLY: dt.timedelta(weeks=1),
}
BATCH_SIZE = 500
THREADS_PER_DIGEST = 10
# A member who has had no digest for longer (they just switched it on, or had nothing new
# for months) gets at most this much history, so one e-mail never lists a year of threads.
MAX_LOOKBACK = dt.timedelta(weeks=4)

THREAD_FIELDS = (
    *("pk", "title", "kind", "subgroup_id", "subgroup__name", "reply_count"),
    *("created_at", "author_id", "accepted_answer_id"),
)

UNSUBSCRIBE_SALT = "peerhaven.communities.digest-unsubscribe"
# Long enough for an old digest's link to keep working (RFC 8058 asks for that).
UNSUBSCRIBE_MAX_AGE = dt.timedelta(days=120)


# --- Periods -----------------------------------------------------------------------------


def period_key(period: str, now: dt.datetime) -> str:
    """``daily:2026-11-27`` or ``weekly:2026-W48``, in UTC: the name a delivery is kept
    under, so a rerun on the same day (or in the same ISO week) resumes the same run."""
    day = now.astimezone(dt.UTC).date()
    if period == Member.Digest.DAILY:
        return f"daily:{day.isoformat()}"
    year, week, _ = day.isocalendar()
    return f"weekly:{year}-W{week:02d}"


def _since(member: Member, now: dt.datetime) -> dt.datetime:
    since = member.digest_sent_at or now - PERIODS[member.digest]
    return max(since, now - MAX_LOOKBACK)


# --- Unsubscribe links -------------------------------------------------------------------


def unsubscribe_token(member: Member) -> str:
    """A signed, timestamped token naming the member: the link works without signing in and
    needs nothing stored."""
    return signing.dumps(member.pk, salt=UNSUBSCRIBE_SALT)


def member_for_token(token: str) -> Member | None:
    """The member a token names, or None for a forged, mangled or expired token."""
    try:
        member_id = signing.loads(
            token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE.total_seconds()
        )
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(member_id, int):
        return None
    return Member.objects.select_related("community").filter(pk=member_id).first()


def unsubscribe_url(member: Member) -> str:
    return absolute_url(reverse("communities:unsubscribe", args=[unsubscribe_token(member)]))


# --- The run -----------------------------------------------------------------------------


@task()
def send_digests(period: str) -> int:
    """The worker's entry point (``manage.py send_community_digests`` enqueues it)."""
    return run_digests(period)


def run_digests(
    period: str, *, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE
) -> int:
    """Send the period's digests to every member still without one; the number sent."""
    if period not in PERIODS:
        raise ValueError(f"Unknown digest period {period!r}: daily or weekly.")
    now = now or timezone.now()
    key = period_key(period, now)
    candidates = _Candidates(now)
    sent, last_id = 0, 0
    while batch := _next_batch(period, key, last_id, batch_size):
        last_id = batch[-1].pk
        sent += _send_batch(batch, key, now, candidates)
    return sent


def _next_batch(period: str, key: str, after_id: int, size: int) -> list[Member]:
    delivered = DigestDelivery.objects.filter(member=OuterRef("pk"), period=key)
    return list(
        Member.objects.filter(
            digest=period, state=Member.State.ACTIVE, user__is_active=True, pk__gt=after_id
        )
        .filter(~Exists(delivered))
        .select_related("community", "user")
        .only(
            "community__name",
            "user__email",
            "user_id",
            "digest",
            "digest_sent_at",
        )
        .order_by("pk")[:size]
    )


def _send_batch(batch: list[Member], key: str, now: dt.datetime, candidates) -> int:
    followed = _followed_subgroups(batch)
    digests = []
    for member in batch:
        threads = candidates.top_for(member, followed[member.pk], _since(member, now))
        if threads:
            digests.append((member, threads))
    if not digests:
        return 0
    with transaction.atomic():
        DigestDelivery.objects.bulk_create(
            DigestDelivery(member=member, period=key, sent_at=now) for member, _ in digests
        )
        urls = {
            community_id: absolute_url(reverse("communities:detail", args=[community_id]))
            for community_id in {member.community_id for member, _ in digests}
        }
        send_all(
            [
                _digest_message(member, threads, urls[member.community_id])
                for member, threads in digests
            ]
        )
        Member.objects.filter(pk__in=[member.pk for member, _ in digests]).update(
            digest_sent_at=now
        )
    return len(digests)


def _followed_subgroups(batch: list[Member]) -> dict[int, set[int]]:
    """{member id: ids of the sub-groups of their community they follow}, in one query."""
    member_of = {(m.user_id, m.community_id): m.pk for m in batch}
    rows = SubGroupMember.objects.filter(
        user_id__in={m.user_id for m in batch},
        subgroup__community_id__in={m.community_id for m in batch},
        following=True,
    ).values_list("user_id", "subgroup__community_id", "subgroup_id")
    followed: dict[int, set[int]] = defaultdict(set)
    for user_id, community_id, subgroup_id in rows:
        if (user_id, community_id) in member_of:
            followed[member_of[user_id, community_id]].add(subgroup_id)
    return followed


def _digest_message(member: Member, threads: list[dict], community_url: str):
    unsubscribe = unsubscribe_url(member)
    return render_templated(
        "community_digest",
        [member.user.email],
        {
            "community": member.community,
            "period": member.get_digest_display().removeprefix("A ").lower(),
            "threads": threads,
            "community_url": community_url,
            "unsubscribe_url": unsubscribe,
        },
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


class _Candidates:
    """New published threads of a community, by sub-group (``None`` for community-wide
    ones), best first: fetched once per community and start time for the whole run, then
    shared by every member in it."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self._cache: dict[tuple[int, dt.datetime], dict[int | None, list[dict]]] = {}

    def top_for(self, member: Member, subgroups: set[int], since: dt.datetime) -> list[dict]:
        by_subgroup = self._threads(member.community_id, since)
        found = []
        for subgroup_id in [None, *subgroups]:
            taken = 0
            for thread in by_subgroup.get(subgroup_id, ()):
                if taken == THREADS_PER_DIGEST:
                    break
                # Lists may come from an earlier start; the member's own threads are news
                # to nobody.
                if thread["created_at"] >= since and thread["author_id"] != member.user_id:
                    found.append(thread)
                    taken += 1
        return heapq.nsmallest(THREADS_PER_DIGEST, found, key=itemgetter("rank"))

    def _threads(self, community_id: int, since: dt.datetime) -> dict[int | None, list[dict]]:
        # Members of one run share few start times (most have the previous run's), so an
        # earlier, wider list is reused when there is one.
        for (cached_community, cached_since), threads in self._cache.items():
            if cached_community == community_id and cached_since <= since:
                return threads
        rows = (
            Post.objects.threads()
            .published()
            .filter(community_id=community_id, created_at__gte=since, created_at__lt=self.now)
            .values(*THREAD_FIELDS)
        )
        by_subgroup: dict[int | None, list[dict]] = defaultdict(list)
        for row in rows:
            row["url"] = absolute_url(reverse("communities:post", args=[community_id, row["pk"]]))
            row["rank"] = _rank(row)
            _render_lines(row)
            by_subgroup[row["subgroup_id"]].append(row)
        for threads in by_subgroup.values():
            threads.sort(key=itemgetter("rank"))
        self._cache[community_id, since] = by_subgroup
        return by_subgroup


def _render_lines(thread: dict) -> None:
    """A thread's lines in the e-mail, rendered once for every digest that lists it: a run
    for 100,000 members would otherwise render the same lines thousands of times."""
    context = {"thread": thread}
    thread["text"] = render_to_string("emails/_community_digest_thread.txt", context).strip()
    html = render_to_string("emails/_community_digest_thread.html", context).strip()
    thread["html"] = mark_safe(html)  # noqa: S308 — the template escaped the title


def _rank(thread: dict) -> tuple:
    """Most replied first, then newest."""
    return (-thread["reply_count"], -thread["created_at"].timestamp())
