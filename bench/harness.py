"""What the benchmarks share: Django on a fresh temporary SQLite database, a signed-in test
client, and p50/p95/max of many requests with the queries of one."""

from __future__ import annotations

import os
import statistics
import tempfile
import time


def start_django_on_temporary_sqlite() -> None:
    """Set Django up on an empty, migrated SQLite database of its own, with the test
    client welcome (no HTTPS redirect, no second factor for staff)."""
    os.environ["PEERHAVEN_VAR_DIR"] = tempfile.mkdtemp(prefix="peerhaven-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerhaven.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.SECURE_SSL_REDIRECT = False
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.MFA_REQUIRED_ROLES = []
    call_command("migrate", verbosity=0)


def signed_in(user_id: int):
    from django.test import Client

    from peerhaven.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    return client


def measure(client, request, requests: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    check(request())  # warm: imports, templates
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = request()
        timings.append((time.perf_counter() - started) * 1000)
        check(response)
    with CaptureQueriesContext(connection) as queries:
        request()
    return timings, len(queries)


def check(response) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{response.request['PATH_INFO']}: {response.status_code}")


def percentile(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100)[pct - 1] if len(values) > 1 else values[0]


def show(label: str, requests: int, timings: list[float], queries: int) -> None:
    print(
        f"{label:<16}{requests:>9}{percentile(timings, 50):>9.0f}"
        f"{percentile(timings, 95):>9.0f}{max(timings):>9.0f}{queries:>9}"
    )
