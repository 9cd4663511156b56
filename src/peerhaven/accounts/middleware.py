from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from peerhaven.orgs.models import holds_any_role

# Pages a staff person without a second factor may still reach: setting one up, signing out.
MFA_SETUP_PATH_NAMES = (
    "mfa_activate_totp",
    "mfa_index",
    "mfa_reauthenticate",
    "account_logout",
    "account_reauthenticate",
)


class RequireMultiFactorMiddleware:
    """People in one of settings.MFA_REQUIRED_ROLES must set up a second factor before they
    can use any other page (by default in production: site admins and organization staff,
    whose accounts reach other people's data)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_set_up_mfa(request):
            messages.info(request, "Your role needs two-factor authentication. Set it up to go on.")
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _must_set_up_mfa(self, request) -> bool:
        if not settings.MFA_REQUIRED_ROLES or not request.user.is_authenticated:
            return False
        allowed = [reverse(name) for name in MFA_SETUP_PATH_NAMES]
        if request.path in allowed or request.path.startswith(settings.STATIC_URL):
            return False
        required = holds_any_role(request.user, settings.MFA_REQUIRED_ROLES)
        return required and not is_mfa_enabled(request.user)
