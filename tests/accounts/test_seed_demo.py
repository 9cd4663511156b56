from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from peerhaven.accounts.management.commands.seed_demo import DEMO_PASSWORD, ROLE_ACCOUNTS
from peerhaven.accounts.models import Profile, SelfDescription, User
from peerhaven.orgs.models import Organization, StaffRole

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_has_an_institution_of_realistic_people_and_one_account_per_role():
    output = seed()
    assert User.objects.count() == 40 + len(ROLE_ACCOUNTS)
    profiles = Profile.objects.all()
    assert all(p.is_complete for p in profiles)
    assert len({p.department for p in profiles}) >= 8
    assert len({p.career_stage for p in profiles}) >= 6
    assert len({p.time_zone for p in profiles}) >= 3
    for local, role, *_ in ROLE_ACCOUNTS:
        assert f"{local}@demo.peerhaven.org" in output
        assert role in output
    assert DEMO_PASSWORD in output
    assert StaffRole.objects.filter(
        role="coordinator", user__email__startswith="coordinator@"
    ).exists()
    assert User.objects.get(email="admin@demo.peerhaven.org").is_superuser
    assert SelfDescription.objects.exists()


def test_demo_password_signs_in(client):
    seed()
    response = client.post(
        "/accounts/login/", {"login": "member@demo.peerhaven.org", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_second_run_changes_nothing_and_still_prints_the_accounts():
    seed()
    emails = set(User.objects.values_list("email", flat=True))
    output = seed()
    assert set(User.objects.values_list("email", flat=True)) == emails
    assert "left as it is" in output
    assert "member@demo.peerhaven.org" in output


def test_same_seed_gives_the_same_people():
    seed()
    first = list(Profile.objects.order_by("user__email").values_list("department", "availability"))
    from peerhaven.circles.models import Circle
    from peerhaven.programs.models import Program
    from peerhaven.sponsorship.models import Opportunity

    Program.objects.all().delete()
    Opportunity.objects.all().delete()
    Circle.objects.all().delete()
    User.objects.all().delete()
    Organization.objects.all().delete()
    seed()
    again = list(Profile.objects.order_by("user__email").values_list("department", "availability"))
    assert first == again


def test_demo_shows_circles_in_three_states():
    from peerhaven.circles.models import Attendance, Circle, Invitation, Message, Note

    seed()
    ad_hoc = Circle.objects.filter(program_link__isnull=True)
    assert sorted(ad_hoc.values_list("state", flat=True)) == ["active", "forming", "paused"]
    regular = ad_hoc.get(state="active")
    assert regular.meetings.past().count() >= 5
    assert regular.meetings.upcoming().first().agenda.count() == 2
    assert Note.objects.filter(ask__circle=regular).exists()
    assert Attendance.objects.filter(meeting__circle=regular).exists()
    assert Message.objects.filter(circle=regular).count() == 3
    assert Invitation.objects.filter(circle__state="forming", state="pending").count() == 2
    member = User.objects.get(email="member@demo.peerhaven.org")
    assert Circle.objects.with_member(member).filter(program_link__isnull=True).count() == 2


def test_demo_program_has_a_published_run_and_a_draft_to_review():
    from peerhaven.programs.models import Enrollment, MatchingRun, Program

    seed()
    program = Program.objects.get(name="New Faculty Peer Mentoring 2027")
    assert program.enrollments.count() == 40
    assert program.enrollments.filter(state=Enrollment.State.ACCEPTED).count() == 34
    published, draft = program.runs.order_by("number")
    assert published.published_at is not None
    assert draft.published_at is None
    assert draft.state == MatchingRun.State.SUCCEEDED
    circles = [link.circle for link in program.program_circles.all()]
    assert len(circles) == len(published.result["groups"]) >= 3
    assert all(c.active_memberships().count() >= 6 for c in circles)
    from django.core import mail

    assert mail.outbox == []  # made-up people are never e-mailed
