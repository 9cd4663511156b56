"""Remind members of the opportunities they follow, in the week before each closes. Run
it daily (cron, or your scheduler of choice): each follow is reminded once, however often
it runs."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from peerhaven.sponsorship.reminders import do_send_deadline_reminders


class Command(BaseCommand):
    help = "E-mail followers of opportunities whose deadline is a week away or less."

    def handle(self, *args, **options):
        sent = do_send_deadline_reminders()
        self.stdout.write(f"{sent} deadline reminder{'s' if sent != 1 else ''} sent.")
