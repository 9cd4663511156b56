"""A member's mentoring record, for a promotion dossier: the circles they were in (names,
dates, role, meetings attended out of those held), their programs and roles in them,
community moderation, nominations received (logged by hand, and those made on Peerhaven that
they accepted and that went forward), and how many achievements of each kind per year.

Only names, dates, roles and counts: nothing members wrote inside a circle (asks, notes,
messages, the charter) and no circle description is read here. Circle names are the
member's own to show; ``hide_circle_names`` leaves them out for a record handed on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from peerhaven.circles.models import Attendance, Meeting, Membership
from peerhaven.communities.models import Member
from peerhaven.outcomes.achievements import achievements_of
from peerhaven.outcomes.models import Achievement
from peerhaven.programs.models import Enrollment
from peerhaven.sponsorship.models import Nomination, Opportunity
from peerhaven.sponsorship.nominations import HIDDEN_TITLE

# A dossier table wider than this is hard to read on paper; older years are summed.
YEARS_SHOWN = 8


def build_record(user, *, hide_circle_names: bool = False) -> dict:
    profile = getattr(user, "profile", None)
    return {
        "member": user,
        "profile": profile,
        "career_stage": profile.get_career_stage_display() if profile else "",
        "circles": circle_rows(user, hide_names=hide_circle_names),
        "hide_circle_names": hide_circle_names,
        "programs": program_rows(user),
        "communities": community_rows(user),
        "nominations": nomination_rows(user, hide_circle_names=hide_circle_names),
        "achievement_table": achievement_table(user),
    }


# Nominations --------------------------------------------------------------------------


@dataclass(frozen=True)
class NominationRow:
    title: str
    venue: str
    date: dt.date
    date_precision: str
    outcome: str = ""


def nomination_rows(user, *, hide_circle_names: bool) -> list[NominationRow]:
    """Nominations the member logged, and their Peerhaven nominations put forward, newest
    first. A circle-only opportunity is named only where circle names are shown."""
    logged = [
        NominationRow(a.title, a.venue, a.date, a.date_precision)
        for a in achievements_of(user).filter(kind=Achievement.Kind.NOMINATION_RECEIVED)
    ]
    put_forward = (
        Nomination.objects.put_forward().filter(nominee=user).select_related("opportunity")
    )
    made = [_nomination_row(n, hide_circle_names) for n in put_forward]
    return sorted(logged + made, key=lambda row: row.date, reverse=True)


def _nomination_row(nomination: Nomination, hide_circle_names: bool) -> NominationRow:
    opportunity = nomination.opportunity
    in_circle = opportunity.audience == Opportunity.Audience.CIRCLE
    title = HIDDEN_TITLE if in_circle and hide_circle_names else opportunity.title
    # Being put forward is the honour; "not selected" is nobody's business in a dossier.
    outcome = "selected" if nomination.status == Nomination.Status.SELECTED else ""
    return NominationRow(title, opportunity.offered_by, opportunity.deadline, "month", outcome)


# Circles ------------------------------------------------------------------------------


def circle_rows(user, *, hide_names: bool = False) -> list[dict]:
    now = timezone.now()
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("circle", "circle__program_link__program")
        .annotate(held=_count(_held_meetings(now)), attended=_count(_attended(user, now)))
        .order_by("joined_at")
    )
    return [_circle_row(m, number, hide_names) for number, m in enumerate(memberships, start=1)]


def _membership_period(prefix: str, now) -> Q:
    """Meetings that started while the member was in the circle, and have ended."""
    until = Coalesce(OuterRef("left_at"), Value(now, output_field=DateTimeField()))
    return Q(
        **{
            f"{prefix}status": Meeting.Status.SCHEDULED,
            f"{prefix}ends_at__lte": now,
            f"{prefix}starts_at__gte": OuterRef("joined_at"),
            f"{prefix}starts_at__lt": until,
        }
    )


def _held_meetings(now):
    return Meeting.objects.filter(_membership_period("", now), circle=OuterRef("circle"))


def _attended(user, now):
    return Attendance.objects.filter(
        _membership_period("meeting__", now),
        meeting__circle=OuterRef("circle"),
        user=user,
        status=Attendance.Status.PRESENT,
    )


def _count(queryset):
    """The number of rows of a correlated subquery, as an annotation (0 when none)."""
    counted = queryset.order_by().values(one=Value(1)).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def _circle_row(membership: Membership, number: int, hide_names: bool) -> dict:
    circle = membership.circle
    link = getattr(circle, "program_link", None)
    ended = membership.left_at or circle.closed_at
    return {
        "name": f"Circle {number}" if hide_names else circle.name,
        "program": link.program.name if link else "",
        "role": membership.get_role_display(),
        "since": membership.joined_at,
        "until": ended,
        "years": _years(membership.joined_at, ended),
        "held": membership.held,
        "attended": membership.attended,
    }


def _years(start: dt.datetime, end: dt.datetime | None) -> str:
    first = timezone.localtime(start).year
    if end is None:
        return f"{first}–present"
    last = timezone.localtime(end).year
    return str(first) if first == last else f"{first}–{last}"


# Programs and communities ---------------------------------------------------------------


def program_rows(user) -> list[dict]:
    rows = [
        _program_row(enrollment.program, "Participant")
        for enrollment in Enrollment.objects.filter(
            user=user, state=Enrollment.State.ACCEPTED
        ).select_related("program__organization")
    ]
    rows += [
        _program_row(program, "Facilitator")
        for program in user.facilitated_programs.select_related("organization")
    ]
    return sorted(rows, key=lambda row: (row["starts_on"], row["name"]), reverse=True)


def _program_row(program, role: str) -> dict:
    return {
        "name": program.name,
        "organization": program.organization.name,
        "starts_on": program.starts_on,
        "ends_on": program.ends_on,
        "role": role,
    }


def community_rows(user) -> list[dict]:
    members = Member.objects.filter(
        user=user, state=Member.State.ACTIVE, role__in=Member.MODERATING_ROLES
    ).select_related("community")
    return [
        {"name": m.community.name, "role": m.get_role_display(), "since": m.joined_at}
        for m in members.order_by("community__name")
    ]


# Achievements ---------------------------------------------------------------------------


def achievement_table(user) -> dict:
    """Counts of achievements by kind (rows) and year (columns), the newest YEARS_SHOWN
    years each in a column and any earlier ones summed in one."""
    rows = (
        achievements_of(user)
        .order_by()
        .values("kind", year=ExtractYear("date"))
        .annotate(n=Count("pk"))
    )
    counts: dict[tuple[str, int], int] = {(r["kind"], r["year"]): r["n"] for r in rows}
    if not counts:
        return {"years": [], "earlier": None, "rows": [], "totals": []}
    years = sorted({year for _, year in counts})
    shown, earlier = years[-YEARS_SHOWN:], years[:-YEARS_SHOWN]
    table_rows = []
    for kind, label in Achievement.Kind.choices:
        cells = [counts.get((kind, year), 0) for year in shown]
        before = sum(counts.get((kind, year), 0) for year in earlier)
        if any(cells) or before:
            total = before + sum(cells)
            table_rows.append({"label": label, "earlier": before, "cells": cells, "total": total})
    totals = [sum(row["cells"][i] for row in table_rows) for i in range(len(shown))]
    return {
        "years": shown,
        "earlier": f"before {shown[0]}" if earlier else None,
        "earlier_total": sum(row["earlier"] for row in table_rows),
        "rows": table_rows,
        "totals": totals,
        "grand_total": sum(row["total"] for row in table_rows),
    }
