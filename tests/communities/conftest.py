"""A community for the tests: alice owns it, bob is a member, carol is outside it.
Posts publish at once (no hold on first posts) unless a test says otherwise."""

from __future__ import annotations

import pytest

from peerhaven.communities import actions
from peerhaven.communities.models import Community, Member, SubGroup

RULES = [
    ("Be kind", "We are colleagues."),
    ("Protect patients", "Nothing that could identify a patient."),
    ("No political posts", "Keep to medicine and careers."),
]


def start_community(owner, name="Physician Parents", **settings):
    fields = {
        "join_policy": Community.JoinPolicy.OPEN,
        "rules": RULES,
        "questions": ["Where do you practise?"],
        **settings,
    }
    community = actions.do_start_community(acting_user=owner, name=name, **fields)
    community.hold_first_posts = settings.get("hold_first_posts", 0)
    community.save(update_fields=["hold_first_posts"])
    return community


def join(community, user):
    """An active member who has agreed to the rules."""
    member = actions.do_join(community, acting_user=user)
    actions.do_agree_to_rules(member)
    return member


@pytest.fixture
def community(alice):
    return start_community(alice, allow_anonymous=True)


@pytest.fixture
def owner(community, alice):
    return community.members.get(user=alice)


@pytest.fixture
def member(community, bob):
    return join(community, bob)


@pytest.fixture
def moderator(community, erin):
    row = join(community, erin)
    row.role = Member.Role.MODERATOR
    row.save()
    return row


@pytest.fixture
def subgroup(community, owner):
    return actions.do_create_subgroup(owner, name="Chicago", kind=SubGroup.Kind.REGION)


@pytest.fixture
def private_subgroup(community, owner):
    return actions.do_create_subgroup(
        owner, name="Surgeons", kind=SubGroup.Kind.SPECIALTY, private=True
    )


@pytest.fixture
def thread(member):
    return actions.do_post(member, title="Negotiating a start-up package", body="Any tips?")
