from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from peerhaven.accounts.actions import profile_of


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        # Someone who has not finished their profile cannot be matched: send them there first.
        if not profile_of(request.user).is_complete:
            return reverse("accounts:profile_edit")
        return super().get_login_redirect_url(request)
