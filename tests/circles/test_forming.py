"""Forming a circle: starting it, inviting by e-mail, answering invitations, the size cap
and the supervisor/direct-report rule."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peerhaven.accounts.models import Separation, User
from peerhaven.circles import actions
from peerhaven.circles.actions import SEPARATION_RULE, CircleError
from peerhaven.circles.models import (
    DEFAULT_CHARTER,
    CharterAgreement,
    Circle,
    Invitation,
    Membership,
    hash_token,
)
from tests.circles.conftest import flash, invitation_link, membership_of
from tests.conftest import PASSWORD, make_circle, make_member

pytestmark = pytest.mark.django_db

START = {
    "name": "Thursday Lunch Circle",
    "description": "Mid-career clinician educators.",
    "size_cap": 6,
    "admission_rule": "everyone",
}


def invite(client, circle, email, capture):
    """Invite through the members page, delivering the e-mail the commit would send."""
    with capture(execute=True):
        return client.post(reverse("circles:invite", args=[circle.pk]), {"email": email})


@pytest.fixture
def invited_bob(alice, bob, client_for, django_capture_on_commit_callbacks):
    """A forming circle of alice's with an invitation to bob; (circle, path, token)."""
    circle = make_circle(alice)
    invite(client_for(alice), circle, "bob@example.org", django_capture_on_commit_callbacks)
    [message] = mail.outbox
    path, token = invitation_link(message)
    return circle, path, token


# --- Starting -----------------------------------------------------------------------------


def test_starting_a_circle_makes_the_starter_its_convener_bound_by_charter_v1(alice, client_for):
    response = client_for(alice).post(reverse("circles:create"), START)
    circle = Circle.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("circles:schedule", args=[circle.pk])
    assert (circle.name, circle.size_cap, circle.state) == ("Thursday Lunch Circle", 6, "forming")
    [membership] = circle.memberships.all()
    assert (membership.user, membership.role) == (alice, Membership.Role.CONVENER)
    charter = circle.current_charter()
    assert (charter.number, charter.rules) == (1, DEFAULT_CHARTER)
    assert CharterAgreement.objects.filter(version=charter, user=alice).exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"size_cap": 9}, "size_cap", "at most 8"),
        ({"size_cap": 1}, "size_cap", "at least two"),
        ({"size_cap": "many"}, "size_cap", "whole number"),
        ({"name": ""}, "name", "required"),
        ({"admission_rule": "dictator"}, "admission_rule", "valid choice"),
    ],
)
def test_starting_a_circle_with_bad_input_saves_nothing(alice, client_for, change, field, message):
    response = client_for(alice).post(reverse("circles:create"), {**START, **change})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert "Nothing was saved" in response.content.decode()
    assert not Circle.objects.exists()


# --- Inviting -----------------------------------------------------------------------------


def test_an_invitation_e_mail_leaves_only_after_commit_with_a_single_use_link(
    alice, client_for, django_capture_on_commit_callbacks
):
    circle = make_circle(alice)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(alice).post(
            reverse("circles:invite", args=[circle.pk]), {"email": " Bob@Example.org "}
        )
        assert mail.outbox == []  # nothing leaves while the transaction may still roll back
    assert len(callbacks) >= 1
    assert response.status_code == 302
    [invitation] = circle.invitations.all()
    assert (invitation.email, invitation.state) == ("bob@example.org", Invitation.State.PENDING)
    assert invitation.expires_at - timezone.now() > dt.timedelta(days=13)
    [message] = mail.outbox
    assert message.to == ["bob@example.org"]
    assert "Thursday Circle" in message.subject
    path, token = invitation_link(message)
    assert invitation.token_hash == hash_token(token) != token  # only the hash is kept
    assert path == reverse("circles:invitation", args=[token])


def test_inviting_a_member_or_someone_already_invited_is_refused(
    alice, bob, client_for, django_capture_on_commit_callbacks
):
    circle = make_circle(alice, [bob])
    client = client_for(alice)
    response = invite(client, circle, "BOB@example.org", django_capture_on_commit_callbacks)
    assert response.context["invite_form"].errors["email"] == ["This person is already a member."]
    invite(client, circle, "carol@example.org", django_capture_on_commit_callbacks)
    response = invite(client, circle, "carol@example.org", django_capture_on_commit_callbacks)
    assert response.context["invite_form"].errors["email"] == [
        "This person already has an invitation waiting."
    ]
    assert circle.invitations.count() == 1
    assert len(mail.outbox) == 1


def test_inviting_an_invalid_address_is_refused_next_to_the_field(
    alice, client_for, django_capture_on_commit_callbacks
):
    circle = make_circle(alice)
    response = invite(
        client_for(alice), circle, "not an address", django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    assert response.context["invite_form"].errors["email"]
    assert not circle.invitations.exists()
    assert mail.outbox == []


# --- Answering ----------------------------------------------------------------------------


def test_accepting_makes_a_member_who_must_agree_to_the_charter_first(invited_bob, bob, client_for):
    circle, path, _token = invited_bob
    client = client_for(bob)
    page = client.get(path)
    assert page.status_code == 200
    assert "Alice Adams invited" in page.content.decode()

    response = client.post(path, {"answer": "accept"})
    assert response.status_code == 302
    assert response.url == reverse("circles:charter", args=[circle.pk])
    membership = membership_of(circle, bob)
    assert membership.role == Membership.Role.MEMBER
    invitation = circle.invitations.get()
    assert invitation.state == Invitation.State.ACCEPTED
    assert invitation.answered_at is not None

    for name in ("detail", "thread", "members", "ask_create", "charter_edit"):
        response = client.get(reverse(f"circles:{name}", args=[circle.pk]))
        assert response.status_code == 302, name
        assert response.url == reverse("circles:charter", args=[circle.pk]), name
    assert client.post(reverse("circles:charter", args=[circle.pk])).status_code == 302
    assert client.get(reverse("circles:detail", args=[circle.pk])).status_code == 200


def test_declining_changes_nothing_but_the_invitation(invited_bob, bob, client_for):
    circle, path, _ = invited_bob
    client = client_for(bob)
    response = client.post(path, {"answer": "decline"})
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert circle.invitations.get().state == Invitation.State.DECLINED
    assert membership_of(circle, bob) is None
    again = client.post(path, {"answer": "accept"})
    assert again.status_code == 410
    assert "withdrawn or declined" in again.content.decode()
    assert membership_of(circle, bob) is None


def test_an_expired_link_is_refused_and_changes_nothing(invited_bob, bob, client_for):
    circle, path, _ = invited_bob
    circle.invitations.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    client = client_for(bob)
    assert "has expired" in client.get(path).content.decode()
    response = client.post(path, {"answer": "accept"})
    assert response.status_code == 410
    assert "has expired" in response.content.decode()
    assert membership_of(circle, bob) is None
    assert circle.invitations.get().state == Invitation.State.PENDING


def test_a_link_works_once(invited_bob, bob, client_for):
    circle, path, token = invited_bob
    client = client_for(bob)
    client.post(path, {"answer": "accept"})
    response = client.post(path, {"answer": "accept"})
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    with pytest.raises(CircleError, match="already been used"):
        actions.do_accept_invitation(token, acting_user=bob)
    assert circle.memberships.filter(user=bob).count() == 1


@pytest.mark.parametrize(
    "tamper",
    [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: t + "x", lambda t: "made-up"],
)
def test_a_tampered_or_unknown_token_is_refused(invited_bob, bob, client_for, tamper):
    circle, _, token = invited_bob
    client = client_for(bob)
    path = reverse("circles:invitation", args=[tamper(token)])
    for response in (client.get(path), client.post(path, {"answer": "accept"})):
        assert response.status_code == 410
        assert "not valid" in response.content.decode()
    assert membership_of(circle, bob) is None
    assert circle.invitations.get().state == Invitation.State.PENDING


def test_accepting_with_an_account_of_another_address_is_refused(
    invited_bob, bob, carol, client_for
):
    circle, path, token = invited_bob
    response = client_for(carol).post(path, {"answer": "accept"})
    assert response.status_code == 409
    assert "sent to another e-mail address" in response.content.decode()
    assert membership_of(circle, carol) is None
    assert circle.invitations.get().state == Invitation.State.PENDING
    # The invitee can still use the link afterwards.
    actions.do_accept_invitation(token, acting_user=bob)
    assert membership_of(circle, bob) is not None


def test_an_unverified_address_on_the_account_does_not_count(invited_bob, carol, client_for):
    circle, path, _ = invited_bob
    EmailAddress.objects.create(user=carol, email="bob@example.org", verified=False)
    response = client_for(carol).post(path, {"answer": "accept"})
    assert response.status_code == 409
    assert membership_of(circle, carol) is None


def test_anyone_with_the_link_sees_the_invitation_but_must_sign_in_to_answer(invited_bob, client):
    circle, path, _ = invited_bob
    page = client.get(path)
    assert page.status_code == 200
    assert "Create an account to accept" in page.content.decode()
    client.post(path, {"answer": "accept"})
    assert circle.memberships.count() == 1
    assert circle.invitations.get().state == Invitation.State.PENDING


# --- Signing up through an invitation -----------------------------------------------------


def sign_up(client, email):
    return client.post(
        reverse("account_signup"),
        {
            "display_name": "Nia Osei",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def test_signing_up_through_the_invitation_needs_no_verification_e_mail(
    alice, client, client_for, django_capture_on_commit_callbacks
):
    circle = make_circle(alice)
    invite(client_for(alice), circle, "nia@example.org", django_capture_on_commit_callbacks)
    path, _ = invitation_link(mail.outbox[0])
    mail.outbox.clear()

    client.get(path)  # the link proves Nia reads this mailbox
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, "nia@example.org")
    assert response.status_code == 302
    assert response.url != reverse("account_email_verification_sent")
    nia = User.objects.get(email="nia@example.org")
    assert EmailAddress.objects.get(user=nia).verified
    assert mail.outbox == []  # no second e-mail to verify the address
    assert client.post(path, {"answer": "accept"}).url == reverse(
        "circles:charter", args=[circle.pk]
    )
    assert membership_of(circle, nia) is not None


def test_signing_up_with_another_address_gets_nothing_from_the_link(
    alice, client, client_for, django_capture_on_commit_callbacks
):
    """A forwarded link must not give the invited address to whoever signs up with it."""
    circle = make_circle(alice)
    invite(client_for(alice), circle, "nia@example.org", django_capture_on_commit_callbacks)
    path, _ = invitation_link(mail.outbox[0])
    client.get(path)
    sign_up(client, "someone.else@example.org")
    addresses = dict(
        EmailAddress.objects.values_list("email", "verified")
        .filter(user__isnull=False)
        .exclude(user=alice)
    )
    assert addresses == {"someone.else@example.org": False}


@pytest.mark.parametrize("spoil", ["expire", "tamper"])
def test_a_spoilt_invitation_link_proves_no_address(
    alice, client, client_for, django_capture_on_commit_callbacks, spoil
):
    circle = make_circle(alice)
    invite(client_for(alice), circle, "nia@example.org", django_capture_on_commit_callbacks)
    path, token = invitation_link(mail.outbox[0])
    mail.outbox.clear()
    if spoil == "expire":
        circle.invitations.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    else:
        path = reverse("circles:invitation", args=[token + "x"])

    assert client.get(path).status_code == 410
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, "nia@example.org")
    assert response.url == reverse("account_email_verification_sent")
    assert not EmailAddress.objects.get(email="nia@example.org").verified
    [message] = mail.outbox
    assert message.to == ["nia@example.org"]


# --- The size cap -------------------------------------------------------------------------


def test_a_ninth_member_is_refused_counting_open_invitations(
    alice, client_for, django_capture_on_commit_callbacks
):
    peers = [make_member(f"peer{i}@example.org", f"Peer {i}") for i in range(6)]
    circle = make_circle(alice, peers)  # seven members
    client = client_for(alice)
    invite(client, circle, "eighth@example.org", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    response = invite(client, circle, "ninth@example.org", django_capture_on_commit_callbacks)
    assert response.context["invite_form"].errors["email"] == [
        "The circle is full: it has room for 8 members."
    ]
    assert list(circle.invitations.values_list("email", flat=True)) == ["eighth@example.org"]
    assert len(mail.outbox) == 1


def test_an_expired_or_withdrawn_invitation_frees_its_seat(alice, bob, carol):
    circle = make_circle(alice, [bob], size_cap=3)
    first = actions.do_invite(circle, "one@example.org", acting_user=alice)
    with pytest.raises(CircleError, match="full"):
        actions.do_invite(circle, "two@example.org", acting_user=alice)
    first.expires_at = timezone.now() - dt.timedelta(seconds=1)
    first.save()
    second = actions.do_invite(circle, "two@example.org", acting_user=alice)
    actions.do_revoke_invitation(second, acting_user=alice)
    actions.do_invite(circle, "three@example.org", acting_user=alice)


def test_after_the_cap_is_lowered_the_first_to_accept_takes_the_last_seat(
    alice, bob, carol, django_capture_on_commit_callbacks
):
    circle = make_circle(alice)
    tokens = {}
    with django_capture_on_commit_callbacks(execute=True):
        for person in (bob, carol):
            actions.do_invite(circle, person.email, acting_user=alice)
    for message in mail.outbox:
        tokens[message.to[0]] = invitation_link(message)[1]
    actions.do_set_size_cap(circle, 2, acting_user=alice)
    actions.do_accept_invitation(tokens[bob.email], acting_user=bob)
    with pytest.raises(CircleError, match="The circle is full"):
        actions.do_accept_invitation(tokens[carol.email], acting_user=carol)
    assert membership_of(circle, carol) is None


def test_lowering_the_cap_below_the_members_is_refused(alice, bob, carol, client_for):
    circle = make_circle(alice, [bob, carol])
    response = client_for(alice).post(
        reverse("circles:settings", args=[circle.pk]),
        {**START, "name": "Renamed", "size_cap": 2, "retention_days": 90},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["size_cap"] == [
        "The circle already has 3 members; the cap cannot be lower."
    ]
    circle.refresh_from_db()
    assert (circle.size_cap, circle.name) == (8, "Thursday Circle")

    response = client_for(alice).post(
        reverse("circles:settings", args=[circle.pk]),
        {**START, "size_cap": 3, "retention_days": 90},
    )
    assert response.status_code == 302
    circle.refresh_from_db()
    assert circle.size_cap == 3


def test_only_site_staff_may_raise_the_cap_above_eight(alice, sam):
    circle = make_circle(alice)
    with pytest.raises(CircleError, match="at most 8"):
        actions.do_set_size_cap(circle, 9, acting_user=alice)
    circle.refresh_from_db()
    assert (circle.size_cap, circle.cap_override_by) == (8, None)
    actions.do_set_size_cap(circle, 10, acting_user=sam)
    circle.refresh_from_db()
    assert (circle.size_cap, circle.cap_override_by) == (10, sam)


def test_the_settings_form_refuses_a_cap_above_eight(alice, client_for):
    circle = make_circle(alice)
    response = client_for(alice).post(
        reverse("circles:settings", args=[circle.pk]),
        {**START, "size_cap": 12, "retention_days": 90},
    )
    assert response.context["form"].errors["size_cap"] == ["A circle has at most 8 members."]
    circle.refresh_from_db()
    assert circle.size_cap == 8


# --- Supervisors and direct reports -------------------------------------------------------


def refusal_of_invite(alice, client, circle, email, capture) -> str:
    response = invite(client, circle, email, capture)
    assert response.status_code == 200
    [error] = response.context["invite_form"].errors["email"]
    return error


@pytest.mark.parametrize("listed_by", ["member", "newcomer"])
def test_a_supervisor_and_direct_report_cannot_share_a_circle(
    alice, bob, carol, client_for, django_capture_on_commit_callbacks, listed_by
):
    circle = make_circle(alice, [bob])
    if listed_by == "member":
        Separation.objects.create(owner=bob, relation="direct_report", email="carol@example.org")
    else:
        Separation.objects.create(owner=carol, relation="supervisor", email="bob@example.org")
    error = refusal_of_invite(
        alice, client_for(alice), circle, "carol@example.org", django_capture_on_commit_callbacks
    )
    assert error == SEPARATION_RULE
    for name in ("Bob", "bob@", "Carol", "carol@"):
        assert name not in error  # the rule, never who
    assert not circle.invitations.exists()
    assert mail.outbox == []


def test_separation_is_checked_again_when_the_invitation_is_accepted(
    invited_bob, alice, bob, client_for
):
    circle, path, _ = invited_bob
    Separation.objects.create(owner=bob, relation="supervisor", email="alice@example.org")
    response = client_for(bob).post(path, {"answer": "accept"})
    assert response.status_code == 409
    assert SEPARATION_RULE in response.content.decode()
    assert membership_of(circle, bob) is None
    assert circle.invitations.get().state == Invitation.State.PENDING


def test_separation_holds_whatever_the_case_of_the_addresses(alice, carol):
    circle = make_circle(alice)
    alice.email = "Alice@Example.org"
    alice.save()
    Separation.objects.create(owner=carol, relation="supervisor", email="alice@example.org")
    with pytest.raises(CircleError, match="supervisors and their direct reports"):
        actions.do_invite(circle, "CAROL@example.org", acting_user=alice)


def test_a_join_request_from_a_direct_report_is_refused(alice, bob, carol, client_for):
    circle = make_circle(alice, [bob], accepts_requests=True)
    Separation.objects.create(owner=alice, relation="direct_report", email="carol@example.org")
    response = client_for(carol).post(reverse("circles:join", args=[circle.pk]), {"note": ""})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [SEPARATION_RULE]
    assert not circle.admissions.exists()
    assert flash(response) == []
