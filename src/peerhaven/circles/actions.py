"""Forming and running a circle: every write that spans rows, atomic, with ``acting_user``.

Meetings, asks and attendance are in ``meeting_actions.py``."""

from __future__ import annotations

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from peerhaven.accounts.models import Separation, User
from peerhaven.circles import emails
from peerhaven.circles.models import (
    DEFAULT_CHARTER,
    INVITATION_LIFETIME,
    MAX_CIRCLE_SIZE,
    Admission,
    AdmissionVote,
    CharterAgreement,
    CharterVersion,
    Circle,
    Invitation,
    Membership,
    Message,
    hash_token,
    new_token,
)

SEPARATION_RULE = (
    "Peerhaven keeps supervisors and their direct reports out of the same circle, so this "
    "person cannot join it."
)


class CircleError(Exception):
    """A rule of the circle refused the action; the message is shown to the person."""


# --- Starting and settings ------------------------------------------------------------


@transaction.atomic
def do_start_circle(
    *, acting_user, name: str, description: str = "", charter: str = DEFAULT_CHARTER, **settings
) -> Circle:
    """Anyone may start a circle; programs call this too (with their own charter). The
    starter convenes it and has agreed to its charter by starting from it."""
    circle = Circle.objects.create(
        name=name, description=description, created_by=acting_user, **settings
    )
    Membership.objects.create(circle=circle, user=acting_user, role=Membership.Role.CONVENER)
    charter = CharterVersion.objects.create(
        circle=circle, number=1, rules=charter, created_by=acting_user
    )
    CharterAgreement.objects.create(version=charter, user=acting_user)
    return circle


@transaction.atomic
def do_set_size_cap(circle: Circle, size_cap: int, *, acting_user) -> None:
    """Conveners may lower the cap; only site staff may set it above eight."""
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    members = circle.active_memberships().count()
    if size_cap < max(members, 2):
        raise CircleError(f"The circle already has {members} members; the cap cannot be lower.")
    if size_cap > MAX_CIRCLE_SIZE and not acting_user.is_staff:
        raise CircleError(f"A circle has at most {MAX_CIRCLE_SIZE} members.")
    circle.size_cap = size_cap
    circle.cap_override_by = acting_user if size_cap > MAX_CIRCLE_SIZE else None
    circle.save(update_fields=["size_cap", "cap_override_by"])


@transaction.atomic
def do_set_state(circle: Circle, state: str, *, acting_user) -> None:
    if circle.state == Circle.State.CLOSED:
        raise CircleError("This circle is closed.")
    circle.state = state
    circle.closed_at = timezone.now() if state == Circle.State.CLOSED else None
    circle.save(update_fields=["state", "closed_at"])
    if state == Circle.State.CLOSED:
        circle.invitations.filter(state=Invitation.State.PENDING).update(
            state=Invitation.State.REVOKED
        )


# --- Charter -----------------------------------------------------------------------------


@transaction.atomic
def do_edit_charter(circle: Circle, rules: str, *, acting_user) -> CharterVersion:
    """A new version every time; every member (but its author) must agree to it again."""
    circle = _lock(circle)  # two edits at once get consecutive numbers, not a clash
    current = circle.current_charter()
    version = CharterVersion.objects.create(
        circle=circle,
        number=(current.number + 1) if current else 1,
        rules=rules,
        created_by=acting_user,
    )
    CharterAgreement.objects.create(version=version, user=acting_user)
    return version


def do_agree_to_charter(membership: Membership) -> CharterAgreement:
    version = membership.circle.current_charter()
    agreement, _ = CharterAgreement.objects.get_or_create(version=version, user=membership.user)
    return agreement


# --- Seats, invitations and admissions -----------------------------------------------------


def _lock(circle: Circle) -> Circle:
    """Every change to who is in a circle locks its row first, so two people can never take
    the last seat at once."""
    return Circle.objects.select_for_update().get(pk=circle.pk)


def _ensure_joinable(circle: Circle) -> None:
    if circle.state not in Circle.JOINABLE_STATES:
        raise CircleError(f"This circle is {circle.get_state_display().lower()}: nobody can join.")


def _ensure_seat(circle: Circle, *, counting_invitations: bool) -> None:
    taken = circle.active_memberships().count()
    if counting_invitations:
        taken += circle.open_invitations().count()
    if taken >= circle.size_cap:
        raise CircleError(f"The circle is full: it has room for {circle.size_cap} members.")


def _ensure_not_separated(circle: Circle, email: str) -> None:
    """Supervisors and their direct reports never share a circle, whichever of them listed
    the other. The refusal names the rule, not the person."""
    # Addresses compare case-insensitively: "Alice@Example.org" signed up, "alice@example.org"
    # was listed.
    members = circle.active_memberships().values("user_id")
    member_emails = [address.lower() for address in members.values_list("user__email", flat=True)]
    listed_by_members = Separation.objects.filter(owner__in=members, email__iexact=email)
    listed_by_newcomer = Separation.objects.annotate(listed=Lower("email")).filter(
        owner__email__iexact=email, listed__in=member_emails
    )
    if listed_by_members.exists() or listed_by_newcomer.exists():
        raise CircleError(SEPARATION_RULE)


def _ensure_not_already_in(circle: Circle, email: str) -> None:
    if circle.active_memberships().filter(user__email__iexact=email).exists():
        raise CircleError("This person is already a member.")
    if circle.open_invitations().filter(email__iexact=email).exists():
        raise CircleError("This person already has an invitation waiting.")


@transaction.atomic
def do_invite(circle: Circle, email: str, *, acting_user) -> Invitation | Admission:
    """Invite someone by e-mail. In an established circle the members decide first: the
    proposal becomes an Admission, and the invitation goes out once it is approved."""
    circle = _lock(circle)
    email = email.strip().lower()
    _ensure_joinable(circle)
    _ensure_not_already_in(circle, email)
    _ensure_not_separated(circle, email)
    if circle.is_established:
        return _propose(circle, email=email, acting_user=acting_user)
    return _send_invitation(circle, email, invited_by=acting_user)


def _send_invitation(circle: Circle, email: str, *, invited_by) -> Invitation:
    _ensure_seat(circle, counting_invitations=True)
    token, token_hash = new_token()
    invitation = Invitation.objects.create(
        circle=circle,
        email=email,
        invited_by=invited_by,
        token_hash=token_hash,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    emails.send_invitation(invitation, token)
    return invitation


def find_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("circle", "invited_by__profile")
        .filter(token_hash=hash_token(token))
        .first()
    )


def check_invitation(invitation: Invitation | None) -> Invitation:
    if invitation is None:
        raise CircleError("This invitation link is not valid. Ask for a new one.")
    if invitation.state == Invitation.State.ACCEPTED:
        raise CircleError("This invitation has already been used.")
    if invitation.state != Invitation.State.PENDING:
        raise CircleError("This invitation was withdrawn or declined.")
    if not invitation.is_open:
        raise CircleError("This invitation has expired. Ask the circle for a new one.")
    return invitation


def user_owns_address(user, email: str) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


@transaction.atomic
def do_accept_invitation(token: str, *, acting_user) -> Membership:
    return _accept(check_invitation(find_invitation(token)), acting_user)


@transaction.atomic
def do_accept_own_invitation(invitation_id: int, *, acting_user) -> Membership:
    """Accepting from the Circles page: a verified address proves the mailbox as well as
    the e-mailed link does."""
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None or not user_owns_address(acting_user, invitation.email):
        raise CircleError("This invitation is not yours.")
    return _accept(check_invitation(invitation), acting_user)


def _accept(invitation: Invitation, acting_user) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    check_invitation(invitation)  # again, under the lock: the link is single-use
    if not user_owns_address(acting_user, invitation.email):
        raise CircleError(
            "This invitation was sent to another e-mail address. Sign in with that address, "
            "or add it to your account first."
        )
    circle = _lock(invitation.circle)
    _ensure_joinable(circle)
    # The invitation already held a seat; if the cap was lowered below the open invitations
    # meanwhile, whoever accepts first takes the seat that is left.
    _ensure_seat(circle, counting_invitations=False)
    _ensure_not_separated(circle, invitation.email)
    invitation.state = Invitation.State.ACCEPTED
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["state", "answered_at"])
    return _add_member(circle, acting_user)


@transaction.atomic
def do_decline_invitation(token: str) -> None:
    invitation = check_invitation(find_invitation(token))
    invitation.state = Invitation.State.DECLINED
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["state", "answered_at"])


@transaction.atomic
def do_revoke_invitation(invitation: Invitation, *, acting_user) -> None:
    if invitation.state == Invitation.State.PENDING:
        invitation.state = Invitation.State.REVOKED
        invitation.save(update_fields=["state"])


def _add_member(circle: Circle, user) -> Membership:
    if circle.active_memberships().filter(user=user).exists():
        raise CircleError("You are already a member of this circle.")
    return Membership.objects.create(circle=circle, user=user)


@transaction.atomic
def do_request_to_join(circle: Circle, *, acting_user, note: str = "") -> Admission:
    circle = _lock(circle)
    _ensure_joinable(circle)
    if not circle.accepts_requests:
        raise CircleError("This circle does not take requests to join.")
    _ensure_not_already_in(circle, acting_user.email)
    if circle.admissions.filter(candidate=acting_user, state=Admission.State.VOTING).exists():
        raise CircleError("Your request is already with the members.")
    _ensure_not_separated(circle, acting_user.email)
    return _propose(circle, email=acting_user.email, candidate=acting_user, note=note)


def _propose(circle, *, email, acting_user=None, candidate=None, note="") -> Admission:
    _ensure_seat(circle, counting_invitations=True)
    admission = Admission.objects.create(
        circle=circle,
        email=email,
        candidate=candidate,
        note=note,
        proposed_by=acting_user or candidate,
        is_join_request=candidate is not None,
    )
    if acting_user is not None:
        AdmissionVote.objects.create(admission=admission, voter=acting_user, approve=True)
    emails.send_admission_vote_request(admission, exclude=acting_user)
    _decide_if_settled(admission)
    return admission


@transaction.atomic
def do_vote(admission: Admission, *, acting_user, approve: bool) -> Admission:
    admission = Admission.objects.select_for_update().get(pk=admission.pk)
    if admission.state != Admission.State.VOTING:
        raise CircleError("This decision has already been made.")
    AdmissionVote.objects.update_or_create(
        admission=admission, voter=acting_user, defaults={"approve": approve}
    )
    _decide_if_settled(admission)
    return admission


def _decide_if_settled(admission: Admission) -> None:
    circle = admission.circle
    members = set(circle.active_memberships().values_list("user_id", flat=True))
    votes = dict(admission.votes.filter(voter_id__in=members).values_list("voter_id", "approve"))
    yes = sum(votes.values())
    no = len(votes) - yes
    if circle.admission_rule == Circle.Admission.EVERYONE:
        approved, rejected = yes == len(members), no > 0
    else:
        approved, rejected = yes * 2 > len(members), no * 2 >= len(members)
    if approved:
        _approve_or_close(admission)
    elif rejected:
        _close_admission(admission, Admission.State.REJECTED)


def _approve_or_close(admission: Admission) -> None:
    """If the circle filled up (or a separation arose) while members voted, the request
    cannot be granted: it is closed rather than left open forever."""
    try:
        with transaction.atomic():
            _approve(admission)
    except CircleError:
        _close_admission(admission, Admission.State.REJECTED)


def _approve(admission: Admission) -> None:
    circle = _lock(admission.circle)
    _close_admission(admission, Admission.State.APPROVED)
    if admission.is_join_request:
        _ensure_seat(circle, counting_invitations=True)
        _ensure_not_separated(circle, admission.email)
        _add_member(circle, admission.candidate)
        emails.send_join_request_approved(admission)
    else:
        _send_invitation(circle, admission.email, invited_by=admission.proposed_by)


def _close_admission(admission: Admission, state: str) -> None:
    admission.state = state
    admission.decided_at = timezone.now()
    admission.save(update_fields=["state", "decided_at"])


# --- Leaving and roles ----------------------------------------------------------------------


@transaction.atomic
def do_leave(membership: Membership) -> None:
    """A member may always leave. A leaving convener hands over to the longest-standing
    member; the last member to leave closes the circle."""
    circle = _lock(membership.circle)
    membership.state = Membership.State.LEFT
    membership.left_at = timezone.now()
    membership.save(update_fields=["state", "left_at"])
    remaining = circle.active_memberships().order_by("joined_at")
    if membership.is_convener and remaining.exists():
        _make_convener(remaining.first())
    if not remaining.exists() and circle.state != Circle.State.CLOSED:
        do_set_state(circle, Circle.State.CLOSED, acting_user=membership.user)
    if membership.is_convener:
        membership.role = Membership.Role.MEMBER
        membership.save(update_fields=["role"])


@transaction.atomic
def do_transfer_convener(circle: Circle, to_user: User, *, acting_user) -> None:
    successor = circle.active_memberships().filter(user=to_user).first()
    if successor is None:
        raise CircleError("Only a current member can become convener.")
    circle.active_memberships().filter(role=Membership.Role.CONVENER).update(
        role=Membership.Role.MEMBER
    )
    _make_convener(successor)


def _make_convener(membership: Membership) -> None:
    membership.role = Membership.Role.CONVENER
    membership.save(update_fields=["role"])


# --- Between meetings ---------------------------------------------------------------------


@transaction.atomic
def do_post_message(membership: Membership, body: str, parent: Message | None = None) -> Message:
    circle = membership.circle
    if circle.state == Circle.State.CLOSED:
        raise CircleError("This circle is closed; its discussion is read-only.")
    if parent is not None and parent.parent_id is not None:
        parent = parent.parent  # one level of replies keeps threads readable on a phone
    message = Message.objects.create(
        circle=circle, author=membership.user, parent=parent, body=body
    )
    recipients = circle.active_memberships().filter(notify=Membership.Notify.EACH)
    emails.send_new_message_notice(circle, [m.user for m in recipients.exclude(pk=membership.pk)])
    return message
