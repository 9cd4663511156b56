"""Nominations: nominating a peer, the nominee's answer, the status, the statement, letters,
the achievement, and a member's own list. Every object comes through ``access``: a
nomination is its nominee's and nominator's business, a letter request its writer's."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from peerhaven.lib.requests import posted
from peerhaven.sponsorship import access, nominations
from peerhaven.sponsorship.nomination_actions import (
    DEADLINE_PASSED,
    NominationError,
    do_add_to_achievements,
    do_edit_statement,
    do_mark_letter_written,
    do_nominate,
    do_request_letter,
    do_respond,
    do_set_status,
    letters_closed_reason,
    statement_closed_reason,
    waiting_for,
)
from peerhaven.sponsorship.nomination_forms import (
    LetterRequestForm,
    NominateForm,
    StatementForm,
)
from peerhaven.sponsorship.nominations import (
    circle_peers,
    letter_requests_of,
    shown_title,
    visible_opportunity_ids,
    who_can_see,
)


def _to_nomination(nomination):
    return redirect("sponsorship:nomination", nomination_id=nomination.pk)


# --- Nominating --------------------------------------------------------------------------


def nominate(request, opportunity_id):
    opportunity = access.get_opportunity_for_user(request.user, opportunity_id)
    if not opportunity.is_open:
        # The page says so in place of the form, whether it was opened or posted to.
        context = {"opportunity": opportunity, "closed": DEADLINE_PASSED}
        return render(request, "sponsorship/nominations/nominate.html", context)
    form = NominateForm(
        posted(request),
        user=request.user,
        peers=_nominable_peers(request.user, opportunity),
        offer_self=opportunity.self_nomination_allowed,
    )
    if form.is_valid():
        try:
            nomination = do_nominate(
                acting_user=request.user,
                opportunity=opportunity,
                nominee=form.cleaned_data["person"],
                statement=form.cleaned_data["statement"],
            )
        except NominationError as error:
            form.add_error(form.person_error_field, str(error))
        else:
            messages.success(request, _nominated_message(nomination))
            return _to_nomination(nomination)
    context = {"opportunity": opportunity, "form": form}
    return render(request, "sponsorship/nominations/nominate.html", context)


def _nominable_peers(user, opportunity) -> list:
    """Circle peers who can see the opportunity: nobody is offered someone they could not
    nominate, and the list shows nothing of who belongs where beyond the user's circles."""
    peers = list(circle_peers(user))
    seeing = who_can_see(opportunity, peers)
    return [peer for peer in peers if peer.pk in seeing]


def _nominated_message(nomination) -> str:
    if nomination.is_self_nomination:
        return "You nominated yourself. Ask peers for supporting letters from this page."
    name = nomination.nominee.display_name
    return f"You nominated {name}. We told them; nothing goes further until they accept."


# --- One nomination ----------------------------------------------------------------------


def nomination(request, nomination_id):
    nomination = access.get_nomination_for_user(request.user, nomination_id)
    user = request.user
    visible = visible_opportunity_ids(user, [nomination.opportunity])
    context = {
        "nomination": nomination,
        "title": shown_title(nomination.opportunity, visible),
        "can_open_opportunity": nomination.opportunity_id in visible,
        "is_nominee": user.pk == nomination.nominee_id,
        "is_nominator": user.pk == nomination.nominator_id,
        "next_statuses": [(s, nomination.Status(s).label) for s in nomination.next_statuses],
        "waiting": waiting_for(nomination),
        "letters": letter_requests_of(nomination),
        "letters_closed": letters_closed_reason(nomination),
    }
    return render(request, "sponsorship/nominations/detail.html", context)


def nomination_statement(request, nomination_id):
    nomination = access.get_nomination_for_user(request.user, nomination_id)
    if request.user.pk != nomination.nominator_id:
        raise PermissionDenied("Only the nominator writes the statement.")
    closed = statement_closed_reason(nomination)
    form = StatementForm(posted(request), initial={"statement": nomination.statement})
    if not closed and form.is_valid():
        try:
            do_edit_statement(nomination, form.cleaned_data["statement"], acting_user=request.user)
        except NominationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Saved your statement.")
        return _to_nomination(nomination)
    context = {"nomination": nomination, "form": form, "closed": closed}
    return render(request, "sponsorship/nominations/statement.html", context)


@require_POST
def nomination_respond(request, nomination_id):
    nomination = access.get_nomination_for_user(request.user, nomination_id)
    if request.user.pk != nomination.nominee_id:
        raise PermissionDenied("Only the nominee can answer.")
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        messages.error(request, "Choose Accept or Decline.")
        return _to_nomination(nomination)
    try:
        do_respond(nomination, accept=answer == "accept", acting_user=request.user)
    except NominationError as error:
        messages.error(request, str(error))
        return _to_nomination(nomination)
    messages.success(request, _answered_message(nomination, answer))
    if answer == "decline":
        return redirect("sponsorship:nominations")
    return _to_nomination(nomination)


def _answered_message(nomination, answer: str) -> str:
    name = nomination.nominator.display_name
    if answer == "accept":
        return f"You accepted. {name} can now submit the nomination; ask for letters here."
    return f"You declined. {name} no longer sees this nomination, and nobody was told."


@require_POST
def nomination_status(request, nomination_id):
    nomination = access.get_nomination_for_user(request.user, nomination_id)
    status = request.POST.get("status", "")
    try:
        do_set_status(nomination, status, acting_user=request.user)
    except NominationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The nomination is now {nomination.get_status_display()}.")
    return _to_nomination(nomination)


# --- Letters -----------------------------------------------------------------------------


def letter_request(request, nomination_id):
    nomination = access.get_nomination_for_user(request.user, nomination_id)
    closed = letters_closed_reason(nomination)
    if closed:
        if request.method == "POST":
            messages.error(request, closed)
            return _to_nomination(nomination)
        context = {"nomination": nomination, "closed": closed}
        return render(request, "sponsorship/nominations/letter_request.html", context)
    peers = [p for p in circle_peers(request.user) if p.pk != nomination.nominee_id]
    form = LetterRequestForm(posted(request), user=request.user, peers=peers)
    if form.is_valid():
        try:
            letter = do_request_letter(
                nomination,
                writer=form.cleaned_data["person"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except NominationError as error:
            form.add_error(form.person_error_field, str(error))
        else:
            messages.success(request, f"Asked {letter.writer.display_name} for a letter.")
            return _to_nomination(nomination)
    context = {"nomination": nomination, "form": form}
    return render(request, "sponsorship/nominations/letter_request.html", context)


@require_POST
def letter_done(request, letter_id):
    letter = access.get_letter_request_for_writer(request.user, letter_id)
    if do_mark_letter_written(letter, acting_user=request.user):
        name = letter.requested_by.display_name
        messages.success(request, f"Marked as written. We told {name}.")
    else:
        messages.info(request, "It is marked as written already.")
    return redirect("sponsorship:nominations")


# --- Into the achievements ----------------------------------------------------------------


@require_POST
def nomination_achievement(request, nomination_id):
    nomination = access.get_nomination_for_user(request.user, nomination_id)
    if request.user.pk != nomination.nominee_id:
        raise PermissionDenied("Only the nominee can add it to their achievements.")
    try:
        added = do_add_to_achievements(nomination, acting_user=request.user)
    except NominationError as error:
        messages.error(request, str(error))
        return _to_nomination(nomination)
    if added:
        messages.success(request, "Added to your achievements.")
    else:
        messages.info(request, "It is in your achievements already.")
    return redirect("outcomes:achievements")


# --- Your nominations --------------------------------------------------------------------


def my_nominations(request):
    context = {"page": nominations.my_nominations(request.user)}
    return render(request, "sponsorship/nominations/list.html", context)
