"""Communities benchmark: seed a large community (seed.py), then measure its pages and the
digest run. Prints p50/p95/max and the queries of one request per page, and the digest
run's time; exits 1 if any page errors.

    .venv/bin/python bench/communities/run.py --smoke          # CI: tiny, temporary SQLite
    .venv/bin/python bench/communities/run.py --seed-only      # full population, PostgreSQL
    .venv/bin/python bench/communities/run.py --requests 200   # measure (seeds if empty)

The full run uses ``BENCH_DATABASE_URL`` (default
postgres://postgres@127.0.0.1:5432/peerhaven_bench), creating the database if it is
missing; ``--reseed`` drops and refills it. See README.md."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/peerhaven_bench"
TARGET_P95_MS = 150

# (label, URL name, who asks, query string)
PAGES = [
    ("community home", "communities:detail", "member", ""),
    ("sub-group feed", "communities:subgroup", "member", ""),
    ("thread, 200 replies", "communities:post", "member", ""),
    ("moderation queue", "communities:moderation", "moderator", ""),
    ("search, common word", "communities:search", "member", "q={common}"),
    ("search, rare word", "communities:search", "member", "q={rare}"),
]


def main() -> int:
    args = parse_args()
    database = configure(args)
    import django

    django.setup()
    sys.path.insert(0, str(HERE))
    import seed

    fresh = prepare_database(args, database, seed)
    if args.seed_only:
        return 0
    print(f"\npages ({args.requests} requests each, after one warm-up):")
    failures = measure_pages(args.requests, seed)
    digest_run()
    if not fresh:
        print("(population from an earlier seed; --reseed to rebuild it)")
    return 1 if failures else 0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny population, temporary SQLite")
    parser.add_argument("--seed-only", action="store_true", help="seed, measure nothing")
    parser.add_argument("--reseed", action="store_true", help="drop and refill the database")
    parser.add_argument("--requests", type=int, default=100, help="requests per page")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def configure(args) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerhaven.settings")
    os.environ["PEERHAVEN_TASK_BACKEND"] = "django_tasks_db.DatabaseBackend"
    os.environ["PEERHAVEN_EMAIL_DELIVERY_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    if args.smoke:
        os.environ["PEERHAVEN_VAR_DIR"] = tempfile.mkdtemp(prefix="peerhaven-bench-")
        os.environ.pop("DATABASE_URL", None)
        if args.requests == 100:
            args.requests = 20
        return "sqlite (temporary)"
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    create_database(url, drop=args.reseed)
    return url


def create_database(url: str, *, drop: bool) -> None:
    """CREATE DATABASE (after DROP with --reseed), connected to the server's ``postgres``."""
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if drop:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def prepare_database(args, database: str, seed) -> bool:
    from django.conf import settings
    from django.core.management import call_command

    from peerhaven.communities.models import Community

    settings.SECURE_SSL_REDIRECT = False
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    if Community.objects.filter(name=seed.COMMUNITY_NAME).exists():
        print(f"database: {database}, already seeded")
        return False
    size = seed.SMOKE if args.smoke else seed.FULL
    print(f"database: {database}; seeding {size}")
    started = time.perf_counter()
    seed.seed(size, seed=args.seed)
    print(f"seeded in {time.perf_counter() - started:.1f} s")
    return True


def measure_pages(requests: int, seed) -> list[str]:
    from django.urls import NoReverseMatch

    clients, kwargs = sign_in(seed), page_arguments(seed)
    failures = []
    print(f"{'page':<24}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}  status")
    for label, name, who, query in PAGES:
        try:
            words = {"common": seed.COMMON_WORD, "rare": seed.RARE_WORD}
            path = _path(name, kwargs[name], query.format(**words))
        except NoReverseMatch:
            print(f"{label:<24}{'':>36}  no URL named {name} yet")
            failures.append(label)
            continue
        timings, queries, status = measure(clients[who], path, requests)
        if status != 200:
            print(f"{label:<24}{'':>36}  HTTP {status} at {path}")
            failures.append(label)
            continue
        p95 = percentile(timings, 95)
        flag = "ok" if p95 < TARGET_P95_MS else f"p95 over {TARGET_P95_MS} ms"
        print(
            f"{label:<24}{percentile(timings, 50):>9.1f}{p95:>9.1f}{max(timings):>9.1f}"
            f"{queries:>9}  {flag}",
            flush=True,
        )
    return failures


def _path(name: str, kwargs: dict, query: str) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")


def sign_in(seed) -> dict:
    from django.test import Client

    from peerhaven.accounts.models import User

    clients = {}
    for who, email in (("member", seed.MEMBER_EMAIL), ("moderator", seed.MODERATOR_EMAIL)):
        clients[who] = Client()
        clients[who].force_login(User.objects.get(email=email))
    return clients


def page_arguments(seed) -> dict:
    from django.db.models import Min

    from peerhaven.communities.models import Community, Post

    community = Community.objects.get(name=seed.COMMUNITY_NAME)
    big = Post.objects.filter(community=community, parent__isnull=True).aggregate(Min("pk"))
    thread = Post.objects.get(pk=big["pk__min"])
    base = {"community_id": community.pk}
    return {
        "communities:detail": base,
        "communities:subgroup": {**base, "subgroup_id": thread.subgroup_id},
        "communities:post": {**base, "post_id": thread.pk},
        "communities:moderation": base,
        "communities:search": base,
    }


def measure(client, path: str, requests: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)  # warm caches and templates
    if response.status_code != 200:
        return [], 0, response.status_code
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            return timings, 0, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return timings, len(queries), 200


def percentile(values: list[float], pct: int) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[pct - 1]
        if len(values) > 1
        else values[0]
    )


def digest_run() -> None:
    """The weekly digest for every member, as the worker would run it: each e-mail rendered
    and queued as a delivery task in the database (delivery itself is the worker's, later).
    Earlier runs' deliveries and queued tasks are cleared first, so reruns measure the same."""
    from django.db import connection
    from django.utils import timezone

    from peerhaven.communities.digests import run_digests
    from peerhaven.communities.models import DigestDelivery, Member

    def clear_queue():
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM django_tasks_database_dbtaskresult WHERE task_path = %s",
                ["peerhaven.notifications.tasks.deliver_email"],
            )

    DigestDelivery.objects.all().delete()
    Member.objects.update(digest_sent_at=None)
    clear_queue()
    members = Member.objects.filter(digest=Member.Digest.WEEKLY, state=Member.State.ACTIVE)
    count = members.count()
    started = time.perf_counter()
    sent = run_digests(Member.Digest.WEEKLY, now=timezone.now())
    seconds = time.perf_counter() - started
    print(
        f"\ndigest run (weekly): {count:,} members, {sent:,} e-mails queued in {seconds:.1f} s "
        f"({seconds / max(count, 1) * 1000:.2f} ms a member)"
    )
    clear_queue()


if __name__ == "__main__":
    sys.exit(main())
