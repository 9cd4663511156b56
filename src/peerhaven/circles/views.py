"""Circle pages: the list, starting one, the circle's home, charter, members and settings.
Meetings, asks and the calendar are in ``meeting_views.py``."""

from __future__ import annotations

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from peerhaven.circles import actions, meeting_actions
from peerhaven.circles.access import circle_view, listed_circle_or_404
from peerhaven.circles.actions import CircleError
from peerhaven.circles.forms import (
    CharterForm,
    CircleForm,
    CircleSettingsForm,
    InviteForm,
    JoinRequestForm,
    MessageForm,
    NotifyForm,
)
from peerhaven.circles.models import Admission, Circle, Invitation
from peerhaven.lib.requests import posted, posted_id


def circle_list(request):
    member_of = Circle.objects.with_member(request.user)
    mine = member_of.exclude(state=Circle.State.CLOSED)
    open_circles = Circle.objects.open_to_requests().exclude(pk__in=mine.values("pk"))
    context = {
        "circles": mine.with_member_count(),
        # Closed circles stay readable to their last members until the retention ends.
        "closed_circles": member_of.filter(state=Circle.State.CLOSED),
        "open_circles": open_circles[:20],
        "invitations": Invitation.objects.filter(
            email__in=EmailAddress.objects.filter(user=request.user, verified=True).values("email"),
            state=Invitation.State.PENDING,
            expires_at__gt=timezone.now(),
        ).select_related("circle", "invited_by__profile"),
    }
    return render(request, "circles/list.html", context)


def circle_create(request):
    form = CircleForm(posted(request))
    if form.is_valid():
        circle = actions.do_start_circle(acting_user=request.user, **form.cleaned_data)
        messages.success(request, "Your circle is started. Next: when and where you meet.")
        return redirect("circles:schedule", circle_id=circle.pk)
    return render(request, "circles/create.html", {"form": form})


@circle_view()
def circle_detail(request, membership):
    circle = membership.circle
    meeting = meeting_actions.next_meeting(circle)
    agenda = meeting.agenda.select_related("ask__author__profile") if meeting else []
    context = {
        "circle": circle,
        "membership": membership,
        "meeting": meeting,
        "agenda": agenda,
        "my_asks": circle.asks.filter(author=request.user, presented_at__isnull=True),
        "awaiting_report": meeting_actions.asks_awaiting_report(membership)[:3],
        "recent_messages": circle.messages.filter(parent__isnull=True)
        .select_related("author__profile")
        .order_by("-created_at")[:3],
        "members": circle.active_memberships().select_related("user__profile"),
        "my_rate": meeting_actions.attendance_rate(circle, request.user),
        "circle_rate": meeting_actions.attendance_rate(circle),
        "past_meetings": circle.meetings.past().held()[:5],
    }
    return render(request, "circles/detail.html", context)


@circle_view(content=False)
def charter(request, membership):
    version = membership.circle.current_charter()
    if request.method == "POST":
        actions.do_agree_to_charter(membership)
        messages.success(request, "Thank you. Welcome to the circle.")
        return redirect("circles:detail", circle_id=membership.circle_id)
    agreed = version.agreements.select_related("user__profile").order_by("agreed_at")
    context = {
        "circle": membership.circle,
        "membership": membership,
        "version": version,
        "agreements": agreed,
        "has_agreed": any(a.user_id == request.user.pk for a in agreed),
    }
    return render(request, "circles/charter.html", context)


@circle_view()
def charter_edit(request, membership):
    circle = membership.circle
    form = CharterForm(posted(request), initial={"rules": circle.current_charter().rules})
    if form.is_valid():
        version = actions.do_edit_charter(
            circle, form.cleaned_data["rules"], acting_user=request.user
        )
        messages.success(
            request, f"Charter version {version.number} saved. Every member will be asked to agree."
        )
        return redirect("circles:charter", circle_id=circle.pk)
    context = {"circle": circle, "membership": membership, "form": form}
    return render(request, "circles/charter_edit.html", context)


@circle_view()
def members(request, membership, invite_form=None):
    circle = membership.circle
    admissions = circle.admissions.filter(state=Admission.State.VOTING).prefetch_related("votes")
    context = {
        "circle": circle,
        "membership": membership,
        "members": circle.active_memberships().select_related("user__profile"),
        "invitations": circle.open_invitations(),
        "admissions": [(a, _vote_of(a, request.user)) for a in admissions],
        "invite_form": invite_form or InviteForm(),
        "notify_form": NotifyForm(instance=membership),
    }
    return render(request, "circles/members.html", context)


def _vote_of(admission, user):
    return next((v.approve for v in admission.votes.all() if v.voter_id == user.pk), None)


@require_POST
@circle_view()
def invite(request, membership):
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            result = actions.do_invite(
                membership.circle, form.cleaned_data["email"], acting_user=request.user
            )
        except CircleError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, _invite_outcome(result))
            return redirect("circles:members", circle_id=membership.circle_id)
    return members(request, membership.circle_id, invite_form=form)


def _invite_outcome(result) -> str:
    if isinstance(result, Admission) and result.state == Admission.State.VOTING:
        return "Proposed. The invitation goes out once the members agree."
    return "Invitation sent."


@require_POST
@circle_view(convener=True)
def invitation_revoke(request, membership, invitation_id):
    invitation = get_object_or_404(membership.circle.invitations, pk=invitation_id)
    actions.do_revoke_invitation(invitation, acting_user=request.user)
    messages.success(request, "Invitation withdrawn.")
    return redirect("circles:members", circle_id=membership.circle_id)


@require_POST
@circle_view()
def vote(request, membership, admission_id):
    admission = get_object_or_404(membership.circle.admissions, pk=admission_id)
    try:
        actions.do_vote(
            admission, acting_user=request.user, approve=request.POST.get("approve") == "yes"
        )
    except CircleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your vote is recorded.")
    return redirect("circles:members", circle_id=membership.circle_id)


@require_POST
@circle_view(content=False)
def leave(request, membership):
    actions.do_leave(membership)
    messages.success(request, f"You have left {membership.circle.name}.")
    return redirect("circles:list")


@require_POST
@circle_view(convener=True)
def transfer_convener(request, membership):
    successor = get_object_or_404(
        membership.circle.active_memberships(), user_id=posted_id(request, "user_id")
    )
    actions.do_transfer_convener(membership.circle, successor.user, acting_user=request.user)
    messages.success(request, f"{successor.user.display_name} now convenes the circle.")
    return redirect("circles:members", circle_id=membership.circle_id)


@require_POST
@circle_view()
def notification_preference(request, membership):
    form = NotifyForm(request.POST, instance=membership)
    if form.is_valid():
        form.save()
        messages.success(request, "Saved.")
    return redirect("circles:members", circle_id=membership.circle_id)


@circle_view(convener=True)
def circle_settings(request, membership):
    circle = membership.circle
    form = CircleSettingsForm(posted(request), instance=Circle.objects.get(pk=circle.pk))
    if form.is_valid():
        try:
            actions.do_set_size_cap(circle, form.cleaned_data["size_cap"], acting_user=request.user)
        except CircleError as error:
            form.add_error("size_cap", str(error))
        else:
            form.save()
            messages.success(request, "Settings saved.")
            return redirect("circles:detail", circle_id=circle.pk)
    context = {"circle": circle, "membership": membership, "form": form}
    return render(request, "circles/settings.html", context)


@require_POST
@circle_view(convener=True)
def change_state(request, membership):
    state = request.POST.get("state")
    if state not in (Circle.State.ACTIVE, Circle.State.PAUSED, Circle.State.CLOSED):
        messages.error(request, "That is not a state a circle can be put in.")
    else:
        try:
            meeting_actions.do_change_state(membership.circle, state, acting_user=request.user)
        except CircleError as error:
            messages.error(request, str(error))
    return redirect("circles:detail", circle_id=membership.circle_id)


@circle_view()
def thread(request, membership):
    circle = membership.circle
    form = MessageForm(posted(request))
    if form.is_valid():
        parent = circle.messages.filter(pk=posted_id(request, "parent")).first()
        try:
            actions.do_post_message(membership, form.cleaned_data["body"], parent=parent)
        except CircleError as error:
            form.add_error(None, str(error))
        else:
            return redirect("circles:thread", circle_id=circle.pk)
    context = {
        "circle": circle,
        "membership": membership,
        "form": form,
        "threads": circle.messages.filter(parent__isnull=True)
        .select_related("author__profile")
        .prefetch_related("replies__author__profile"),
    }
    return render(request, "circles/thread.html", context)


def join(request, circle_id):
    """A listed circle's public face, and the request to join it."""
    circle = listed_circle_or_404(circle_id)
    form = JoinRequestForm(posted(request))
    if form.is_valid():
        try:
            actions.do_request_to_join(
                circle, acting_user=request.user, note=form.cleaned_data["note"]
            )
        except CircleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Request sent. The members will decide together.")
            return redirect("circles:list")
    context = {"circle": circle, "form": form, "size": circle.active_memberships().count()}
    return render(request, "circles/join.html", context)


@login_not_required
def invitation(request, token):
    """The page an invitation e-mail links to. Anyone with the link sees the circle's name
    and who invited them; accepting needs an account with the invited address."""
    found = actions.find_invitation(token)
    try:
        found = actions.check_invitation(found)
    except CircleError as error:
        return render(request, "circles/invitation.html", {"error": str(error)}, status=410)
    if request.method == "POST" and request.user.is_authenticated:
        return _answer_invitation(request, token, found)
    if not request.user.is_authenticated:
        # The link proves the invitee reads this mailbox: signing up with it needs no
        # second verification e-mail (allauth's documented invitation path).
        get_account_adapter().stash_verified_email(request, found.email)
    context = {"invitation": found, "circle": found.circle}
    return render(request, "circles/invitation.html", context)


@require_POST
def invitation_accept_own(request, invitation_id):
    try:
        membership = actions.do_accept_own_invitation(invitation_id, acting_user=request.user)
    except CircleError as error:
        messages.error(request, str(error))
        return redirect("circles:list")
    return redirect("circles:charter", circle_id=membership.circle_id)


def _answer_invitation(request, token, found):
    if request.POST.get("answer") == "decline":
        actions.do_decline_invitation(token)
        messages.info(request, "You declined the invitation.")
        return redirect("dashboard")
    try:
        actions.do_accept_invitation(token, acting_user=request.user)
    except CircleError as error:
        context = {"invitation": found, "circle": found.circle, "error": str(error)}
        return render(request, "circles/invitation.html", context, status=409)
    return redirect("circles:charter", circle_id=found.circle_id)
