"""Sponsorship benchmark: a large population (seed.py) on a fresh temporary SQLite
database, then the board (plain and filtered), an opportunity, a member's nominations and
an organization's equity view, and the daily deadline-reminder run. Prints p50/p95/max and
the queries of one request each; exits 1 if a request fails.

    .venv/bin/python bench/sponsorship/run.py           # 10,000 members, 5,000 opportunities
    .venv/bin/python bench/sponsorship/run.py --smoke   # CI: a few seconds
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
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
    ids = seed.seed(args.members, args.opportunities, args.nominations)
    print(
        f"seeded {args.members:,} members, {args.opportunities:,} opportunities, "
        f"{args.nominations:,} nominations in {time.perf_counter() - started:.1f} s"
    )
    member, staff = signed_in(ids["member"]), signed_in(ids["staff"])
    pages = [
        ("board", member, "/sponsorship/"),
        ("board filtered", member, "/sponsorship/?kind=award&stage=assistant_professor"),
        ("board, past", member, "/sponsorship/?deadline=past"),
        ("opportunity", member, f"/sponsorship/{ids['opportunity']}/"),
        ("my nominations", member, "/sponsorship/nominations/"),
        ("equity view", staff, f"/sponsorship/organizations/{ids['organization']}/equity/"),
    ]
    print(f"{'page':<16}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}")
    for label, client, path in pages:
        show(label, args.requests, *measure(client, partial(client.get, path), args.requests))
    reminders()
    return 0


def reminders() -> None:
    """Everyone follows an opportunity closing within the week: one reminder run."""
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from peerhaven.sponsorship.models import Follow, Opportunity

    soon = (
        Opportunity.objects.filter(audience="everyone", deadline__gte=timezone.localdate())
        .order_by("deadline")
        .first()
    )
    if soon is None:
        return
    Opportunity.objects.filter(pk=soon.pk).update(deadline=timezone.localdate())
    from peerhaven.accounts.models import User

    Follow.objects.bulk_create(
        [Follow(opportunity=soon, user_id=pk) for pk in User.objects.values_list("pk", flat=True)],
        ignore_conflicts=True,
    )
    started = time.perf_counter()
    out = StringIO()
    call_command("send_deadline_reminders", stdout=out)
    print(f"deadline reminders: {out.getvalue().strip()} in {time.perf_counter() - started:.1f} s")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small population, few requests")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--opportunities", type=int, default=5_000)
    parser.add_argument("--nominations", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    if args.smoke:
        args.members, args.opportunities, args.nominations, args.requests = 400, 200, 800, 3
    return args


if __name__ == "__main__":
    sys.exit(main())
