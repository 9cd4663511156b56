"""Outcomes benchmark: a large program (seed.py) on a fresh temporary SQLite database, then
the report page and its PDF as the program's coordinator and the research export (every
wave, participants and achievements) as its researcher. Prints p50/p95/max and the queries
of one request each; exits 1 if a request fails.

    .venv/bin/python bench/outcomes/run.py             # 1,000 members, 125 circles, 3 years
    .venv/bin/python bench/outcomes/run.py --smoke     # CI: ~10 s
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    args = parse_args()
    os.environ["PEERHAVEN_VAR_DIR"] = tempfile.mkdtemp(prefix="peerhaven-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerhaven.settings")
    import django

    django.setup()
    sys.path.insert(0, str(HERE))
    import seed
    from django.conf import settings
    from django.core.management import call_command

    settings.SECURE_SSL_REDIRECT = False
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.MFA_REQUIRED_ROLES = []  # the coordinator signs in without a second factor here
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    ids = seed.seed(args.members, args.circles, args.years)
    print(
        f"seeded {args.members:,} members, {args.circles} circles, {args.years} years, "
        f"2 waves in {time.perf_counter() - started:.1f} s"
    )
    client = signed_in(ids["coordinator"])
    print(f"{'page':<14}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}")
    for label, suffix, requests in [
        ("report page", "report/", args.requests),
        ("report PDF", "report.pdf", max(args.requests // 4, 1)),
    ]:
        path = f"/programs/{ids['program']}/{suffix}"
        show(label, requests, *measure(client, lambda path=path: client.get(path), requests))
    researcher = signed_in(ids["researcher"])
    export = research_export_request(researcher, ids["program"], seed.RESEARCHER_PASSWORD)
    requests = max(args.requests // 4, 1)
    show("export ZIP", requests, *measure(client, export, requests))
    return 0


def show(label: str, requests: int, timings: list[float], queries: int) -> None:
    print(
        f"{label:<14}{requests:>9}{percentile(timings, 50):>9.0f}"
        f"{percentile(timings, 95):>9.0f}{max(timings):>9.0f}{queries:>9}"
    )


def research_export_request(client, program_id: int, password: str):
    """The export form as the researcher sends it: every box ticked, her password."""
    from peerhaven.outcomes.models import Wave

    waves = list(Wave.objects.filter(program_id=program_id).values_list("pk", flat=True))
    data = {
        "participants": "on",
        "achievements": "on",
        "waves": waves,
        "password": password,
    }
    path = f"/programs/{program_id}/research-export/"
    return lambda: client.post(path, data)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small program, few requests")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--circles", type=int, default=125)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    if args.smoke:
        args.members, args.circles, args.years, args.requests = 80, 10, 1, 4
    return args


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


if __name__ == "__main__":
    sys.exit(main())
