"""Demo outcomes for `make run`: "Faculty Circles 2025", a program in its second year with
five circles (two of which stopped meeting), baseline and 6-month surveys answered by most
members, a 12-month survey open now (Maya has not answered it yet: her home page asks), and
three years of achievements for everyone in it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peerhaven.circles.actions import do_agree_to_charter, do_start_circle
from peerhaven.circles.models import Attendance, Circle, Meeting, Membership
from peerhaven.orgs.models import Organization
from peerhaven.outcomes.achievements import title_key
from peerhaven.outcomes.models import (
    Achievement,
    Answer,
    Instrument,
    Response,
    Wave,
    WaveInvitation,
)
from peerhaven.outcomes.pseudonyms import pseudonym
from peerhaven.programs.actions import do_create_program
from peerhaven.programs.models import Enrollment, Program, ProgramCircle

CIRCLE_SIZE = 6
CIRCLES = 5
# Months each circle kept meeting; None: still meeting. Two of five stopped, as real
# programs see (43% of one program's groups were still meeting four years on).
MONTHS_MET = [None, None, None, 9, 4]
# (label, months after start, share of members who answered)
WAVES = [("Baseline", 0, 0.9), ("6 months", 6, 0.8), ("12 months", 12, 0.07)]
ACHIEVEMENT_KINDS = [
    (Achievement.Kind.PUBLICATION, 2, "{topic}: a {design} of {group}"),
    (Achievement.Kind.ABSTRACT, 1.5, "{topic} among {group}"),
    (Achievement.Kind.POSTER, 1, "{topic} in practice: {design} findings"),
    (Achievement.Kind.INVITED_TALK, 1, "{topic}: what we have learned"),
    (Achievement.Kind.GRANT_SUBMITTED, 0.7, "{topic} for {group}: a {design}"),
    (Achievement.Kind.GRANT_AWARDED, 0.4, "{topic} for {group}"),
    (Achievement.Kind.BOOK_CHAPTER, 0.3, "{topic}"),
    (Achievement.Kind.COMMITTEE, 0.5, "{topic} committee"),
    (Achievement.Kind.AWARD, 0.2, "Award for {topic}"),
]
TOPICS = [
    "Peer mentoring",
    "Sepsis recognition",
    "Resident wellbeing",
    "Telehealth follow-up",
    "Heart failure readmissions",
    "Medical education",
    "Health equity",
    "Team communication",
]
DESIGNS = ["pilot study", "cohort study", "randomized trial", "qualitative study", "review"]
GROUPS = ["new faculty", "residents", "older adults", "rural clinics", "primary care"]


def seed(rng, people: dict) -> None:
    members = [people["member"], *people["peers"]][: CIRCLE_SIZE * CIRCLES]
    program = _program(people["coordinator"])
    _enroll(program, members)
    _circles(rng, program, members)
    _surveys(rng, program, members)
    for person in members:
        _achievements(rng, person, program.starts_on)


def _program(coordinator) -> Program:
    today = timezone.localdate()
    return do_create_program(
        acting_user=coordinator,
        organization=Organization.objects.get(slug="lakeshore"),
        name="Faculty Circles 2025",
        description="A two-year program of facilitated peer-mentoring circles for early-career "
        "faculty, in the Every Other Thursday tradition.",
        starts_on=today - dt.timedelta(days=375),
        ends_on=today + dt.timedelta(days=355),
    )


def _enroll(program: Program, members) -> None:
    applied = timezone.make_aware(dt.datetime.combine(program.starts_on, dt.time(9)))
    Enrollment.objects.bulk_create(
        Enrollment(
            program=program,
            user=person,
            email=person.email,
            name=person.display_name,
            state=Enrollment.State.ACCEPTED,
            applied_at=applied - dt.timedelta(days=30),
        )
        for person in members
    )


def _circles(rng, program: Program, members) -> None:
    formed = timezone.make_aware(dt.datetime.combine(program.starts_on, dt.time(12)))
    for index, months in enumerate(MONTHS_MET):
        group = members[index * CIRCLE_SIZE : (index + 1) * CIRCLE_SIZE]
        circle = do_start_circle(
            acting_user=group[0],
            name=f"Faculty Circles 2025 · Circle {'ABCDE'[index]}",
            organization=program.organization,
        )
        for person in group[1:]:
            do_agree_to_charter(Membership.objects.create(circle=circle, user=person))
        Circle.objects.filter(pk=circle.pk).update(created_at=formed, state=Circle.State.ACTIVE)
        circle.memberships.update(joined_at=formed)
        ProgramCircle.objects.create(program=program, circle=circle, label=f"Circle {index + 1}")
        _meetings(rng, circle, group, formed, months)


def _meetings(rng, circle: Circle, group, formed, months_met) -> None:
    """Every other Thursday from the first week, until the circle stopped (or today)."""
    until = timezone.now() if months_met is None else formed + dt.timedelta(days=30 * months_met)
    starts = []
    start = formed + dt.timedelta(days=7)
    while start < until:
        starts.append(start)
        start += dt.timedelta(days=14)
    meetings = Meeting.objects.bulk_create(
        Meeting(circle=circle, series_start=s, starts_at=s, ends_at=s + dt.timedelta(hours=1))
        for s in starts
    )
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            user=person,
            status=rng.choices(["present", "absent", "excused"], weights=[7, 2, 1])[0],
        )
        for meeting in meetings
        for person in group
    )


def _surveys(rng, program: Program, members) -> None:
    instrument = Instrument.objects.get(key="core-outcomes")
    questions = list(instrument.questions.all())
    for label, months, share in WAVES:
        opens = program.starts_on + dt.timedelta(days=round(30.4 * months))
        wave = Wave.objects.create(
            program=program,
            instrument=instrument,
            label=label,
            months_after_start=months,
            opens_on=opens,
            closes_on=opens + dt.timedelta(days=21),
            invitations_sent_at=timezone.make_aware(dt.datetime.combine(opens, dt.time(8))),
        )
        # Maya (the first member) answers the finished waves and has the open one waiting.
        answering = {p for p in members[1:] if rng.random() < share}
        if months < 12:
            answering.add(members[0])
        for person in members:
            WaveInvitation.objects.create(wave=wave, user=person, completed=person in answering)
        for person in answering:
            _respond(rng, wave, questions, person, improvement=months / 12)


def _respond(rng, wave: Wave, questions, person, improvement: float) -> None:
    response = Response.objects.create(
        wave=wave,
        pseudonym=pseudonym(wave.program_id, person.pk),
        submitted_on=wave.opens_on + dt.timedelta(days=rng.randint(0, 14)),
    )
    answers = []
    for question in questions:
        value = _answer_value(rng, question, improvement)
        if value is not None:
            answers.append(Answer(response=response, question=question, value=value))
    Answer.objects.bulk_create(answers)


def _answer_value(rng, question, improvement: float):
    """Members report a little more mastery, satisfaction and belonging as the program goes
    on, and a little less burnout: the effect programs report, with realistic noise."""
    if question.key == "circle_satisfaction" and improvement == 0:
        return None  # nobody had met their circle yet
    if question.kind == "single":
        options = question.choice_list
        position = round(rng.gauss(2.6 - 0.6 * improvement, 0.9))
        return options[min(max(position, 1), len(options)) - 1]
    centre = 4.0 if question.key == "circle_satisfaction" else 2.7 + 0.8 * improvement
    return min(max(round(rng.gauss(centre, 0.8)), 1), 5)


def _achievements(rng, person, program_start: dt.date) -> None:
    """About three years of achievements: two before the program and its first year, more
    productive during it."""
    today = timezone.localdate()
    first = program_start - dt.timedelta(days=730)
    span = (today - first).days
    entries = {}
    for kind, per_year, pattern in ACHIEVEMENT_KINDS:
        for _ in range(_count(rng, per_year * span / 365)):
            date = first + dt.timedelta(days=rng.randint(0, span))
            if date < program_start and rng.random() < 0.35:
                continue  # fewer before the program than during it
            title = pattern.format(
                topic=rng.choice(TOPICS), design=rng.choice(DESIGNS), group=rng.choice(GROUPS)
            )
            entries[(title_key(title), date.year)] = Achievement(
                user=person,
                kind=kind,
                date=date,
                title=title,
                title_key=title_key(title),
                venue=_venue(rng, kind),
                sharing=Achievement.Sharing.PRIVATE
                if rng.random() < 0.1
                else Achievement.Sharing.AGGREGATE,
            )
    Achievement.objects.bulk_create(entries.values())


def _count(rng, mean: float) -> int:
    whole = int(mean)
    return whole + (1 if rng.random() < mean - whole else 0) + rng.randint(-1, 1) * (whole > 1)


def _venue(rng, kind: str) -> str:
    if kind in (Achievement.Kind.PUBLICATION, Achievement.Kind.BOOK_CHAPTER):
        return rng.choice(["J Gen Intern Med", "Acad Med", "JAMA Netw Open", "BMJ Open"])
    if kind in (Achievement.Kind.ABSTRACT, Achievement.Kind.POSTER):
        return rng.choice(["SGIM Annual Meeting", "AAMC Learn Serve Lead", "Pediatric Academic"])
    return ""
