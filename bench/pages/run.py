"""Page latency of the signed-in pages, on a fresh SQLite database with the demo data plus
N generated members in circles of eight. Prints p50/p95/max per page and the queries each
page makes.

    .venv/bin/python bench/pages/run.py [--members 10000] [--requests 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

PAGES = [
    "/",
    "/profile/",
    "/profile/availability/",
    "/profile/private/",
    "/circles/",
    "/circles/{circle}/",
    "/circles/{circle}/thread/",
    "/circles/{circle}/members/",
    "/circles/{circle}/meetings/{meeting}/",
]


def main() -> int:
    args = parse_args()
    os.environ["PEERHAVEN_VAR_DIR"] = tempfile.mkdtemp(prefix="peerhaven-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerhaven.settings")
    import django

    django.setup()
    prepare_database(args.members)
    client = signed_in_client()
    ids = demo_circle_ids()
    print(f"{'page':<40}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}")
    for template in PAGES:
        path = template.format(**ids)
        timings, queries = measure(client, path, args.requests)
        print(
            f"{template:<40}{percentile(timings, 50):>9.1f}{percentile(timings, 95):>9.1f}"
            f"{max(timings):>9.1f}{queries:>9}"
        )
    return 0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    return parser.parse_args()


def prepare_database(members: int) -> None:
    from django.conf import settings
    from django.core.management import call_command

    settings.SECURE_SSL_REDIRECT = False
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    started = time.perf_counter()
    add_members(members)
    print(f"database: demo data + {members:,} members in {time.perf_counter() - started:.1f} s")


def add_members(count: int) -> None:
    from peerhaven.accounts.models import Profile, User
    from peerhaven.circles.models import Circle, Membership

    batch = 2_000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        users = User.objects.bulk_create(
            User(email=f"bench{start + i}@example.org", password="!") for i in range(size)
        )
        Profile.objects.bulk_create(
            Profile(
                user=user,
                display_name=f"Bench Member {user.pk}",
                career_stage="assistant_professor",
                department=f"Department {user.pk % 30}",
                availability=[3 * 48 + 24, 3 * 48 + 25],
            )
            for user in users
        )
        circles = Circle.objects.bulk_create(
            Circle(name=f"Bench circle {start + i}") for i in range(0, size, 8)
        )
        Membership.objects.bulk_create(
            Membership(circle=circles[i // 8], user=user) for i, user in enumerate(users)
        )


def demo_circle_ids() -> dict:
    from peerhaven.circles.models import Circle

    circle = Circle.objects.get(name="Thursday Lunch Circle")
    return {"circle": circle.pk, "meeting": circle.meetings.past().first().pk}


def signed_in_client():
    from django.test import Client

    from peerhaven.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="member@demo.peerhaven.org"))
    return client


def measure(client, path: str, requests: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm caches and templates
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return timings, len(queries)


def percentile(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100)[pct - 1] if len(values) > 1 else values[0]


if __name__ == "__main__":
    sys.exit(main())
