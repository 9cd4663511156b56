"""Delete what members wrote in circles closed longer ago than their retention period.
The circle itself, its members and meeting and attendance counts stay for program reports.
Run daily."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from peerhaven.circles.retention import do_purge_closed_circles


class Command(BaseCommand):
    help = "Delete the content of circles whose post-closure retention has passed."

    def handle(self, *args, **options):
        purged = do_purge_closed_circles()
        self.stdout.write(
            f"Content deleted from {purged} closed circle{'s' if purged != 1 else ''}."
        )
