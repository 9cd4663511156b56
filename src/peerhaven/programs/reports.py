"""The program dashboard's numbers. Staff see counts and rates only, never circle content,
and any figure about fewer than five people is suppressed, also where subtracting shown
figures from a shown total would give it away (``lib/disclosure``). The full program
report is ``outcomes/report/``."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q
from django.utils import timezone

from peerhaven.circles.models import Attendance, Meeting, Membership
from peerhaven.lib import disclosure
from peerhaven.lib.disclosure import SMALLEST_SHOWN
from peerhaven.programs.models import Enrollment, Program

RATE_BANDS = [(0.0, "under 25%"), (0.25, "25–49%"), (0.5, "50–74%"), (0.75, "75% or more")]
TOTAL = "total"


def shown(count: int) -> int | None:
    """A lone count of people (one that no shown total includes), or None when it is too
    small to show without identifying anyone."""
    return None if 0 < count < SMALLEST_SHOWN else count


def _protected_table(rows: list[tuple[str, int]], total_label: str) -> list[tuple[str, int | None]]:
    """Labelled counts and their total, suppressed so no hidden count can be worked out."""
    cells = [disclosure.count(str(i), count) for i, (_, count) in enumerate(rows)]
    cells.append(disclosure.count(TOTAL, sum(count for _, count in rows)))
    parts = tuple(str(i) for i in range(len(rows)))
    result = disclosure.protect(cells, [disclosure.Relation(TOTAL, parts)])
    shown_rows = [(label, result.value(str(i))) for i, (label, _) in enumerate(rows)]
    return [*shown_rows, (total_label, result.value(TOTAL))]


def funnel(program: Program) -> list[tuple[str, int | None]]:
    """Enrolments by state, and all enrolments (the programs list shows that total too)."""
    counts = Counter(program.enrollments.values_list("state", flat=True))
    rows = [(label, counts.get(value, 0)) for value, label in Enrollment.State.choices]
    return _protected_table(rows, "All enrolments")


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
    if not bands:
        return []
    rows = [(label, bands.get(label, 0)) for _, label in RATE_BANDS]
    return _protected_table(rows, "All with attendance recorded")


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
