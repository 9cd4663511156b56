"""Demo circles for `make run`: one meeting regularly with months of history, one still
forming, one paused. Called by `manage.py seed_demo` (see settings.DEMO_SEEDERS)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peerhaven.circles import meeting_actions, schedule
from peerhaven.circles.actions import (
    do_agree_to_charter,
    do_invite,
    do_post_message,
    do_start_circle,
)
from peerhaven.circles.models import (
    ActionItem,
    AgendaItem,
    Ask,
    Attendance,
    Circle,
    Meeting,
    Membership,
    Note,
)

ASKS = [
    (
        "Should I take the associate program director role?",
        "It is a 20% role; my division chief is lukewarm and my R01 resubmission is due in March.",
    ),
    (
        "How do I say no to a fourth committee?",
        "Every request sounds reasonable on its own. Together they eat my writing time.",
    ),
    (
        "Returning from parental leave",
        "I come back in six weeks and want a plan for clinic, research and sleep.",
    ),
    (
        "Negotiating protected time for education work",
        "Our chair says education is valued, but it is not in my FTE.",
    ),
    (
        "First grant rejection: what now?",
        "Scored but not funded; summary statement attached in my head, if not here.",
    ),
    (
        "A difficult conversation with a senior colleague",
        "They keep taking credit for our joint QI project in meetings.",
    ),
]
ADVICE = [
    "Ask for the role description and the end date in writing before deciding.",
    "Keep one morning a week for writing and defend it like a clinic.",
    "Talk to two people who held the role before you.",
    "Say yes only to what moves your promotion packet forward this year.",
]
MESSAGES = [
    "Thank you all for Thursday. I sent the e-mail we drafted together — fingers crossed.",
    "Sharing a paper on sponsorship for women in medicine that came up last time.",
    "I will be on nights next meeting; I'll read the notes and catch up.",
]


def seed(rng, people: dict) -> None:
    peers = [p for p in people["peers"] if not p.separations.exists()]
    _meeting_regularly(rng, people["convener"], [people["member"], *peers[:4]])
    _forming(
        people["member"], peers[4:6], invitees=["chioma.eze@example.org", "dev.patel@example.org"]
    )
    _paused(rng, people["moderator"], peers[6:10])


def _meeting_regularly(rng, convener, members) -> Circle:
    circle = _circle(
        convener,
        members,
        "Thursday Lunch Circle",
        "Mid-career faculty across departments; we meet over lunch every other Thursday.",
    )
    _schedule(circle, first_meeting=timezone.localdate() - dt.timedelta(weeks=14))
    _history(rng, circle, [convener, *members])
    circle.state = Circle.State.ACTIVE
    circle.save(update_fields=["state"])
    meeting = meeting_actions.next_meeting(circle)
    for author, (title, context) in zip(members[:2], ASKS[4:], strict=True):
        membership = circle.memberships.get(user=author)
        meeting_actions.do_submit_ask(membership, title=title, context=context)
    for author, body in zip([members[0], members[2], convener], MESSAGES, strict=True):
        do_post_message(circle.memberships.get(user=author), body)
    assert meeting is not None
    return circle


def _forming(convener, members, invitees) -> Circle:
    circle = _circle(
        convener,
        members,
        "New Faculty Peer Circle",
        "First- and second-year faculty finding their feet. Open to requests.",
    )
    circle.accepts_requests = True
    circle.save(update_fields=["accepts_requests"])
    _schedule(
        circle,
        first_meeting=timezone.localdate() + dt.timedelta(days=10),
        cadence="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
        at=dt.time(17, 30),
    )
    for email in invitees:
        do_invite(circle, email, acting_user=convener)
    return circle


def _paused(rng, convener, members) -> Circle:
    circle = _circle(
        convener,
        members,
        "Women in Surgery Circle",
        "Surgeons supporting each other through training and early faculty years.",
    )
    _schedule(circle, first_meeting=timezone.localdate() - dt.timedelta(weeks=20), at=dt.time(7, 0))
    _history(rng, circle, [convener, *members], meetings=5)
    circle.state = Circle.State.PAUSED
    circle.save(update_fields=["state"])
    return circle


def _circle(convener, members, name, description) -> Circle:
    circle = do_start_circle(acting_user=convener, name=name, description=description)
    for member in members:
        do_agree_to_charter(Membership.objects.create(circle=circle, user=member))
    return circle


def _schedule(circle, *, first_meeting, cadence=schedule.DEFAULT_CADENCE, at=dt.time(12, 0)):
    meeting_actions.do_update_schedule(
        circle,
        acting_user=circle.created_by,
        cadence=cadence,
        first_meeting_on=first_meeting,
        meeting_time=at,
        time_zone="America/Chicago",
        duration_minutes=60,
        location_kind=Circle.LocationKind.JITSI,
        location="",
    )


def _history(rng, circle, people, meetings=6) -> None:
    """Past meetings on the circle's cadence, each with one or two asks presented, advice,
    an action item, a report back and attendance."""
    now = timezone.now()
    starts = schedule.occurrences(
        circle.cadence,
        circle.time_zone,
        circle.meeting_time,
        circle.first_meeting_on,
        after=now - dt.timedelta(weeks=30),
        until=now - dt.timedelta(hours=2),
    )[-meetings:]
    length = dt.timedelta(minutes=circle.duration_minutes)
    for number, start in enumerate(starts):
        meeting = Meeting.objects.create(
            circle=circle, series_start=start, starts_at=start, ends_at=start + length
        )
        presenter = people[number % len(people)]
        title, context = ASKS[number % 4]
        ask = Ask.objects.create(
            circle=circle,
            author=presenter,
            meeting=meeting,
            title=title,
            context=context,
            presented_at=start + dt.timedelta(minutes=15),
            report_back="It went better than I feared — thank you." if number % 2 else "",
            reported_back_at=start + dt.timedelta(days=3) if number % 2 else None,
        )
        AgendaItem.objects.create(
            meeting=meeting,
            ask=ask,
            position=1,
            minutes=40,
            started_at=start + dt.timedelta(minutes=10),
            finished_at=start + dt.timedelta(minutes=50),
        )
        for advice in rng.sample(ADVICE, k=2):
            Note.objects.create(ask=ask, author=rng.choice(people), text=advice)
        ActionItem.objects.create(
            ask=ask, text="Draft the e-mail and share it in the discussion.", done=number % 2 == 0
        )
        for person in people:
            status = rng.choices(["present", "absent", "excused"], weights=[8, 1, 1])[0]
            Attendance.objects.create(meeting=meeting, user=person, status=status)
