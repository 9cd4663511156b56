"""A large sponsorship population for the benchmark: members in circles, communities and
programs of many organizations; opportunities for every audience; nominations, follows and
letters; and one organization with years of nominations behind its equity view."""

from __future__ import annotations

import datetime as dt
import random

STAGES = ["resident", "fellow", "instructor", "assistant_professor", "associate_professor"]
KINDS = ["award", "plenary", "grand_rounds", "editorial", "leadership", "grant", "other"]
GENDERS = ["woman", "woman", "man", "non_binary"]


def seed(members: int, opportunities: int, nominations: int) -> dict:
    from django.utils import timezone

    rng = random.Random(8)
    today = timezone.localdate()
    people = _people(members)
    orgs, circles, communities = _groups(rng, people)
    made = _opportunities(rng, today, opportunities, people, orgs, circles, communities)
    _nominations(rng, made, people, nominations)
    _describe(rng, people)
    member = people[0]
    _member_activity(rng, member, made, people)
    return {
        "member": member.pk,
        "staff": _staff(orgs[0]).pk,
        "organization": orgs[0].pk,
        "opportunity": _one_with_nominations(member).pk,
    }


def _people(members: int):
    from peerhaven.accounts.models import Profile, User

    users = User.objects.bulk_create(
        User(email=f"m{i}@bench.example.org", password="!") for i in range(members)
    )
    Profile.objects.bulk_create(
        Profile(user=u, display_name=f"Member {i}", career_stage=STAGES[i % len(STAGES)])
        for i, u in enumerate(users)
    )
    return users


def _groups(rng, people):
    """20 organizations, each with a program of 100 accepted members; circles of eight;
    communities of 500; every member in one circle and two communities."""
    from peerhaven.circles.models import Circle, Membership
    from peerhaven.communities.models import Community, Member
    from peerhaven.orgs.models import Organization
    from peerhaven.programs.models import Enrollment, Program

    orgs = Organization.objects.bulk_create(
        Organization(name=f"Bench org {o}", slug=f"bench-{o}", kind="institution")
        for o in range(20)
    )
    programs = Program.objects.bulk_create(
        Program(organization=org, name="Program", starts_on=dt.date(2025, 1, 1)) for org in orgs
    )
    Enrollment.objects.bulk_create(
        Enrollment(
            program=programs[i % len(programs)], user=u, email=u.email, name="M", state="accepted"
        )
        for i, u in enumerate(people[: len(programs) * 100])
    )
    circles = Circle.objects.bulk_create(
        Circle(name=f"Bench circle {c}", organization=orgs[c % len(orgs)])
        for c in range(len(people) // 8)
    )
    Membership.objects.bulk_create(
        Membership(circle=circles[i // 8], user=u) for i, u in enumerate(people[: len(circles) * 8])
    )
    communities = [
        Community.objects.create(name=f"Bench community {c}")
        for c in range(max(len(people) // 500, 2))
    ]
    Member.objects.bulk_create(
        Member(community=community, user=u, joined_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        for u in people
        for community in rng.sample(communities, k=2)
    )
    return orgs, circles, communities


def _opportunities(rng, today, count, people, orgs, circles, communities):
    from peerhaven.sponsorship.models import Opportunity

    def organization():
        # The measured organization posts about a fifth of everything: a busy equity view.
        return orgs[0] if rng.random() < 0.3 else rng.choice(orgs)

    def audience_fields():
        roll = rng.random()
        if roll < 0.4:
            return {"audience": "everyone", "organization": organization()}
        if roll < 0.7:
            return {"audience": "organization", "organization": organization()}
        if roll < 0.85:
            return {"audience": "community", "community": rng.choice(communities)}
        return {"audience": "circle", "circle": rng.choice(circles)}

    return Opportunity.objects.bulk_create(
        Opportunity(
            kind=rng.choice(KINDS),
            title=f"Bench opportunity {n}",
            offered_by="Bench society",
            description="A description of a few sentences. " * 5,
            career_stages=rng.sample(STAGES, k=rng.choice([0, 1, 2])),
            deadline=today + dt.timedelta(days=rng.randint(-700, 120)),
            posted_by=rng.choice(people),
            **audience_fields(),
        )
        for n in range(count)
    )


def _nominations(rng, opportunities, people, count) -> None:
    from peerhaven.sponsorship.models import Nomination

    statuses = ["draft", "submitted", "submitted", "selected", "not_selected", "withdrawn"]
    responses = ["accepted"] * 8 + ["pending", "declined"]
    seen = set()
    rows = []
    for _ in range(count):
        key = (rng.choice(opportunities), rng.choice(people), rng.choice(people))
        if (key[0].pk, key[1].pk, key[2].pk) in seen:
            continue
        seen.add((key[0].pk, key[1].pk, key[2].pk))
        rows.append(
            Nomination(
                opportunity=key[0],
                nominee=key[1],
                nominator=key[2],
                statement="Why this peer deserves it, in a paragraph or two.",
                status=rng.choice(statuses),
                response=rng.choice(responses),
            )
        )
    Nomination.objects.bulk_create(rows, batch_size=2000)


def _describe(rng, people) -> None:
    """Two thirds of members share gender and under-represented status for equity reports."""
    from peerhaven.accounts.models import SelfDescription

    rows = []
    for person in people:
        if rng.random() < 2 / 3:
            rows.append(
                SelfDescription(
                    user=person, attribute="gender", value=rng.choice(GENDERS), equity_allowed=True
                )
            )
            rows.append(
                SelfDescription(
                    user=person,
                    attribute="under_represented",
                    value="yes" if rng.random() < 0.3 else "no",
                    equity_allowed=True,
                )
            )
    SelfDescription.objects.bulk_create(rows, batch_size=2000)


def _member_activity(rng, member, opportunities, people) -> None:
    """The measured member follows 30 opportunities, made and received 20 nominations
    each, and has 10 letters to write."""
    from peerhaven.sponsorship.models import Follow, LetterRequest, Nomination

    chosen = rng.sample(opportunities, k=60)
    Follow.objects.bulk_create(Follow(opportunity=o, user=member) for o in chosen[:30])
    Nomination.objects.bulk_create(
        Nomination(
            opportunity=o,
            nominee=rng.choice(people[1:]),
            nominator=member,
            response="accepted",
            status="submitted",
        )
        for o in chosen[:20]
    )
    Nomination.objects.bulk_create(
        Nomination(
            opportunity=o,
            nominee=member,
            nominator=rng.choice(people[1:]),
            response=rng.choice(["pending", "accepted", "declined"]),
        )
        for o in chosen[20:40]
    )
    others = Nomination.objects.exclude(nominee=member).exclude(nominator=member)[:10]
    LetterRequest.objects.bulk_create(
        LetterRequest(nomination=n, writer=member, requested_by=n.nominator)
        for n in others.select_related("nominator")
    )


def _one_with_nominations(member):
    """An open opportunity the member sees and has nominated someone for."""
    from peerhaven.sponsorship.models import Opportunity

    return (
        Opportunity.objects.visible_to(member)
        .open()
        .filter(nominations__nominator=member)
        .order_by("deadline")
        .first()
        or Opportunity.objects.visible_to(member).first()
    )


def _staff(org):
    from peerhaven.accounts.models import Profile, User
    from peerhaven.orgs.models import StaffRole

    staff = User.objects.create(email="coordinator@bench.example.org", password="!")
    Profile.objects.create(user=staff, display_name="Bench coordinator")
    StaffRole.objects.create(organization=org, user=staff, role=StaffRole.Role.COORDINATOR)
    return staff
