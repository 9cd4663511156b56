from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from peerhaven.circles.models import Attendance, Meeting
from peerhaven.programs import reports
from peerhaven.programs.models import Enrollment, ProgramCircle
from tests.conftest import make_circle, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(sample_program):
    return sample_program["program"]


def enroll(program, count, state):
    for n in range(count):
        Enrollment.objects.create(
            program=program, email=f"{state}{n}@example.org", name=f"P{n}", state=state
        )


def test_small_counts_are_suppressed_and_large_ones_shown(program):
    enroll(program, 6, "accepted")
    enroll(program, 2, "waitlisted")
    funnel = dict(reports.funnel(program))
    assert funnel["Accepted"] == 6
    assert funnel["Waitlisted"] is None  # 2 people: identifiable
    assert funnel["Withdrawn"] == 0
    assert funnel["Applied"] is None  # bob alone


def test_dashboard_shows_circles_as_numbers_only(client_for, dana, program, alice):
    members = [make_member(f"m{n}@example.org", f"Member {n}") for n in range(5)]
    circle = make_circle(alice, members, name="Program circle")
    ProgramCircle.objects.create(program=program, circle=circle, label="G1")
    start = timezone.now() - dt.timedelta(days=7)
    meeting = Meeting.objects.create(
        circle=circle, series_start=start, starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    for person in [alice, *members]:
        Attendance.objects.create(meeting=meeting, user=person, status="present")
    [row] = reports.circle_rows(program)
    assert (row["members"], row["held"], row["rate"]) == (6, 1, 1.0)
    assert dict(reports.attendance_distribution(program))["75% or more"] == 6
    assert reports.still_meeting_by_month(program) == [(start.strftime("%Y-%m"), 1)]
    page = client_for(dana).get(reverse("programs:detail", args=[program.pk])).content.decode()
    assert "G1" in page
    assert "100%" in page
    assert "Program circle" not in page  # the label, not the circle's own name or content


def test_attendance_of_a_small_circle_is_not_shown(program, alice, bob):
    circle = make_circle(alice, [bob])
    ProgramCircle.objects.create(program=program, circle=circle, label="G2")
    [row] = reports.circle_rows(program)
    assert row["rate"] is None


def test_a_facilitator_sees_their_circles_as_numbers(client_for, program, alice, bob):
    from django.utils import timezone as tz

    program.facilitators.add(alice)
    circle = make_circle(alice, [bob], name="Facilitated circle")
    ProgramCircle.objects.create(program=program, circle=circle, label="G1")
    start = tz.now() + dt.timedelta(days=3)
    Meeting.objects.create(
        circle=circle, series_start=start, starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    page = client_for(alice).get(reverse("programs:facilitating")).content.decode()
    assert "Facilitated circle" in page
    assert "<dt>Members</dt><dd>2</dd>" in page
    other = client_for(bob).get(reverse("programs:facilitating")).content.decode()
    assert "Facilitated circle" not in other  # a member, not its facilitator
