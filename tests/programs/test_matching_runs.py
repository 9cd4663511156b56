from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from peerhaven.accounts.models import User
from peerhaven.circles.models import Circle, Invitation, Membership
from peerhaven.programs.models import Enrollment, MatchingRun, ProgramCircle
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

THURSDAY_NOON_CHICAGO = [3 * 48 + 24, 3 * 48 + 25]
DEPARTMENTS = ["Medicine", "Pediatrics", "Surgery", "Psychiatry", "Neurology", "Radiology"]
STAGES = ["assistant_professor", "associate_professor", "instructor", "fellow"]


@pytest.fixture
def program(sample_program):
    program = sample_program["program"]
    sample_program["enrollment"].delete()
    sample_program["run"].delete()
    return program


@pytest.fixture
def cohort(program):
    """Fourteen accepted members who all can meet on Thursday at noon."""
    people = []
    for n in range(14):
        user = make_member(
            f"peer{n}@example.org",
            f"Peer {n:02d}",
            department=DEPARTMENTS[n % len(DEPARTMENTS)],
            career_stage=STAGES[n % len(STAGES)],
            rank_since_year=2019 + n % 6,
            availability=THURSDAY_NOON_CHICAGO,
        )
        Enrollment.objects.create(
            program=program, user=user, email=user.email, name=f"Peer {n:02d}", state="accepted"
        )
        people.append(user)
    return people


def start_run(client, program):
    return client.post(reverse("programs:run_start", args=[program.pk]))


def publish_first_run(client, program, capture) -> MatchingRun:
    """Run the matching (the task runs on commit) and publish the result."""
    with capture(execute=True):
        start_run(client, program)
    run = MatchingRun.objects.get()
    with capture(execute=True):
        client.post(reverse("programs:run_publish", args=[program.pk, run.pk]))
    return run


def test_a_run_forms_groups_in_the_background_and_shows_them_for_review(
    client_for, dana, program, cohort, django_capture_on_commit_callbacks
):
    client = client_for(dana)
    with django_capture_on_commit_callbacks(execute=True):
        response = start_run(client, program)
    run = MatchingRun.objects.get()
    assert response.url == reverse("programs:run", args=[program.pk, run.pk])
    assert run.state == MatchingRun.State.SUCCEEDED
    groups = run.result["groups"]
    sizes = [len(g["members"]) for g in groups]
    assert sum(sizes) == 14
    assert all(6 <= size <= 8 for size in sizes)
    assert sum(run.result["violations"].values()) == 0
    page = client.get(response.url).content.decode()
    assert "Peer 00" in page
    assert "Thursday 12:00 (your time)" in page
    assert "Rules broken</dt><dd>none" in page


def test_a_run_needs_accepted_members(client_for, dana, program):
    response = start_run(client_for(dana), program)
    assert response.url == reverse("programs:runs", args=[program.pk])
    assert not MatchingRun.objects.exists()


def test_moving_a_member_makes_a_new_version_with_a_fresh_check(
    client_for, dana, program, cohort, django_capture_on_commit_callbacks
):
    client = client_for(dana)
    with django_capture_on_commit_callbacks(execute=True):
        start_run(client, program)
    first = MatchingRun.objects.get()
    target, source = sorted(first.result["groups"], key=lambda g: len(g["members"]))
    member = source["members"][0]
    source_index = first.result["groups"].index(source)
    response = client.post(
        reverse("programs:run_move", args=[program.pk, first.pk]),
        {"member": member, "to": target["label"]},
    )
    second = MatchingRun.objects.exclude(pk=first.pk).get()
    assert response.url == reverse("programs:run", args=[program.pk, second.pk])
    assert second.parent == first
    moved = {g["label"]: g["members"] for g in second.result["groups"]}
    assert member in moved[target["label"]]
    assert len(moved[source["label"]]) == len(source["members"]) - 1
    assert sum(second.result["violations"].values()) == 0  # both still within 6-8
    first.refresh_from_db()
    assert member in first.result["groups"][source_index]["members"]  # earlier version kept


def test_a_move_that_breaks_a_rule_is_shown_and_blocks_publishing(
    client_for, dana, program, cohort, django_capture_on_commit_callbacks
):
    client = client_for(dana)
    with django_capture_on_commit_callbacks(execute=True):
        start_run(client, program)
    run = MatchingRun.objects.get()
    source, target = sorted(run.result["groups"], key=lambda g: len(g["members"]))
    for member in source["members"][:2]:
        client.post(
            reverse("programs:run_move", args=[program.pk, run.pk]),
            {"member": member, "to": target["label"]},
        )
        run = MatchingRun.objects.order_by("-number").first()
    assert run.result["violations"]["size"] > 0
    response = client.post(reverse("programs:run_publish", args=[program.pk, run.pk]))
    assert response.url == reverse("programs:run", args=[program.pk, run.pk])
    assert not Circle.objects.exists()


def test_publishing_creates_circles_and_invites_everyone(
    client_for, dana, program, cohort, django_capture_on_commit_callbacks
):
    client = client_for(dana)
    with django_capture_on_commit_callbacks(execute=True):
        start_run(client, program)
    run = MatchingRun.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("programs:run_publish", args=[program.pk, run.pk]))
    assert response.url == reverse("programs:detail", args=[program.pk])
    assert ProgramCircle.objects.count() == 2
    for link in ProgramCircle.objects.select_related("circle"):
        circle = link.circle
        assert circle.organization == program.organization
        assert circle.current_charter().rules == program.charter
        assert circle.meetings.upcoming().exists()
        seats = circle.active_memberships().count() + circle.open_invitations().count()
        assert 6 <= seats <= 8
    assert Invitation.objects.count() == 12  # 14 people, 2 of them convene
    invited = {m.to[0] for m in mail.outbox if "invited to join the circle" in m.subject}
    assert len(invited) == 12
    run.refresh_from_db()
    assert run.published_at is not None
    again = client.post(reverse("programs:run_publish", args=[program.pk, run.pk]))
    assert again.url == reverse("programs:run", args=[program.pk, run.pk])
    assert ProgramCircle.objects.count() == 2


def test_locked_groups_survive_a_re_run(
    client_for, dana, program, cohort, django_capture_on_commit_callbacks
):
    client = client_for(dana)
    with django_capture_on_commit_callbacks(execute=True):
        start_run(client, program)
    run = MatchingRun.objects.get()
    kept = run.result["groups"][0]
    client.post(reverse("programs:run_lock", args=[program.pk, run.pk]), {"label": kept["label"]})
    locked = MatchingRun.objects.order_by("-number").first()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("programs:run_rerun", args=[program.pk, locked.pk]))
    rerun = MatchingRun.objects.order_by("-number").first()
    assert rerun.parent == locked
    same = next(g for g in rerun.result["groups"] if g["label"] == kept["label"])
    assert sorted(same["members"]) == sorted(kept["members"])
    assert same["locked"]


def test_staff_of_other_organizations_and_members_see_nothing(client_for, carol, bob, program):
    run = MatchingRun.objects.create(program=program, number=1, state="succeeded")
    for person in (carol, bob):
        assert (
            client_for(person).get(reverse("programs:run", args=[program.pk, run.pk])).status_code
            == 404
        )


def test_sensitive_reasons_never_name_the_attribute():
    from peerhaven.programs.matching_actions import PRIVATE_REASON, _without_private_reasons

    result = _without_private_reasons(
        {"unplaced": {"7": "would be the only urm=yes in any group they can join", "8": "no slot"}}
    )
    assert result["unplaced"] == {"7": PRIVATE_REASON, "8": "no slot"}


def test_enrolment_shows_where_each_person_landed(
    client_for, dana, program, cohort, django_capture_on_commit_callbacks
):
    client = client_for(dana)
    publish_first_run(client, program, django_capture_on_commit_callbacks)
    page = client.get(reverse("programs:enrollments", args=[program.pk])).content.decode()
    assert page.count("(member)") == 2  # the two conveners
    assert page.count("(invited)") == 12


def test_an_infeasible_policy_fails_the_run_with_a_clear_message(
    client_for, dana, program, cohort, django_capture_on_commit_callbacks
):
    program.min_group_size = program.max_group_size = 8  # 14 people cannot make groups of 8
    program.save()
    client = client_for(dana)
    with django_capture_on_commit_callbacks(execute=True):
        response = start_run(client, program)
    run = MatchingRun.objects.get()
    assert run.state == MatchingRun.State.FAILED
    assert "8" in run.status_message
    page = client.get(response.url).content.decode()
    assert run.status_message[:40] in page
    assert not Circle.objects.exists()


def test_a_pairs_program_publishes_pairs_and_each_partner_sees_the_other(
    client_for, dana, program, cohort, django_capture_on_commit_callbacks
):
    program.format = "pairs"
    program.policy = {**program.policy, "pairs": {"window_years": 40}}
    program.save()
    client = client_for(dana)
    with django_capture_on_commit_callbacks(execute=True):
        start_run(client, program)
    run = MatchingRun.objects.get()
    assert len(run.result["pairs"]) == 7, (run.state, run.status_message, run.result)
    assert "groups" not in run.result
    review = client.get(reverse("programs:run", args=[program.pk, run.pk])).content.decode()
    assert "Peer pairs (7)" in review
    assert "2 departments" in review  # the policy's facts in words, not engine columns
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("programs:run_publish", args=[program.pk, run.pk]))
    assert not Circle.objects.exists()
    pair = program.pairs.first()
    assert program.pairs.count() == 7
    page = client_for(pair.first).get(reverse("programs:pair", args=[program.pk])).content.decode()
    assert pair.second.display_name in page
    assert "Thursday 12:00" in page
    assert len([m for m in mail.outbox if "peer partner" in m.subject]) == 14
    outsider = client_for(dana).get(reverse("programs:pair", args=[program.pk]))
    assert outsider.status_code == 404


def test_late_joiners_are_proposed_to_circles_with_open_seats_moving_nobody(
    client_for, dana, program, cohort, django_capture_on_commit_callbacks
):
    from peerhaven.circles.models import Admission

    client = client_for(dana)
    publish_first_run(client, program, django_capture_on_commit_callbacks)
    circles = {link.label: link.circle for link in ProgramCircle.objects.select_related("circle")}
    for invitation in Invitation.objects.all():  # everyone accepted; the circles have met
        Membership.objects.create(
            circle=invitation.circle, user=User.objects.get(email=invitation.email)
        )
    Invitation.objects.update(state="accepted")
    Circle.objects.update(state="active")
    before = {label: set(member_emails(c)) for label, c in circles.items()}

    late = make_member(
        "late@example.org", "Late Joiner", availability=THURSDAY_NOON_CHICAGO, rank_since_year=2022
    )
    Enrollment.objects.create(
        program=program, user=late, email=late.email, name="Late", state="accepted"
    )
    response = client.post(reverse("programs:place_late_joiners", args=[program.pk]))
    assert response.url == reverse("programs:runs", args=[program.pk])
    [proposal] = Admission.objects.filter(email="late@example.org")
    assert proposal.state == Admission.State.VOTING  # the circle's members decide
    after = {label: set(member_emails(c)) for label, c in circles.items()}
    assert after == before  # nobody already placed was moved


def member_emails(circle):
    return circle.active_memberships().values_list("user__email", flat=True)


def test_a_facilitator_convenes_each_circle_and_takes_a_seat(
    client_for, dana, program, cohort, alice, lakeshore, django_capture_on_commit_callbacks
):
    from peerhaven.orgs.models import StaffRole

    StaffRole.objects.create(organization=lakeshore, user=alice, role="facilitator")
    program.facilitators.add(alice)
    client = client_for(dana)
    with django_capture_on_commit_callbacks(execute=True):
        start_run(client, program)
    run = MatchingRun.objects.get()
    assert all(len(g["members"]) <= 7 for g in run.result["groups"])  # a seat for alice
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("programs:run_publish", args=[program.pk, run.pk]))
    for link in ProgramCircle.objects.select_related("circle"):
        convener = link.circle.active_memberships().get(role="convener")
        assert convener.user == alice
        seats = link.circle.active_memberships().count() + link.circle.open_invitations().count()
        assert seats <= 8


def test_each_invitation_tells_the_first_meeting(
    client_for, dana, program, cohort, django_capture_on_commit_callbacks
):
    client = client_for(dana)
    publish_first_run(client, program, django_capture_on_commit_callbacks)
    invitation = next(m for m in mail.outbox if "invited to join the circle" in m.subject)
    assert "Its next meeting: Thursday" in invitation.body
    assert "12:00 (America/Chicago time)" in invitation.body


def test_a_running_run_shows_progress_and_the_page_polls_only_its_panel(
    client_for, dana, program, cohort
):
    client = client_for(dana)
    start_run(client, program)  # on_commit never fires here: the run stays queued
    run = MatchingRun.objects.get()
    MatchingRun.objects.filter(pk=run.pk).update(
        state="running", progress=0.4, status_message="improving groups"
    )
    url = reverse("programs:run", args=[program.pk, run.pk])
    page = client.get(url).content.decode()
    assert 'value="40"' in page
    assert "improving groups" in page
    assert 'hx-trigger="every 1s"' in page
    panel = client.get(url + "?status=1", HTTP_HX_REQUEST="true").content.decode()
    assert panel.lstrip().startswith('<section class="card" id="progress"')
    assert "<html" not in panel
    client.post(reverse("programs:run_cancel", args=[program.pk, run.pk]))
    assert MatchingRun.objects.get().cancel_requested


def test_enrolment_page_queries_do_not_grow_with_circles(
    client_for,
    dana,
    program,
    cohort,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    client = client_for(dana)
    publish_first_run(client, program, django_capture_on_commit_callbacks)
    assert ProgramCircle.objects.count() == 2
    with django_assert_num_queries(12):
        client.get(reverse("programs:enrollments", args=[program.pk]))
