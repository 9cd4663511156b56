from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from peerhaven.accounts import actions, availability
from peerhaven.accounts.forms import (
    AvailabilityForm,
    ProfileForm,
    SelfDescriptionForm,
    SensitiveConsentForm,
    SeparationForm,
)
from peerhaven.accounts.models import SensitiveConsent
from peerhaven.lib.requests import posted, safe_next


def profile_edit(request):
    profile = actions.profile_of(request.user)
    form = ProfileForm(posted(request), instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        # First time through, availability comes next; it is what matching needs most.
        return redirect(
            "accounts:availability" if not profile.availability else "accounts:profile_edit"
        )
    context = {
        "form": form,
        "profile": profile,
        "separation_form": SeparationForm(owner=request.user),
        "separations": request.user.separations.all(),
    }
    return render(request, "accounts/profile_edit.html", context)


def availability_edit(request):
    profile = actions.profile_of(request.user)
    form = AvailabilityForm(posted(request), initial={"slots": profile.availability})
    if request.method == "POST" and form.is_valid():
        profile.availability = sorted(set(form.cleaned_data["slots"]))
        profile.save(update_fields=["availability", "updated_at"])
        messages.success(request, "Availability saved.")
        return redirect(safe_next(request) or "dashboard")
    selected = (
        set(form.cleaned_data["slots"])
        if form.is_bound and form.is_valid()
        else set(profile.availability)
    )
    return render(
        request,
        "accounts/availability.html",
        {
            "form": form,
            "profile": profile,
            "grid": _availability_grid(selected),
            "next": safe_next(request),
        },
    )


def _availability_grid(selected: set[int]) -> list[dict]:
    return [
        {
            "time": availability.slot_time(row),
            "on_the_hour": row % 2 == 0,
            "cells": [
                {"index": index, "day": day, "checked": index in selected}
                for day, index in (
                    (day, availability.slot_index(d, row))
                    for d, day in enumerate(availability.DAYS)
                )
            ],
        }
        for row in range(availability.SLOTS_PER_DAY)
    ]


@require_POST
def separation_add(request):
    form = SeparationForm(request.POST, owner=request.user)
    if form.is_valid():
        form.save()
        form = SeparationForm(owner=request.user)
    return _render_separations(request, form)


@require_POST
def separation_remove(request, pk):
    get_object_or_404(request.user.separations, pk=pk).delete()
    return _render_separations(request, SeparationForm(owner=request.user))


def _render_separations(request, form):
    if not request.htmx:
        if form.errors:
            messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
        return redirect("accounts:profile_edit")
    context = {"separation_form": form, "separations": request.user.separations.all()}
    return render(request, "accounts/profile_edit.html#separations", context)


def private_profile(request):
    if not SensitiveConsent.objects.filter(user=request.user).exists():
        return _consent_screen(request)
    form = SelfDescriptionForm(posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        actions.do_save_self_descriptions(request.user, form.answers())
        messages.success(request, "Saved. Only the people you chose can see these answers.")
        return redirect("accounts:private_profile")
    return render(request, "accounts/private_profile.html", {"form": form})


def _consent_screen(request):
    form = SensitiveConsentForm(posted(request))
    if request.method == "POST" and form.is_valid():
        actions.do_give_sensitive_consent(request.user)
        return redirect("accounts:private_profile")
    return render(request, "accounts/private_consent.html", {"form": form})


@require_POST
def private_profile_withdraw(request):
    actions.do_withdraw_sensitive_consent(request.user)
    messages.success(request, "Consent withdrawn. Your answers have been deleted.")
    return redirect("dashboard")
