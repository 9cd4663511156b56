"""Writes that span several rows. Views call these; each runs in one transaction."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from peerhaven.accounts.models import Profile, SelfDescription, SensitiveConsent, User


def profile_of(user) -> Profile:
    """The user's profile, created on first use (the same instance as ``user.profile``, so a
    page reads it once)."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        user.profile = Profile.objects.create(user=user, display_name=user.email.split("@")[0])
        return user.profile


@transaction.atomic
def do_create_member(email: str, password: str | None, **profile_fields) -> User:
    """A member with a verified address and a profile, as sign-up plus verification would
    leave them (used by demo data and tests; real people sign up through allauth)."""
    user = User.objects.create_user(email=email, password=password)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    Profile.objects.create(user=user, **profile_fields)
    return user


@transaction.atomic
def do_give_sensitive_consent(user) -> SensitiveConsent:
    consent, _ = SensitiveConsent.objects.get_or_create(user=user)
    return consent


@transaction.atomic
def do_save_self_descriptions(user, answers: dict[str, dict]) -> None:
    if not SensitiveConsent.objects.filter(user=user).exists():
        raise PermissionError("Sensitive self-description needs the member's consent first.")
    for attribute, answer in answers.items():
        if not answer["value"]:
            SelfDescription.objects.filter(user=user, attribute=attribute).delete()
            continue
        SelfDescription.objects.update_or_create(user=user, attribute=attribute, defaults=answer)


@transaction.atomic
def do_withdraw_sensitive_consent(user) -> int:
    """Withdrawing consent deletes the data itself, not just a flag."""
    deleted, _ = SelfDescription.objects.filter(user=user).delete()
    SensitiveConsent.objects.filter(user=user).delete()
    return deleted
