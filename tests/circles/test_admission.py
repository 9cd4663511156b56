"""Admitting someone to an established circle: the current members decide, by everyone's
agreement or by a majority, and every vote is recorded."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from peerhaven.circles import actions
from peerhaven.circles.actions import CircleError
from peerhaven.circles.models import Admission, AdmissionVote, Circle
from tests.circles.conftest import flash, invitation_link, membership_of, messages_to
from tests.conftest import make_circle

pytestmark = pytest.mark.django_db


def established(convener, members, **fields):
    circle = make_circle(convener, members, **fields)
    circle.state = Circle.State.ACTIVE
    circle.save()
    return circle


def vote(client, admission, approve: bool):
    return client.post(
        reverse("circles:vote", args=[admission.circle_id, admission.pk]),
        {"approve": "yes" if approve else "no"},
    )


def votes_of(admission) -> dict:
    return dict(admission.votes.values_list("voter__email", "approve"))


def test_inviting_into_an_established_circle_proposes_instead_of_inviting(
    alice, bob, frank, client_for, django_capture_on_commit_callbacks
):
    circle = established(alice, [bob, frank])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(
            reverse("circles:invite", args=[circle.pk]), {"email": "carol@example.org"}
        )
    assert flash(response) == ["Proposed. The invitation goes out once the members agree."]
    admission = circle.admissions.get()
    assert (admission.email, admission.state, admission.is_join_request) == (
        "carol@example.org",
        Admission.State.VOTING,
        False,
    )
    assert votes_of(admission) == {"alice@example.org": True}  # proposing is agreeing
    assert not circle.invitations.exists()
    assert messages_to("carol@example.org") == []
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@example.org", "frank@example.org"]
    for message in mail.outbox:
        assert len(message.to) == 1  # members' addresses are not shared
        assert "carol" not in message.body.lower()  # the vote is asked for on the page


def test_with_everyone_rule_the_last_yes_sends_the_invitation(
    alice, bob, frank, client_for, django_capture_on_commit_callbacks
):
    circle = established(alice, [bob, frank])
    admission = actions.do_invite(circle, "carol@example.org", acting_user=alice)
    vote(client_for(bob), admission, True)
    admission.refresh_from_db()
    assert admission.state == Admission.State.VOTING
    with django_capture_on_commit_callbacks(execute=True):
        response = vote(client_for(frank), admission, True)
    assert response.status_code == 302
    admission.refresh_from_db()
    assert admission.state == Admission.State.APPROVED
    assert admission.decided_at is not None
    invitation = circle.invitations.get()
    assert (invitation.email, invitation.invited_by) == ("carol@example.org", alice)
    [message] = messages_to("carol@example.org")
    invitation_link(message)  # a working link went out


def test_with_everyone_rule_a_single_no_rejects(alice, bob, frank, client_for):
    circle = established(alice, [bob, frank])
    admission = actions.do_invite(circle, "carol@example.org", acting_user=alice)
    vote(client_for(bob), admission, False)
    admission.refresh_from_db()
    assert admission.state == Admission.State.REJECTED
    assert not circle.invitations.exists()
    assert votes_of(admission) == {"alice@example.org": True, "bob@example.org": False}


def test_with_majority_rule_more_than_half_decides(alice, bob, frank, gina, client_for):
    circle = established(alice, [bob, frank, gina], admission_rule="majority")
    admission = actions.do_invite(circle, "carol@example.org", acting_user=alice)
    vote(client_for(bob), admission, True)
    admission.refresh_from_db()
    assert admission.state == Admission.State.VOTING  # 2 of 4 is not a majority
    vote(client_for(frank), admission, True)
    admission.refresh_from_db()
    assert admission.state == Admission.State.APPROVED
    assert circle.invitations.filter(email="carol@example.org").exists()


def test_with_majority_rule_half_saying_no_rejects(alice, bob, frank, gina, client_for):
    circle = established(alice, [bob, frank, gina], admission_rule="majority")
    admission = actions.do_invite(circle, "carol@example.org", acting_user=alice)
    vote(client_for(bob), admission, False)
    admission.refresh_from_db()
    assert admission.state == Admission.State.VOTING
    vote(client_for(frank), admission, False)  # a majority can no longer be reached
    admission.refresh_from_db()
    assert admission.state == Admission.State.REJECTED
    assert not circle.invitations.exists()


def test_voting_again_changes_the_vote(alice, bob, frank, gina, hugo, client_for):
    circle = established(alice, [bob, frank, gina, hugo], admission_rule="majority")
    admission = actions.do_invite(circle, "carol@example.org", acting_user=alice)
    client = client_for(bob)
    vote(client, admission, True)
    vote(client, admission, False)
    assert AdmissionVote.objects.filter(admission=admission, voter=bob).count() == 1
    assert votes_of(admission)["bob@example.org"] is False
    page = client.get(reverse("circles:members", args=[circle.pk]))
    assert "You declined." in page.content.decode()
    vote(client, admission, True)
    assert votes_of(admission)["bob@example.org"] is True
    admission.refresh_from_db()
    assert admission.state == Admission.State.VOTING  # 2 of 5


def test_a_decided_admission_refuses_votes(alice, bob, frank, client_for):
    circle = established(alice, [bob, frank])
    admission = actions.do_invite(circle, "carol@example.org", acting_user=alice)
    vote(client_for(bob), admission, False)
    response = vote(client_for(frank), admission, True)
    assert flash(response) == ["This decision has already been made."]
    assert "frank@example.org" not in votes_of(admission)
    with pytest.raises(CircleError, match="already been made"):
        actions.do_vote(admission, acting_user=bob, approve=True)
    admission.refresh_from_db()
    assert admission.state == Admission.State.REJECTED
    assert votes_of(admission)["bob@example.org"] is False


def test_only_members_vote_and_a_former_members_vote_stops_counting(
    alice, bob, frank, carol, client_for
):
    circle = established(alice, [bob, frank])
    admission = actions.do_invite(circle, "gina@example.org", acting_user=alice)
    assert vote(client_for(carol), admission, True).status_code == 404
    vote(client_for(bob), admission, True)
    actions.do_leave(membership_of(circle, frank))  # frank never voted; now everyone has
    actions.do_vote(admission, acting_user=bob, approve=True)
    admission.refresh_from_db()
    assert admission.state == Admission.State.APPROVED
    assert "carol@example.org" not in votes_of(admission)


def test_votes_on_another_circles_admission_are_404(alice, bob, carol, client_for):
    ours = established(alice, [bob])
    theirs = established(carol, [], name="Other circle")
    admission = actions.do_invite(theirs, "gina@example.org", acting_user=carol)
    response = client_for(bob).post(
        reverse("circles:vote", args=[ours.pk, admission.pk]), {"approve": "yes"}
    )
    assert response.status_code == 404
    assert AdmissionVote.objects.filter(voter=bob).count() == 0


# --- Join requests ------------------------------------------------------------------------


def test_a_join_request_from_a_listed_circle_admits_once_members_agree(
    alice, bob, carol, client_for, django_capture_on_commit_callbacks
):
    circle = established(alice, [bob], accepts_requests=True, description="Surgeons, mostly.")
    client = client_for(carol)
    assert circle.name in client.get(reverse("circles:list")).content.decode()
    page = client.get(reverse("circles:join", args=[circle.pk]))
    assert "Surgeons, mostly." in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("circles:join", args=[circle.pk]), {"note": "I chair a residency."}
        )
    assert response.url == reverse("circles:list")
    admission = circle.admissions.get()
    assert (admission.candidate, admission.is_join_request, admission.note) == (
        carol,
        True,
        "I chair a residency.",
    )
    assert votes_of(admission) == {}
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "bob@example.org"]
    mail.outbox.clear()

    vote(client_for(alice), admission, True)
    with django_capture_on_commit_callbacks(execute=True):
        vote(client_for(bob), admission, True)
    assert membership_of(circle, carol) is not None
    [welcome] = messages_to("carol@example.org")
    assert "Welcome" in welcome.subject
    response = client.get(reverse("circles:detail", args=[circle.pk]))
    assert response.url == reverse("circles:charter", args=[circle.pk])  # charter first


def test_a_join_request_twice_or_from_a_member_is_refused(alice, bob, carol, client_for):
    circle = established(alice, [bob], accepts_requests=True)
    client_for(carol).post(reverse("circles:join", args=[circle.pk]), {"note": ""})
    again = client_for(carol).post(reverse("circles:join", args=[circle.pk]), {"note": ""})
    assert again.context["form"].non_field_errors() == ["Your request is already with the members."]
    with pytest.raises(CircleError, match="already a member"):
        actions.do_request_to_join(circle, acting_user=bob)
    assert circle.admissions.count() == 1


@pytest.mark.parametrize("how", ["unlisted", "closed", "paused"])
def test_join_pages_of_unlisted_or_shut_circles_do_not_exist(alice, carol, client_for, how):
    circle = established(alice, [], accepts_requests=how != "unlisted")
    if how != "unlisted":
        circle.state = how
        circle.save()
    client = client_for(carol)
    assert client.get(reverse("circles:join", args=[circle.pk])).status_code == 404
    assert client.post(reverse("circles:join", args=[circle.pk]), {}).status_code == 404
    assert not circle.admissions.exists()


def test_a_join_request_note_too_long_is_refused(alice, carol, client_for):
    circle = established(alice, [], accepts_requests=True)
    response = client_for(carol).post(
        reverse("circles:join", args=[circle.pk]), {"note": "x" * 1001}
    )
    assert response.context["form"].errors["note"]
    assert not circle.admissions.exists()


def test_a_join_request_to_a_full_circle_is_refused(alice, bob, carol, client_for):
    circle = established(alice, [bob], accepts_requests=True, size_cap=2)
    response = client_for(carol).post(reverse("circles:join", args=[circle.pk]), {"note": ""})
    assert response.context["form"].non_field_errors() == [
        "The circle is full: it has room for 2 members."
    ]
    assert not circle.admissions.exists()


def test_a_join_request_that_no_longer_fits_is_closed_not_left_open(alice, bob, carol):
    from peerhaven.circles import actions
    from peerhaven.circles.models import Admission, Circle, Membership
    from tests.conftest import make_circle, make_member

    circle = make_circle(alice, [bob], accepts_requests=True, size_cap=3)
    Circle.objects.filter(pk=circle.pk).update(state=Circle.State.ACTIVE)
    circle.refresh_from_db()
    request = actions.do_request_to_join(circle, acting_user=carol)
    late = make_member("late@example.org", "Late Comer")
    Membership.objects.create(circle=circle, user=late)  # the last seat goes meanwhile
    for member in (alice, bob, late):
        actions.do_vote(request, acting_user=member, approve=True)
    request.refresh_from_db()
    assert request.state == Admission.State.REJECTED
    assert not circle.active_memberships().filter(user=carol).exists()
