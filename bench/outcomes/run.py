"""Outcomes benchmark: a large program (seed.py) on a fresh temporary SQLite database, then
the report page and its PDF as the program's coordinator and the research export (every
wave, participants and achievements) as its researcher. Prints p50/p95/max and the queries
of one request each; exits 1 if a request fails.

    .venv/bin/python bench/outcomes/run.py             # 1,000 members, 125 circles, 3 years
    .venv/bin/python bench/outcomes/run.py --smoke     # CI: ~10 s
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    args = parse_args()
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HERE.parent))
    import seed
    from harness import measure, show, signed_in, start_django_on_temporary_sqlite

    start_django_on_temporary_sqlite()
    started = time.perf_counter()
    ids = seed.seed(args.members, args.circles, args.years)
    print(
        f"seeded {args.members:,} members, {args.circles} circles, {args.years} years, "
        f"2 waves in {time.perf_counter() - started:.1f} s"
    )
    client = signed_in(ids["coordinator"])
    print(f"{'page':<16}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}")
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


if __name__ == "__main__":
    sys.exit(main())
