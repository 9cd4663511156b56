"""The program dashboard's numbers. Staff see counts and rates only, never circle content,
and any figure about fewer than five people is suppressed (shown as "fewer than 5")."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q
from django.utils import timezone

from peerhaven.circles.models import Attendance, Meeting, Membership
from peerhaven.programs.models import Enrollment, Program

SMALLEST_SHOWN = 5
RATE_BANDS = [(0.0, "under 25%"), (0.25, "25–49%"), (0.5, "50–74%"), (0.75, "75% or more")]


def shown(count: int) -> int | None:
    """A count of people, or None when it is too small to show without identifying anyone."""
    return None if 0 < count < SMALLEST_SHOWN else count


def funnel(program: Program) -> list[tuple[str, int | None]]:
    counts = Counter(program.enrollments.values_list("state", flat=True))
    return [(label, shown(counts.get(value, 0))) for value, label in Enrollment.State.choices]


def circle_rows(program: Program) -> list[dict]:
    """Per circle: members, meetings held, attendance rate (suppressed for small circles)."""
    return circle_rows_for(program.program_circles.select_related("circle"))


def circle_rows_for(links) -> list[dict]:
    now = timezone.now()
    links = links.annotate(
        members=Count(
            "circle__memberships",
            filter=Q(circle__memberships__state=Membership.State.ACTIVE),
            distinct=True,
        ),
        held=Count(
            "circle__meetings",
            filter=Q(
                circle__meetings__starts_at__lte=now,
                circle__meetings__status=Meeting.Status.SCHEDULED,
            ),
            distinct=True,
        ),
    )
    rates = _attendance_rates([link.circle_id for link in links])
    return [
        {
            "label": link.label,
            "state": link.circle.get_state_display(),
            "members": link.members,
            "held": link.held,
            "rate": rates.get(link.circle_id) if link.members >= SMALLEST_SHOWN else None,
        }
        for link in links
    ]


def _attendance_rates(circle_ids: list[int]) -> dict[int, float]:
    rows = (
        Attendance.objects.filter(meeting__circle_id__in=circle_ids)
        .values("meeting__circle_id")
        .annotate(total=Count("pk"), present=Count("pk", filter=Q(status="present")))
    )
    return {r["meeting__circle_id"]: r["present"] / r["total"] for r in rows if r["total"]}


def attendance_distribution(program: Program) -> list[tuple[str, int | None]]:
    """How many members attend how often: each member's own rate, counted in bands."""
    circle_ids = list(program.program_circles.values_list("circle_id", flat=True))
    per_member = (
        Attendance.objects.filter(meeting__circle_id__in=circle_ids)
        .values("user_id")
        .annotate(total=Count("pk"), present=Count("pk", filter=Q(status="present")))
    )
    bands = Counter(_band(r["present"] / r["total"]) for r in per_member if r["total"])
    return [(label, shown(bands.get(label, 0))) for _, label in RATE_BANDS]


def _band(rate: float) -> str:
    return [label for floor, label in RATE_BANDS if rate >= floor][-1]


def still_meeting_by_month(program: Program) -> list[tuple[str, int]]:
    """Circles that met at least once in each month since the program started."""
    circle_ids = program.program_circles.values_list("circle_id", flat=True)
    meetings = Meeting.objects.filter(
        circle_id__in=circle_ids,
        status=Meeting.Status.SCHEDULED,
        starts_at__lte=timezone.now(),
        attendance__status="present",
    ).values_list("circle_id", "starts_at")
    months: dict[str, set[int]] = {}
    for circle_id, starts_at in meetings:
        months.setdefault(starts_at.strftime("%Y-%m"), set()).add(circle_id)
    return [(month, len(circles)) for month, circles in sorted(months.items())]
