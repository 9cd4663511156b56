"""Changing nominations: nominating, the nominee's answer, the status, the statement,
supporting letters and the achievement a selected nomination becomes. Each ``do_*`` is one
transaction with a keyword-only ``acting_user``; e-mails go out when it commits.

Every change to a nomination locks its row first, so a double submit or two people acting
at once see each other's change instead of both passing the same check.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from peerhaven.outcomes.achievements import do_save_achievement
from peerhaven.outcomes.models import Achievement
from peerhaven.sponsorship import emails
from peerhaven.sponsorship.models import Follow, LetterRequest, Nomination, Opportunity
from peerhaven.sponsorship.nominations import can_see

MAX_STATEMENT = 5_000
MAX_NOTE = 2_000

DEADLINE_PASSED = "The deadline for this opportunity has passed."
NO_SELF_NOMINATION = "This opportunity does not take self-nominations: ask a peer to nominate you."
# One message whether the address has no account or its owner cannot see the opportunity,
# so that nobody learns who has an account or who belongs to which circle or organization.
NOBODY_TO_NOMINATE = (
    "Nobody with that address can be nominated for this opportunity: they need a "
    "Peerhaven account and access to the opportunity."
)
NOBODY_TO_WRITE = (
    "Nobody with that address can be asked for a letter: they need a Peerhaven account."
)

# What a selected nomination becomes in the nominee's achievements.
ACHIEVEMENT_KINDS = {
    Opportunity.Kind.AWARD: Achievement.Kind.AWARD,
    Opportunity.Kind.PLENARY: Achievement.Kind.INVITED_TALK,
    Opportunity.Kind.GRAND_ROUNDS: Achievement.Kind.INVITED_TALK,
    Opportunity.Kind.EDITORIAL: Achievement.Kind.COMMITTEE,
    Opportunity.Kind.VISITING_PROFESSORSHIP: Achievement.Kind.VISITING_PROFESSORSHIP,
    Opportunity.Kind.LEADERSHIP: Achievement.Kind.LEADERSHIP,
    Opportunity.Kind.GRANT: Achievement.Kind.GRANT_AWARDED,
    Opportunity.Kind.OTHER: Achievement.Kind.AWARD,
}
# Once decided or withdrawn, a letter can no longer help.
LETTER_CLOSED_STATUSES = (
    Nomination.Status.WITHDRAWN,
    Nomination.Status.SELECTED,
    Nomination.Status.NOT_SELECTED,
)


class NominationError(Exception):
    """A rule refused the change; the message is shown to the person, nothing was saved."""


def _lock(nomination: Nomination) -> Nomination:
    """Locks the nomination's row and reloads what may have changed since it was read
    (its related people and opportunity stay as loaded, with their profiles)."""
    nomination.refresh_from_db(
        fields=["status", "response", "responded_at", "status_changed_at", "achievement"],
        from_queryset=Nomination.objects.select_for_update(),
    )
    return nomination


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# --- Nominating --------------------------------------------------------------------------


@transaction.atomic
def do_nominate(*, acting_user, opportunity: Opportunity, nominee, statement: str) -> Nomination:
    """``nominee`` is None when an address matched no account: the same refusal as for
    someone who cannot see the opportunity."""
    _refuse_nomination(acting_user, opportunity, nominee)
    is_self = nominee.pk == acting_user.pk
    nomination = _create_nomination(acting_user, opportunity, nominee, statement, is_self)
    # Following it brings the nominator the deadline reminder.
    Follow.objects.get_or_create(opportunity=opportunity, user=acting_user)
    if not is_self:
        emails.send_nomination_received(nomination)
    return nomination


def _refuse_nomination(acting_user, opportunity: Opportunity, nominee) -> None:
    if not opportunity.is_open:
        raise NominationError(DEADLINE_PASSED)
    if nominee is None:
        raise NominationError(NOBODY_TO_NOMINATE)
    is_self = nominee.pk == acting_user.pk
    if is_self and not opportunity.self_nomination_allowed:
        raise NominationError(NO_SELF_NOMINATION)
    if Nomination.objects.filter(
        opportunity=opportunity, nominee=nominee, nominator=acting_user
    ).exists():
        raise NominationError(already_nominated(nominee))
    if not is_self and not can_see(nominee, opportunity):
        raise NominationError(NOBODY_TO_NOMINATE)


def already_nominated(nominee) -> str:
    return f"You have already nominated {nominee.display_name} for this opportunity."


def _create_nomination(acting_user, opportunity, nominee, statement, is_self) -> Nomination:
    # A self-nomination needs nobody's agreement: it is accepted as it is made.
    response = Nomination.Response.ACCEPTED if is_self else Nomination.Response.PENDING
    try:
        with transaction.atomic():
            return Nomination.objects.create(
                opportunity=opportunity,
                nominee=nominee,
                nominator=acting_user,
                statement=statement,
                response=response,
                responded_at=timezone.now() if is_self else None,
            )
    except IntegrityError:
        # The same nomination, made a moment ago by a second click or another tab.
        raise NominationError(already_nominated(nominee)) from None


# --- The nominee's answer, the status, the statement --------------------------------------


@transaction.atomic
def do_respond(nomination: Nomination, *, accept: bool, acting_user) -> None:
    _require(acting_user.pk == nomination.nominee_id, "Only the nominee can answer.")
    _lock(nomination)
    if nomination.response != Nomination.Response.PENDING:
        raise NominationError(f"You have already {nomination.response} this nomination.")
    nomination.response = Nomination.Response.ACCEPTED if accept else Nomination.Response.DECLINED
    nomination.responded_at = timezone.now()
    nomination.save(update_fields=["response", "responded_at"])
    if accept:
        Follow.objects.get_or_create(opportunity=nomination.opportunity, user=acting_user)
        emails.send_nomination_accepted(nomination)
    # A decline tells nobody: the nomination simply disappears for the nominator.


@transaction.atomic
def do_set_status(nomination: Nomination, status: str, *, acting_user) -> None:
    _require(
        acting_user.pk in (nomination.nominee_id, nomination.nominator_id),
        "Only the nominee and the nominator can change the status.",
    )
    _lock(nomination)
    _refuse_status(nomination, status)
    nomination.status = status
    nomination.status_changed_at = timezone.now()
    nomination.save(update_fields=["status", "status_changed_at"])


def _refuse_status(nomination: Nomination, status: str) -> None:
    if nomination.response == Nomination.Response.PENDING:
        raise NominationError(waiting_for(nomination))
    if nomination.response == Nomination.Response.DECLINED:
        raise NominationError("This nomination was declined, so it goes no further.")
    if status not in nomination.next_statuses:
        current = nomination.get_status_display().lower()
        if not nomination.next_statuses:
            raise NominationError(f"This nomination is {current}: that is final.")
        raise NominationError(f"A nomination that is {current} cannot move to that status.")


def waiting_for(nomination: Nomination) -> str:
    return f"Waiting for {nomination.nominee.display_name} to accept."


@transaction.atomic
def do_edit_statement(nomination: Nomination, statement: str, *, acting_user) -> None:
    _require(acting_user.pk == nomination.nominator_id, "Only the nominator writes the statement.")
    _lock(nomination)
    reason = statement_closed_reason(nomination)
    if reason:
        raise NominationError(reason)
    nomination.statement = statement
    nomination.save(update_fields=["statement"])


def statement_closed_reason(nomination: Nomination) -> str:
    """Why the statement cannot change now, or "" when it can."""
    if nomination.status != Nomination.Status.DRAFT:
        status = nomination.get_status_display().lower()
        return f"This nomination is {status}: its statement can change only while a draft."
    return ""


# --- Supporting letters -------------------------------------------------------------------


def letters_closed_reason(nomination: Nomination) -> str:
    """Why no letter can be asked for now, or "" when one can."""
    if nomination.response != Nomination.Response.ACCEPTED:
        return "Letters can be asked for once the nominee has accepted the nomination."
    if nomination.status in LETTER_CLOSED_STATUSES:
        status = nomination.get_status_display().lower()
        return f"This nomination is {status}: no more letters can be asked for."
    return ""


@transaction.atomic
def do_request_letter(nomination: Nomination, *, writer, note: str, acting_user) -> LetterRequest:
    """``writer`` is None when an address matched no account."""
    _require(
        acting_user.pk in (nomination.nominee_id, nomination.nominator_id),
        "Only the nominee and the nominator can ask for letters.",
    )
    _lock(nomination)
    _refuse_letter(nomination, writer, acting_user)
    letter = _create_letter(nomination, writer, note, acting_user)
    emails.send_letter_requested(letter)
    return letter


def _refuse_letter(nomination: Nomination, writer, acting_user) -> None:
    reason = letters_closed_reason(nomination)
    if reason:
        raise NominationError(reason)
    if writer is None:
        raise NominationError(NOBODY_TO_WRITE)
    if writer.pk == nomination.nominee_id:
        raise NominationError("The nominee cannot write a letter for their own nomination.")
    if writer.pk == acting_user.pk:
        raise NominationError("Ask someone other than yourself for a letter.")
    if nomination.letter_requests.filter(writer=writer).exists():
        raise NominationError(already_asked(writer))


def already_asked(writer) -> str:
    return f"{writer.display_name} has already been asked for a letter."


def _create_letter(nomination, writer, note, acting_user) -> LetterRequest:
    try:
        with transaction.atomic():
            return LetterRequest.objects.create(
                nomination=nomination, writer=writer, requested_by=acting_user, note=note
            )
    except IntegrityError:
        raise NominationError(already_asked(writer)) from None


@transaction.atomic
def do_mark_letter_written(letter: LetterRequest, *, acting_user) -> bool:
    """True when this marked it; False when it was marked already (a second click), which
    sends nothing again."""
    _require(acting_user.pk == letter.writer_id, "Only the writer can mark a letter written.")
    letter.refresh_from_db(
        fields=["state", "done_at"], from_queryset=LetterRequest.objects.select_for_update()
    )
    if letter.state == LetterRequest.State.DONE:
        return False
    letter.state, letter.done_at = LetterRequest.State.DONE, timezone.now()
    letter.save(update_fields=["state", "done_at"])
    emails.send_letter_written(letter)
    return True


# --- Into the achievements ----------------------------------------------------------------


@transaction.atomic
def do_add_to_achievements(nomination: Nomination, *, acting_user) -> bool:
    """Adds the selected nomination to the nominee's achievements once. True when this
    added it; False when it was there already (a double submit adds nothing)."""
    _require(
        acting_user.pk == nomination.nominee_id,
        "Only the nominee can add it to their achievements.",
    )
    _lock(nomination)
    if nomination.achievement_id is not None:
        return False
    if nomination.status != Nomination.Status.SELECTED:
        raise NominationError("Only a selected nomination can be added to your achievements.")
    nomination.achievement = do_save_achievement(
        _achievement_for(nomination), acting_user=acting_user
    )
    nomination.save(update_fields=["achievement"])
    return True


def _achievement_for(nomination: Nomination) -> Achievement:
    opportunity = nomination.opportunity
    title_field = Achievement._meta.get_field("title")
    venue_field = Achievement._meta.get_field("venue")
    return Achievement(
        user=nomination.nominee,
        source=Achievement.Source.NOMINATION,
        kind=ACHIEVEMENT_KINDS.get(opportunity.kind, Achievement.Kind.AWARD),
        title=opportunity.title[: title_field.max_length],
        venue=opportunity.offered_by[: venue_field.max_length],
        # The day it was marked selected, in the site's time zone.
        date=timezone.localdate(nomination.status_changed_at),
    )
