from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.urls import reverse

from peerhaven.accounts.actions import profile_of
from peerhaven.lib import crypto


class AccountAdapter(DefaultAccountAdapter):
    def unstash_verified_email(self, request):
        """An invitation link proves its holder reads the invited mailbox, so signing up
        with that address needs no second e-mail. Signing up with any other address gets
        nothing from the link: a forwarded invitation must not hand its address to whoever
        received it (allauth would otherwise add it, verified, to the new account)."""
        stashed = super().unstash_verified_email(request)
        typed = request.POST.get("email", "")
        if stashed and typed.strip().lower() == stashed.lower():
            return stashed
        return None

    def get_login_redirect_url(self, request):
        # Someone who has not finished their profile cannot be matched: send them there first.
        if not profile_of(request.user).is_complete:
            return reverse("accounts:profile_edit")
        return super().get_login_redirect_url(request)


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are encrypted at rest with Peerhaven's keys
    (allauth stores them as given otherwise), so the admin or a dump cannot replay them."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)
