"""The people every test can use, built in code:

- alice: a member with a complete profile (the circles issue makes her a convener)
- bob: another member, alice's peer
- carol: a member who is an outsider to whatever alice and bob share
- dana: program staff, coordinator at Lakeshore University
- sam: site admin
- rhea: researcher at Lakeshore University (sees program numbers, manages nothing)
- erin: a newcomer (in the sample circle, she has joined but not yet agreed to the charter)
"""

from __future__ import annotations

import pytest
from django.test import Client

from peerhaven.accounts.actions import do_create_member
from peerhaven.orgs.models import Organization, StaffRole

PASSWORD = "a-long-test-passphrase"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Real path for e-mail (queued on commit, delivered by a task), run at once in tests.
    settings.EMAIL_BACKEND = "peerhaven.notifications.backends.QueuedEmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Argon2 is the production hasher (tests/test_settings.py checks); MD5 keeps tests fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MFA_REQUIRED_ROLES = []


def pytest_configure(config):
    # Production security settings stay on in tests; only the HTTP-to-HTTPS redirect would get
    # in the way. Set for the whole session because the live server loads its middleware once.
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False


def make_member(email: str, name: str, **profile) -> object:
    fields = {
        "display_name": name,
        "career_stage": "assistant_professor",
        "department": "Medicine",
        "time_zone": "America/Chicago",
        "availability": [3 * 48 + 24, 3 * 48 + 25],
    }
    fields.update(profile)
    return do_create_member(email, PASSWORD, **fields)


@pytest.fixture
def lakeshore(db):
    return Organization.objects.create(
        name="Lakeshore University", slug="lakeshore", kind=Organization.Kind.INSTITUTION
    )


@pytest.fixture
def alice(db):
    return make_member("alice@example.org", "Alice Adams")


@pytest.fixture
def bob(db):
    return make_member("bob@example.org", "Bob Baker", department="Pediatrics")


@pytest.fixture
def carol(db):
    return make_member("carol@example.org", "Carol Chen", department="Surgery")


@pytest.fixture
def dana(db, lakeshore):
    user = make_member("dana@example.org", "Dana Diaz", career_stage="staff_other")
    StaffRole.objects.create(organization=lakeshore, user=user, role=StaffRole.Role.COORDINATOR)
    return user


@pytest.fixture
def rhea(db, lakeshore):
    user = make_member("rhea@example.org", "Rhea Rao", career_stage="associate_professor")
    StaffRole.objects.create(organization=lakeshore, user=user, role=StaffRole.Role.RESEARCHER)
    return user


@pytest.fixture
def sam(db):
    user = make_member("sam@example.org", "Sam Sysadmin", career_stage="staff_other")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def client_for():
    """A client signed in as the given person."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def make_circle(convener, members=(), *, agreed=True, **fields):
    """A circle convened by ``convener`` with ``members`` already in (and, unless
    ``agreed=False``, agreed to its charter), as invitations and acceptance would leave it."""
    from peerhaven.circles.actions import do_agree_to_charter, do_start_circle
    from peerhaven.circles.models import Membership

    circle = do_start_circle(
        acting_user=convener, name=fields.pop("name", "Thursday Circle"), **fields
    )
    for member in members:
        membership = Membership.objects.create(circle=circle, user=member)
        if agreed:
            do_agree_to_charter(membership)
    return circle


@pytest.fixture
def erin(db):
    return make_member("erin@example.org", "Erin Evans")


@pytest.fixture
def sample_circle(alice, bob, erin, lakeshore):
    """Alice convenes, Bob is a member, Erin joined but has not agreed to the charter. It
    has a past meeting with Bob's ask on the agenda, a pending invitation and a pending
    admission vote: one of every object circle URLs name."""
    import datetime as dt

    from django.utils import timezone

    from peerhaven.circles.models import (
        ActionItem,
        Admission,
        AgendaItem,
        Ask,
        Circle,
        Invitation,
        Meeting,
        Membership,
        new_token,
    )

    circle = make_circle(alice, [bob], organization=lakeshore, accepts_requests=True)
    Membership.objects.create(circle=circle, user=erin)
    circle.state = Circle.State.ACTIVE
    circle.save()
    start = timezone.now() - dt.timedelta(hours=2)
    meeting = Meeting.objects.create(
        circle=circle, series_start=start, starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    ask = Ask.objects.create(circle=circle, author=bob, meeting=meeting, title="Canary ask")
    item = AgendaItem.objects.create(meeting=meeting, ask=ask, position=1, minutes=20)
    action_item = ActionItem.objects.create(ask=ask, text="Email the chair")
    token, token_hash = new_token()
    invitation = Invitation.objects.create(
        circle=circle,
        email="newcomer@example.org",
        invited_by=alice,
        token_hash=token_hash,
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    admission = Admission.objects.create(circle=circle, email="asker@example.org")
    return {
        "circle": circle,
        "meeting": meeting,
        "ask": ask,
        "agenda_item": item,
        "action_item": action_item,
        "invitation": invitation,
        "invitation_token": token,
        "admission": admission,
    }


@pytest.fixture
def sample_program(dana, bob, lakeshore):
    """Lakeshore's program, coordinated by Dana, with Bob enrolled and one intake question."""
    import datetime as dt

    from peerhaven.programs.actions import do_create_program
    from peerhaven.programs.models import Enrollment, IntakeQuestion, MatchingRun

    program = do_create_program(
        acting_user=dana,
        organization=lakeshore,
        name="New Faculty Peer Mentoring",
        starts_on=dt.date(2027, 1, 15),
    )
    enrollment = Enrollment.objects.create(
        program=program, user=bob, email=bob.email, name="Bob Baker", state="applied"
    )
    question = IntakeQuestion.objects.create(program=program, prompt="What would help most?")
    run = MatchingRun.objects.create(
        program=program,
        number=1,
        state=MatchingRun.State.SUCCEEDED,
        result={"groups": [{"label": "G1", "members": [str(enrollment.pk)], "slot": ""}]},
    )
    return {"program": program, "enrollment": enrollment, "question": question, "run": run}


@pytest.fixture
def sample_community(alice, bob, erin, lakeshore):
    """Lakeshore's community, owned by Alice; Bob is a member who agreed to the rules, Erin
    joined but has not agreed yet. Bob asked a question in a public group and Alice replied;
    one automatic rule: one of every object community URLs name."""
    from peerhaven.communities import actions
    from peerhaven.communities.models import AutoRule, Community, Member

    community = actions.do_start_community(
        acting_user=alice,
        name="Lakeshore Faculty Network",
        organization=lakeshore,
        join_policy=Community.JoinPolicy.REQUEST,
        rules=[("Be kind", ""), ("No political posts", "")],
        questions=["Where do you practise?"],
    )
    community.hold_first_posts = 0
    community.save()
    owner = community.members.get(user=alice)
    bob_row = Member.objects.create(community=community, user=bob, joined_at=community.created_at)
    actions.do_agree_to_rules(bob_row)
    Member.objects.create(community=community, user=erin, joined_at=community.created_at)
    subgroup = actions.do_create_subgroup(owner, name="Chicago")
    question = actions.do_post(bob_row, kind="question", title="Protected time?", body="How?")
    reply = actions.do_post(owner, parent=question, body="Tie it to a deliverable.")
    auto_rule = AutoRule.objects.create(community=community, patterns="election")
    return {
        "community": community,
        "subgroup": subgroup,
        "community_post": question,
        "community_reply": reply,
        "community_member": bob_row,
        "auto_rule": auto_rule,
    }


@pytest.fixture
def sample_outcomes(bob, rhea, lakeshore, sample_program):
    """Bob's achievement; Lakeshore's own instrument with one question; a wave of it in the
    sample program, open today, to which Bob is invited; one research export by Rhea: one of
    every object outcomes URLs name."""
    import datetime as dt

    from django.utils import timezone

    from peerhaven.outcomes.models import (
        Achievement,
        Instrument,
        Question,
        ResearchExport,
        Wave,
        WaveInvitation,
    )

    program = sample_program["program"]
    today = timezone.localdate()
    achievement = Achievement.objects.create(
        user=bob,
        kind=Achievement.Kind.PUBLICATION,
        date=dt.date(2026, 3, 1),
        title="Peer mentoring for new faculty: a pilot",
        title_key="peer mentoring for new faculty a pilot",
        doi="10.1000/pilot.1",
    )
    instrument = Instrument.objects.create(organization=lakeshore, name="Lakeshore pulse check")
    question = Question.objects.create(
        instrument=instrument, key="pulse", kind=Question.Kind.LIKERT, prompt="How is it going?"
    )
    wave = Wave.objects.create(
        program=program,
        instrument=instrument,
        label="Baseline",
        opens_on=today,
        closes_on=today + dt.timedelta(days=21),
    )
    WaveInvitation.objects.create(wave=wave, user=bob)
    export = ResearchExport.objects.create(
        program=program, exported_by=rhea, contents="participants", sha256="0" * 64
    )
    return {
        "achievement": achievement,
        "instrument": instrument,
        "survey_question": question,
        "wave": wave,
        "research_export": export,
    }


@pytest.fixture
def sample_sponsorship(alice, bob, erin, dana, lakeshore, sample_circle):
    """Lakeshore's opportunity for its own people, posted by Dana; Alice nominated Bob for
    it, Bob accepted and it is submitted; Bob asked Erin for a letter. A second opportunity
    is for the sample circle only: one of every object sponsorship URLs name."""
    import datetime as dt

    from django.utils import timezone

    from peerhaven.sponsorship.models import LetterRequest, Nomination, Opportunity

    deadline = timezone.localdate() + dt.timedelta(days=30)
    opportunity = Opportunity.objects.create(
        kind=Opportunity.Kind.AWARD,
        title="Lakeshore Early Career Award",
        offered_by="Lakeshore University",
        deadline=deadline,
        audience=Opportunity.Audience.ORGANIZATION,
        organization=lakeshore,
        posted_by=dana,
    )
    circle_opportunity = Opportunity.objects.create(
        kind=Opportunity.Kind.PLENARY,
        title="Canary circle-only plenary",
        deadline=deadline,
        audience=Opportunity.Audience.CIRCLE,
        circle=sample_circle["circle"],
        posted_by=alice,
    )
    nomination = Nomination.objects.create(
        opportunity=opportunity,
        nominee=bob,
        nominator=alice,
        statement="Canary statement: Bob rebuilt the residents' curriculum.",
        status=Nomination.Status.SUBMITTED,
        response=Nomination.Response.ACCEPTED,
        responded_at=timezone.now(),
    )
    letter = LetterRequest.objects.create(
        nomination=nomination, writer=erin, requested_by=bob, note="Two paragraphs, please."
    )
    return {
        "opportunity": opportunity,
        "circle_opportunity": circle_opportunity,
        "nomination": nomination,
        "letter_request": letter,
        "organization": lakeshore,
    }
