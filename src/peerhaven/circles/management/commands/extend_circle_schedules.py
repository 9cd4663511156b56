"""Keep four months of meetings planned for every meeting circle. Run daily."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from peerhaven.circles.meeting_actions import schedule_meetings
from peerhaven.circles.models import Circle


class Command(BaseCommand):
    help = "Plan meetings ahead for every circle that has a schedule and is not paused."

    def handle(self, *args, **options):
        circles = Circle.objects.filter(
            state__in=[Circle.State.FORMING, Circle.State.ACTIVE], first_meeting_on__isnull=False
        )
        for circle in circles.iterator():
            schedule_meetings(circle)
        self.stdout.write(f"Schedules extended for {circles.count()} circles.")
