"""A large program for the report benchmark: members in circles of eight with fortnightly
meetings and attendance, two survey waves of one instrument answered by most members, and
achievements over the three years before and the years since the program started."""

from __future__ import annotations

import datetime as dt
import random

BURNOUT = [f"{n} burnout statement" for n in range(1, 6)]
LIKERT_KEYS = [
    "mastery_manuscript",
    "mastery_grant",
    "mastery_negotiation",
    "mastery_networking",
    "mastery_leadership",
    "mastery_worklife",
    "mastery_career",
    "job_satisfaction",
    "belonging",
    "circle_satisfaction",
]
KINDS = ["publication", "abstract", "poster", "invited_talk", "grant_submitted", "grant_awarded"]


RESEARCHER_PASSWORD = "bench-researcher-passphrase"


def seed(members: int, circles: int, years: int) -> dict:
    from django.utils import timezone

    from peerhaven.accounts.models import User
    from peerhaven.circles.models import Attendance, Circle, Meeting, Membership
    from peerhaven.orgs.models import Organization, StaffRole
    from peerhaven.programs.models import Enrollment, Program, ProgramCircle

    rng = random.Random(7)
    today = timezone.localdate()
    org = Organization.objects.create(name="Bench University", slug="bench", kind="institution")
    coordinator = User.objects.create(email="coordinator@bench.example.org", password="!")
    StaffRole.objects.create(organization=org, user=coordinator, role=StaffRole.Role.COORDINATOR)
    researcher = User.objects.create_user("researcher@bench.example.org", RESEARCHER_PASSWORD)
    StaffRole.objects.create(organization=org, user=researcher, role=StaffRole.Role.RESEARCHER)
    program = Program.objects.create(
        organization=org, name="Bench program", starts_on=today - dt.timedelta(days=365 * years)
    )
    users = User.objects.bulk_create(
        User(email=f"m{i}@bench.example.org", password="!") for i in range(members)
    )
    Enrollment.objects.bulk_create(
        Enrollment(program=program, user=u, email=u.email, name=f"M {i}", state="accepted")
        for i, u in enumerate(users)
    )
    Enrollment.objects.bulk_create(
        Enrollment(program=program, email=f"w{i}@bench.example.org", name="W", state=state)
        for i, state in enumerate(["waitlisted"] * 30 + ["withdrawn"] * 3 + ["applied"] * 12)
    )
    made = Circle.objects.bulk_create(Circle(name=f"Bench circle {c}") for c in range(circles))
    ProgramCircle.objects.bulk_create(
        ProgramCircle(program=program, circle=c, label=f"G{i}") for i, c in enumerate(made)
    )
    per = max(members // circles, 1)
    Membership.objects.bulk_create(
        Membership(circle=made[min(i // per, circles - 1)], user=u) for i, u in enumerate(users)
    )
    start = timezone.now() - dt.timedelta(days=365 * years)
    meetings = []
    for circle in made:
        lasting = rng.randint(4, 26 * years)  # fortnights this circle kept meeting
        meetings += [
            Meeting(
                circle=circle,
                starts_at=start + dt.timedelta(days=14 * k),
                ends_at=start + dt.timedelta(days=14 * k, hours=1),
            )
            for k in range(lasting)
        ]
    meetings = Meeting.objects.bulk_create(meetings, batch_size=2000)
    by_circle = {}
    for i, u in enumerate(users):
        by_circle.setdefault(made[min(i // per, circles - 1)].pk, []).append(u)
    Attendance.objects.bulk_create(
        (
            Attendance(meeting=m, user=u, status="present" if rng.random() < 0.7 else "absent")
            for m in meetings
            for u in by_circle.get(m.circle_id, [])
        ),
        batch_size=5000,
    )
    _achievements(users, program.starts_on, today, rng)
    _waves(program, users, org, today, rng)
    return {"program": program.pk, "coordinator": coordinator.pk, "researcher": researcher.pk}


def _achievements(users, starts_on, today, rng) -> None:
    from peerhaven.outcomes.models import Achievement

    first = starts_on - dt.timedelta(days=365 * 3)
    span = (today - first).days
    rows = []
    for u in users:
        for k in range(rng.randint(0, 12)):
            when = first + dt.timedelta(days=rng.randrange(span))
            rows.append(
                Achievement(
                    user=u,
                    kind=rng.choice(KINDS),
                    date=when,
                    title=f"Bench {u.pk}-{k}",
                    title_key=f"bench {u.pk} {k}",
                    sharing="private" if rng.random() < 0.1 else "aggregate",
                )
            )
    Achievement.objects.bulk_create(rows, batch_size=5000)


def _waves(program, users, org, today, rng) -> None:
    from peerhaven.outcomes.models import (
        Answer,
        Instrument,
        Question,
        Response,
        Wave,
        WaveInvitation,
    )
    from peerhaven.outcomes.pseudonyms import pseudonym

    instrument = Instrument.objects.create(organization=org, name="Bench core outcomes")
    questions = [
        Question.objects.create(
            instrument=instrument, key=key, kind="likert", prompt=key, position=i
        )
        for i, key in enumerate(LIKERT_KEYS)
    ]
    burnout = Question.objects.create(
        instrument=instrument,
        key="burnout",
        kind="single",
        prompt="Burnout",
        choices="\n".join(BURNOUT),
        position=99,
    )
    for w, (label, months) in enumerate([("Baseline", 0), ("12 months", 12)]):
        wave = Wave.objects.create(
            program=program,
            instrument=instrument,
            label=label,
            months_after_start=months,
            opens_on=today - dt.timedelta(days=60 - w),
            closes_on=today,
        )
        answering = [u for u in users if rng.random() < 0.85]
        WaveInvitation.objects.bulk_create(
            WaveInvitation(wave=wave, user=u, completed=u in answering) for u in users
        )
        responses = Response.objects.bulk_create(
            Response(wave=wave, pseudonym=pseudonym(program.pk, u.pk), submitted_on=today)
            for u in answering
        )
        answers = []
        for r in responses:
            answers += [
                Answer(response=r, question=q, value=min(5, rng.randint(1, 5) + w))
                for q in questions
            ]
            answers.append(Answer(response=r, question=burnout, value=rng.choice(BURNOUT)))
        Answer.objects.bulk_create(answers, batch_size=5000)
