"""Community digests for one period. Run it from cron once a day with ``--period daily``
and once a week with ``--period weekly``; by default it hands the run to the worker."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from peerhaven.communities.digests import PERIODS, run_digests, send_digests


class Command(BaseCommand):
    help = "Send community e-mail digests (new threads in followed sub-groups) for a period."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, choices=sorted(PERIODS))
        parser.add_argument(
            "--now",
            action="store_true",
            help="Run here and now instead of queueing the run for the background worker.",
        )

    def handle(self, *args, period, now, **options):
        if now:
            sent = run_digests(period)
            self.stdout.write(f"{sent} {period} digest{'s' if sent != 1 else ''} sent.")
        else:
            result = send_digests.enqueue(period)
            self.stdout.write(f"{period.capitalize()} digests queued for the worker ({result.id}).")
