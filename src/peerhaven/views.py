"""The pages that bring several apps together: the landing page and each member's home."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from peerhaven.accounts.actions import profile_of
from peerhaven.accounts.models import SelfDescription
from peerhaven.circles.summary import my_circles_summary
from peerhaven.communities.feeds import followed_threads
from peerhaven.orgs.models import StaffRole
from peerhaven.outcomes.surveys import survey_prompts
from peerhaven.sponsorship.nominations import waiting_on


@login_not_required
def home(request):
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    return dashboard(request)


def dashboard(request):
    user = request.user
    context = {
        "profile": profile_of(user),
        "staff_roles": StaffRole.objects.of(user).select_related("organization"),
        "mfa_enabled": is_mfa_enabled(user),
        "self_descriptions": SelfDescription.objects.filter(user=user).count(),
        "circles": my_circles_summary(user),
        # One query: open surveys the member has not answered, with their question counts.
        "open_surveys": survey_prompts(user),
        # One query: nominations to answer and letters to write.
        "sponsorship": waiting_on(user),
        "community_threads": followed_threads(user)
        .select_related("community")
        .order_by("-last_activity_at")[:3],
    }
    return render(request, "dashboard.html", context)
