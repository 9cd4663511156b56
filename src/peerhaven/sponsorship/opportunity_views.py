"""The opportunities board: the list with its filters, posting and editing, the detail
page, deleting and following. Every opportunity is reached through ``access``: outsiders
get 404, viewers who may not change it get 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from peerhaven.lib.requests import posted, safe_next
from peerhaven.sponsorship import access
from peerhaven.sponsorship.board import (
    PAGE_SIZE,
    PAST,
    board_opportunities,
    deadline_note,
)
from peerhaven.sponsorship.models import Follow, Nomination
from peerhaven.sponsorship.opportunity_actions import (
    OpportunityError,
    do_delete_opportunity,
    do_follow,
    do_post_opportunity,
    do_unfollow,
    do_update_opportunity,
)
from peerhaven.sponsorship.opportunity_forms import BoardFilterForm, OpportunityForm


def board(request):
    today = timezone.localdate()
    form, filters = BoardFilterForm.checked(request.GET)
    rows = board_opportunities(request.user, today=today, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for opportunity in page:
        opportunity.closes = deadline_note(opportunity.deadline, today)
    context = {
        "page": page,
        "form": form,
        "filtered": set(request.GET) - {"page"},
        "past": filters["deadline"] == PAST,
        "equity_organizations": access.equity_organizations(request.user),
    }
    return render(request, "sponsorship/board.html", context)


def opportunity_new(request):
    form = OpportunityForm(posted(request), user=request.user)
    if form.is_valid() and _saved(request, form, do_post_opportunity):
        messages.success(request, f"Posted “{form.instance.title}”.")
        return redirect("sponsorship:opportunity", form.instance.pk)
    return render(request, "sponsorship/opportunity_form.html", {"form": form})


def opportunity_edit(request, opportunity_id):
    opportunity = access.get_opportunity_to_edit(request.user, opportunity_id)
    form = OpportunityForm(posted(request), instance=opportunity, user=request.user)
    if form.is_valid() and _saved(request, form, do_update_opportunity):
        messages.success(request, f"Saved “{opportunity.title}”.")
        return redirect("sponsorship:opportunity", opportunity.pk)
    context = {"form": form, "opportunity": opportunity}
    return render(request, "sponsorship/opportunity_form.html", context)


def _saved(request, form, action) -> bool:
    try:
        action(
            form.save(commit=False),
            audience_key=form.cleaned_data["audience"],
            on_behalf=form.cleaned_data.get("on_behalf"),
            acting_user=request.user,
        )
    except OpportunityError as error:
        form.add_error("audience", str(error))
        return False
    return True


def opportunity_detail(request, opportunity_id):
    opportunity = access.get_opportunity_for_user(request.user, opportunity_id)
    nominations = (
        Nomination.objects.visible_to(request.user)
        .filter(opportunity=opportunity)
        .select_related("nominee__profile", "nominator__profile")
    )
    context = {
        "opportunity": opportunity,
        "closes": deadline_note(opportunity.deadline, timezone.localdate()),
        "following": Follow.objects.filter(opportunity=opportunity, user=request.user).exists(),
        "nominations": nominations,
        "can_edit": access.can_edit_opportunity(request.user, opportunity),
    }
    return render(request, "sponsorship/opportunity.html", context)


@require_POST
def opportunity_delete(request, opportunity_id):
    opportunity = access.get_opportunity_to_edit(request.user, opportunity_id)
    try:
        do_delete_opportunity(opportunity, acting_user=request.user)
    except OpportunityError as error:
        messages.error(request, str(error))
        return redirect("sponsorship:opportunity", opportunity.pk)
    messages.success(request, f"Deleted “{opportunity.title}”.")
    return redirect("sponsorship:board")


@require_POST
def opportunity_follow(request, opportunity_id):
    """Follow or unfollow. The button says which (``state=on`` or ``off``), so a double
    submit leaves it as asked instead of flipping it back; without it, it toggles."""
    opportunity = access.get_opportunity_for_user(request.user, opportunity_id)
    state = request.POST.get("state")
    if state not in ("on", "off"):
        following = Follow.objects.filter(opportunity=opportunity, user=request.user).exists()
        state = "off" if following else "on"
    if state == "on":
        do_follow(opportunity, acting_user=request.user)
        messages.success(request, "Following: you will get a reminder a week before it closes.")
    else:
        do_unfollow(opportunity, acting_user=request.user)
        messages.success(request, "You no longer follow it.")
    return redirect(safe_next(request) or reverse("sponsorship:opportunity", args=[opportunity.pk]))
