"""Demo program for `make run`: "New Faculty Peer Mentoring 2027" with about forty people
enrolled, one published matching run (its circles formed and joined) and a draft run for
the coordinator to review."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peerhaven.circles.actions import do_agree_to_charter
from peerhaven.circles.models import Attendance, Circle, Invitation, Meeting, Membership
from peerhaven.orgs.models import Organization
from peerhaven.programs.actions import do_create_program
from peerhaven.programs.matching_actions import do_publish_run, perform_run
from peerhaven.programs.models import Enrollment, IntakeQuestion, MatchingRun, Program

STATES = (
    [Enrollment.State.ACCEPTED] * 34
    + [Enrollment.State.INVITED] * 3
    + [Enrollment.State.APPLIED, Enrollment.State.WAITLISTED, Enrollment.State.WITHDRAWN]
)
REASONS = {
    Enrollment.State.WAITLISTED: "Joined after the groups were formed; next cohort",
    Enrollment.State.WITHDRAWN: "Moved to another institution",
}


def seed(rng, people: dict) -> None:
    coordinator = people["coordinator"]
    program = do_create_program(
        acting_user=coordinator,
        organization=Organization.objects.get(slug="lakeshore"),
        name="New Faculty Peer Mentoring 2027",
        description="Every new faculty member meets a circle of peers from other departments "
        "every other Thursday at lunch, for their first year.",
        starts_on=timezone.localdate() - dt.timedelta(weeks=3),
        applications_open=True,
    )
    IntakeQuestion.objects.create(
        program=program,
        kind="choice",
        prompt="What would help you most this year?",
        choices="Writing and grants\nTeaching\nClinical load\nWork–life integration",
        position=0,
    )
    _enroll(program, [people["member"], *people["peers"]][: len(STATES)])
    published = _run(program, coordinator)
    do_publish_run(published, acting_user=coordinator)
    _everyone_accepts(program)
    _first_meetings(rng, program)
    _run(program, coordinator)  # a draft, waiting for review


def _enroll(program: Program, users) -> None:
    now = timezone.now()
    for user, state in zip(users, STATES, strict=False):
        Enrollment.objects.create(
            program=program,
            user=user if state != Enrollment.State.INVITED else None,
            email=user.email,
            name=user.display_name,
            state=state,
            reason=REASONS.get(state, ""),
            invited_at=now - dt.timedelta(weeks=6),
            applied_at=now - dt.timedelta(weeks=5) if state != Enrollment.State.INVITED else None,
        )


def _run(program: Program, coordinator) -> MatchingRun:
    number = program.runs.count() + 1
    run = MatchingRun.objects.create(
        program=program, number=number, policy=program.policy, created_by=coordinator
    )
    perform_run(run)
    run.refresh_from_db()
    return run


def _everyone_accepts(program: Program) -> None:
    """As if every invitee had clicked their link and agreed to the charter."""
    circles = [link.circle for link in program.program_circles.select_related("circle")]
    for invitation in Invitation.objects.filter(circle__in=circles, state=Invitation.State.PENDING):
        user = program.enrollments.get(email=invitation.email).user
        invitation.state = Invitation.State.ACCEPTED
        invitation.save(update_fields=["state"])
        do_agree_to_charter(Membership.objects.create(circle=invitation.circle, user=user))


def _first_meetings(rng, program: Program) -> None:
    """The circles have met twice, with the attendance a real cohort shows."""
    now = timezone.now()
    for link in program.program_circles.select_related("circle"):
        circle = link.circle
        members = [m.user for m in circle.active_memberships().select_related("user")]
        for weeks_ago in (3, 1):
            start = now - dt.timedelta(weeks=weeks_ago)
            meeting = Meeting.objects.create(
                circle=circle,
                series_start=start,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
            )
            for person in members:
                status = rng.choices(["present", "absent", "excused"], weights=[8, 1, 1])[0]
                Attendance.objects.create(meeting=meeting, user=person, status=status)
        circle.state = Circle.State.ACTIVE
        circle.save(update_fields=["state"])
