"""Open the survey waves that are due and send the reminders that have fallen due. Run it
daily, or hourly (cron, or your scheduler of choice): each member is invited once per wave
and reminded at most once per reminder day, however often it runs."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from peerhaven.outcomes.survey_actions import do_open_due_waves, do_send_reminders


class Command(BaseCommand):
    help = "Invite members to survey waves that are open and remind those who have not answered."

    def handle(self, *args, **options):
        invited = do_open_due_waves()
        reminded = do_send_reminders()
        self.stdout.write(
            f"{invited} invitation{'s' if invited != 1 else ''} and "
            f"{reminded} reminder{'s' if reminded != 1 else ''} sent."
        )
