"""Seeded population for the communities benchmark: one large community with its members,
sub-groups, threads, replies, questions, and a moderation queue.

Full size (PostgreSQL): 100,000 members, 500 sub-groups, about 20 sub-group memberships
each, 200,000 threads and 800,000 replies, one thread with exactly 200 replies. People go
in through ``bulk_create`` (the sign-up action hashes passwords and sends e-mail, far too
slow for 100,000; every password here is unusable), sub-group memberships and posts
through PostgreSQL ``COPY``. Post bodies come from a small pool rendered once with the real
``render_markdown``. The search index (a generated ``tsvector`` column with a GIN index,
migration ``communities.0002_search``) fills itself as the posts go in, so the post
timing includes it. On another database (SQLite, for ``--smoke``) the same rows go in
through ``bulk_create``.

Called by ``run.py``; a Django set-up must already be in place."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

import numpy as np

COMMUNITY_NAME = "Physician Parents Network"
MODERATOR_EMAIL = "bench-moderator@example.org"
MEMBER_EMAIL = "bench-member@example.org"
COMMON_WORD = "schedule"  # in about a third of all bodies
RARE_WORD = "zygomycosis"  # in exactly RARE_POSTS posts
RARE_POSTS = 40
BIG_THREAD_REPLIES = 200
BODY_POOL = 300
MODERATORS = 20
PRIVATE_EVERY = 20  # every 20th sub-group is private


@dataclass(frozen=True)
class Size:
    members: int
    subgroups: int
    threads: int
    replies: int
    groups_per_member: int


FULL = Size(members=100_000, subgroups=500, threads=200_000, replies=800_000, groups_per_member=20)
SMOKE = Size(members=300, subgroups=24, threads=1_500, replies=4_000, groups_per_member=6)


def seed(size: Size, *, seed: int = 1) -> dict[str, float]:
    """Fill the database; returns seconds per step."""
    rng = np.random.default_rng(seed)
    now = _now()
    timings: dict[str, float] = {}
    with _timed(timings, "people (users, profiles)"):
        user_ids = _people(size.members)
    with _timed(timings, "community, rules, sub-groups, members"):
        community, rules, subgroup_ids = _community(size, user_ids)
    with _timed(timings, f"sub-group memberships (~{size.groups_per_member} each)"):
        memberships = _subgroup_memberships(rng, size, user_ids, subgroup_ids, now)
    with _timed(timings, "post bodies rendered (pool)"):
        pool = _body_pool(random.Random(seed))
    with _timed(timings, f"posts ({size.threads + size.replies:,}) incl. search index"):
        posts = _posts(rng, size, community, user_ids, subgroup_ids, pool, now)
    with _timed(timings, "reports"):
        _reports(rng, posts, rules, user_ids)
    with _timed(timings, "ANALYZE"):
        _analyze()
    print(f"  {memberships:,} sub-group memberships, {posts['count']:,} posts", flush=True)
    return timings


class _timed:
    def __init__(self, timings: dict, label: str):
        self.timings, self.label = timings, label

    def __enter__(self):
        self.started = time.perf_counter()
        print(f"  {self.label} …", end="", flush=True)

    def __exit__(self, *exc):
        seconds = time.perf_counter() - self.started
        self.timings[self.label] = seconds
        print(f" {seconds:.1f} s", flush=True)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


# --- People ------------------------------------------------------------------------------


STAGES = ["assistant_professor", "associate_professor", "professor", "fellow", "resident"]


def _people(count: int) -> list[int]:
    from peerhaven.accounts.models import Profile, User

    ids: list[int] = []
    for start in range(0, count, 5_000):
        emails = [_email(i) for i in range(start, min(start + 5_000, count))]
        users = User.objects.bulk_create(User(email=email, password="!") for email in emails)
        Profile.objects.bulk_create(
            Profile(
                user=user,
                display_name=f"Bench Member {start + i}",
                career_stage=STAGES[(start + i) % len(STAGES)],
                department=f"Department {(start + i) % 40}",
            )
            for i, user in enumerate(users)
        )
        ids += [user.pk for user in users]
    return ids


def _email(i: int) -> str:
    return {0: MODERATOR_EMAIL, 1: MEMBER_EMAIL}.get(i, f"bench{i}@example.org")


# --- The community -----------------------------------------------------------------------


RULES = [
    ("Be kind", "Disagree with ideas, not people."),
    ("No political posts", "Discussions of elections, parties and candidates go elsewhere."),
    ("No patient-identifiable information", "No names, dates of birth or record numbers."),
    ("No advertising", "Share resources, not sales pitches."),
    ("What is shared here stays here", "Do not screenshot or forward posts."),
]
REGIONS = ["Chicago", "Boston", "Houston", "Seattle", "Atlanta", "Denver", "Phoenix", "Miami"]
SPECIALTIES = ["Oncology", "Pediatrics", "Cardiology", "Anesthesiology", "Radiology", "Surgery"]
INTERESTS = ["Running", "Parenting teens", "Research careers", "Part-time practice", "Books"]


def _community(size: Size, user_ids: list[int]):
    from peerhaven.communities.models import AutoRule, Community, Member, Rule, SubGroup

    community = Community.objects.create(
        name=COMMUNITY_NAME,
        description="A closed group of physician parents, with sub-groups by city, specialty "
        "and shared interest.",
        join_policy=Community.JoinPolicy.REQUEST,
        allow_anonymous=True,
        hold_first_posts=0,
        created_by_id=user_ids[0],
    )
    rules = Rule.objects.bulk_create(
        Rule(community=community, number=n, title=title, details=details)
        for n, (title, details) in enumerate(RULES, start=1)
    )
    AutoRule.objects.create(
        community=community, rule=rules[1], patterns="election\nsenator\n/\\bvote (for|against)\\b/"
    )
    kinds = [
        (SubGroup.Kind.REGION, REGIONS),
        (SubGroup.Kind.SPECIALTY, SPECIALTIES),
        (SubGroup.Kind.INTEREST, INTERESTS),
    ]
    subgroups = SubGroup.objects.bulk_create(
        SubGroup(
            community=community,
            kind=kinds[i % 3][0],
            name=f"{kinds[i % 3][1][i // 3 % len(kinds[i % 3][1])]} {i:03d}",
            # The first sub-group holds the 200-reply thread and stays open.
            private=i % PRIVATE_EVERY == PRIVATE_EVERY - 1,
        )
        for i in range(size.subgroups)
    )
    joined = _now() - dt.timedelta(days=400)
    for start in range(0, len(user_ids), 10_000):
        Member.objects.bulk_create(
            Member(
                community=community,
                user_id=user_id,
                role=_role(start + i),
                joined_at=joined,
                rules_agreed_version=community.rules_version,
                digest=Member.Digest.WEEKLY,
            )
            for i, user_id in enumerate(user_ids[start : start + 10_000])
        )
    return community, rules, [subgroup.pk for subgroup in subgroups]


def _role(i: int) -> str:
    from peerhaven.communities.models import Member

    if i == 0:
        return Member.Role.OWNER
    return Member.Role.MODERATOR if 1 < i <= MODERATORS else Member.Role.MEMBER


def _subgroup_memberships(rng, size: Size, user_ids, subgroup_ids, now) -> int:
    """Each member in ``groups_per_member`` distinct sub-groups, 80 % of them followed; the
    benchmark's member is in (and follows) the first sub-group."""
    from peerhaven.communities.models import SubGroupMember

    per = min(size.groups_per_member, len(subgroup_ids))
    groups = np.asarray(subgroup_ids)
    rows = []
    for start in range(0, len(user_ids), 10_000):
        users = np.asarray(user_ids[start : start + 10_000])
        picks = np.argpartition(rng.random((len(users), len(groups))), per, axis=1)[:, :per]
        if start == 0:
            picks[1, 0] = 0 if 0 not in picks[1] else picks[1, 0]
        following = rng.random(picks.shape) < 0.8
        following[1, :] = True
        rows.append((np.repeat(users, per), groups[picks].ravel(), following.ravel()))
    user_col = np.concatenate([r[0] for r in rows])
    group_col = np.concatenate([r[1] for r in rows])
    follow_col = np.concatenate([r[2] for r in rows])
    users_, groups_, follows_ = user_col.tolist(), group_col.tolist(), follow_col.tolist()
    if _is_postgres():
        stamp = now.isoformat()
        lines = (
            f"{g}\t{u}\t{'t' if f else 'f'}\t{stamp}\n"
            for u, g, f in zip(users_, groups_, follows_, strict=True)
        )
        _copy("communities_subgroupmember", "subgroup_id, user_id, following, joined_at", lines)
    else:
        SubGroupMember.objects.bulk_create(
            (
                SubGroupMember(subgroup_id=g, user_id=u, following=f)
                for u, g, f in zip(users_, groups_, follows_, strict=True)
            ),
            batch_size=5_000,
        )
    _count_subgroup_members(subgroup_ids, group_col)
    return len(user_col)


def _count_subgroup_members(subgroup_ids, group_col) -> None:
    """The rows went in around the actions, so their counts are set here, as the actions
    would have kept them."""
    from peerhaven.communities.models import SubGroup

    ids, counts = np.unique(group_col, return_counts=True)
    per_group = dict(zip(ids.tolist(), counts.tolist(), strict=True))
    SubGroup.objects.bulk_update(
        [SubGroup(pk=pk, member_count=per_group.get(pk, 0)) for pk in subgroup_ids],
        ["member_count"],
        batch_size=500,
    )


# --- Posts -------------------------------------------------------------------------------


WORDS = [
    "call", "clinic", "daycare", "nanny", "pumping", "lactation", "leave", "tenure",
    "promotion", "grant", "mentor", "sleep", "night", "shift", "coverage", "partner", "school",
    "fever", "vaccine", "burnout", "support", "colleague", "chair", "department",
    "negotiation", "salary", "contract", "research", "manuscript", "review", "conference",
    "travel", "childcare", "summer", "camp", "commute", "family", "residency", "fellowship",
    "attending", "board", "exam", "workload", "wellness", "boundaries", "email", "inbox",
    "charting", "documentation", "meeting", "committee",
]  # fmt: skip
TITLE_OPENERS = [
    "How do you handle",
    "Advice needed on",
    "Anyone else struggling with",
    "Tips for",
    "Question about",
    "What worked for you:",
    "Looking for recommendations on",
]


def _body_pool(r: random.Random) -> list[tuple[str, str]]:
    """(body, body_html) pairs: markdown rendered and sanitized by the real renderer."""
    from peerhaven.lib.markdown import render_markdown

    bodies = []
    for i in range(BODY_POOL):
        sentences = []
        for _ in range(r.randint(3, 7)):
            words = r.sample(WORDS, r.randint(6, 12))
            if i % 3 == 0 and not sentences:
                words.insert(r.randrange(len(words)), COMMON_WORD)
            sentences.append(" ".join(words).capitalize() + ".")
        body = " ".join(sentences)
        if i % 4 == 0:
            body += "\n\n- **" + r.choice(WORDS) + "** first\n- then " + r.choice(WORDS)
        if i % 10 == 0:
            body += "\n\nSee [this guide](https://example.org/guide) for more."
        bodies.append(body)
    bodies.append(f"Has anyone seen {RARE_WORD} in a colleague's child? Very unusual case.")
    return [(body, render_markdown(body)) for body in bodies]


def _titles(r: random.Random, count: int) -> list[str]:
    return [
        f"{r.choice(TITLE_OPENERS)} {r.choice(WORDS)} and {r.choice(WORDS)}"
        + (f" ({COMMON_WORD})" if i % 7 == 0 else "")
        for i in range(count)
    ]


def _posts(rng, size: Size, community, user_ids, subgroup_ids, pool, now) -> dict:
    """Threads then replies, with explicit ids (replies point at their thread)."""
    T, users, groups = size.threads, np.asarray(user_ids), np.asarray(subgroup_ids)
    age = rng.uniform(0, 365 * 86400, T)
    age[0] = 2 * 86400  # the big thread: two days old
    thread_group = np.where(rng.random(T) < 0.1, -1, groups[rng.integers(0, len(groups), T)])
    thread_group[0] = groups[0]
    kind = rng.choice(["discussion", "question", "article"], T, p=[0.8, 0.15, 0.05])
    kind[0] = "discussion"
    state = rng.choice(
        ["published", "held", "removed", "hidden"], T, p=[0.9965, 0.002, 0.001, 0.0005]
    )
    state[0] = "published"
    reports = np.where(rng.random(T) < 0.0025, rng.integers(1, 4, T), 0)
    counts = _reply_counts(rng, T, size.replies)
    # Replies: contiguous ids per thread, spread evenly over up to a week after it began.
    R = int(counts.sum())
    first_id = np.concatenate([[0], np.cumsum(counts)[:-1]]) + T + 1
    reply_thread = np.repeat(np.arange(T), counts)
    position = np.arange(R) - np.repeat(first_id - T - 1, counts)
    span = np.minimum(age, 7 * 86400)
    reply_age = age[reply_thread] - (position + 1) * span[reply_thread] / (counts[reply_thread] + 1)
    reply_state = rng.choice(["published", "held"], R, p=[0.999, 0.001])
    reply_state[reply_thread == 0] = "published"
    reply_reports = np.where(rng.random(R) < 0.001, rng.integers(1, 3, R), 0)
    published_replies = np.bincount(reply_thread[reply_state == "published"], minlength=T)
    newest_reply_age = np.full(T, np.inf)
    np.minimum.at(newest_reply_age, reply_thread, reply_age)
    activity_age = np.minimum(age, newest_reply_age)
    answered = (kind == "question") & (counts > 0) & (rng.random(T) < 0.6)
    bodies = rng.integers(0, len(pool) - 1, T + R)
    bodies[rng.choice(T + R, RARE_POSTS, replace=False)] = len(pool) - 1
    anonymous = rng.random(T + R) < 0.02
    thread_author = users[rng.integers(0, len(users), T)]
    reply_author = users[rng.integers(0, len(users), R)]
    titles = _titles(random.Random(int(rng.integers(1 << 30))), 5_000)
    stamp = _stamps(now, np.concatenate([age, reply_age, activity_age]))
    created, reply_created, activity = stamp[:T], stamp[T : T + R], stamp[T + R :]

    def thread_row(i):
        return (
            i + 1, community.pk, _null(thread_group[i]), None, kind[i],
            titles[i % len(titles)] if i else "Bringing a newborn to a night-shift rotation",
            bodies[i], thread_author[i], anonymous[i], state[i],
            first_id[i] if answered[i] and reply_state[first_id[i] - T - 1] == "published"
            else None,
            published_replies[i], reports[i], created[i], activity[i],
        )  # fmt: skip

    def reply_row(j):
        t = reply_thread[j]
        return (
            T + 1 + j, community.pk, _null(thread_group[t]), t + 1, kind[t], "",
            bodies[T + j], reply_author[j], anonymous[T + j], reply_state[j], None, 0,
            reply_reports[j], reply_created[j], reply_created[j],
        )  # fmt: skip

    rows = [thread_row(i) for i in range(T)] + [reply_row(j) for j in range(R)]
    _write_posts(rows, pool)
    reported = [row[0] for row in rows if row[12]]
    return {"count": len(rows), "reported": reported, "rows": rows}


def _reply_counts(rng, threads: int, replies: int) -> np.ndarray:
    """Replies per thread: the first thread has exactly BIG_THREAD_REPLIES, every other
    fewer (Poisson, capped), adding up to ``replies``."""
    rest = replies - BIG_THREAD_REPLIES
    counts = np.minimum(rng.poisson(rest / (threads - 1), threads), 150)
    counts[0] = 0
    while (diff := rest - int(counts.sum())) != 0:
        picks = rng.integers(1, threads, abs(diff))
        np.add.at(counts, picks, 1 if diff > 0 else -1)
        counts = np.clip(counts, 0, 150)
        counts[0] = 0
    counts[0] = BIG_THREAD_REPLIES
    return counts


def _stamps(now: dt.datetime, ages: np.ndarray) -> list[str]:
    epoch = np.datetime64(now.replace(tzinfo=None), "s") - ages.astype("timedelta64[s]")
    return [s + "+00:00" for s in np.datetime_as_string(epoch, unit="s").tolist()]


def _null(group) -> int | None:
    return None if group < 0 else int(group)


POST_COLUMNS = (
    "id, community_id, subgroup_id, parent_id, kind, title, body, body_html, author_id, "
    "anonymous, state, held_reason, locked, accepted_answer_id, reply_count, report_count, "
    "created_at, last_activity_at"
)


def _write_posts(rows, pool) -> None:
    if not _is_postgres():
        return _bulk_posts(rows, pool)
    escaped = [(_escape(body), _escape(html)) for body, html in pool]
    held = _escape("A new member's first posts wait for a moderator.")

    def line(row):
        (pk, community, group, parent, kind, title, body, author, anon, state, accepted,
         replies, reports, created, activity) = row  # fmt: skip
        body_text, body_html = escaped[body]
        return (
            f"{pk}\t{community}\t{_n(group)}\t{_n(parent)}\t{kind}\t{_escape(title)}\t"
            f"{body_text}\t{body_html}\t{author}\t{'t' if anon else 'f'}\t{state}\t"
            f"{held if state == 'held' else ''}\tf\t{_n(accepted)}\t{replies}\t{reports}\t"
            f"{created}\t{activity}\n"
        )

    # Threads first: the answered ones point at replies, so the constraint waits for commit.
    _copy("communities_post", POST_COLUMNS, (line(row) for row in rows), deferred=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('communities_post', 'id'), %s)", [len(rows)]
        )


def _bulk_posts(rows, pool) -> None:
    from django.db import transaction

    from peerhaven.communities.models import Post

    # Replies before the threads that accept them would break SQLite's immediate check, so
    # accepted answers are set once everything is in.
    with transaction.atomic():
        Post.objects.bulk_create((_post(row, pool) for row in rows), batch_size=1_000)
        for row in rows:
            if row[10] is not None:
                Post.objects.filter(pk=row[0]).update(accepted_answer_id=int(row[10]))


def _post(row, pool):
    from peerhaven.communities.models import Post

    (pk, community, group, parent, kind, title, body, author, anon, state, _accepted,
     replies, reports, created, activity) = row  # fmt: skip
    return Post(
        id=pk,
        community_id=community,
        subgroup_id=group,
        parent_id=parent,
        kind=kind,
        title=title,
        body=pool[body][0],
        body_html=pool[body][1],
        author_id=int(author),
        anonymous=bool(anon),
        state=state,
        reply_count=int(replies),
        report_count=int(reports),
        created_at=dt.datetime.fromisoformat(created),
        last_activity_at=dt.datetime.fromisoformat(activity),
    )


def _n(value) -> str:
    return "\\N" if value is None else str(int(value))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy(table: str, columns: str, lines, *, deferred: bool = False) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if deferred:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            buffer = []
            for text in lines:
                buffer.append(text)
                if len(buffer) == 5_000:
                    copy.write("".join(buffer))
                    buffer.clear()
            copy.write("".join(buffer))


def _reports(rng, posts: dict, rules, user_ids) -> None:
    """Report rows behind the report counts, each by a different member."""
    from peerhaven.communities.models import Report

    by_id = {row[0]: row for row in posts["rows"] if row[12]}
    reports = []
    for post_id in posts["reported"]:
        row = by_id[post_id]
        reporters = rng.choice(len(user_ids), int(row[12]), replace=False)
        reports += [
            Report(
                post_id=post_id,
                reporter_id=user_ids[int(i)],
                rule=rules[int(rng.integers(0, len(rules)))],
                created_at=dt.datetime.fromisoformat(row[13]),
            )
            for i in reporters
            if user_ids[int(i)] != int(row[7])
        ]
    Report.objects.bulk_create(reports, batch_size=5_000)


def _analyze() -> None:
    from django.db import connection

    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
