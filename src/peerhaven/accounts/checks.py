from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_encryption_keys(app_configs, **kwargs):
    if settings.ENCRYPTION_KEYS:
        return []
    return [
        Warning(
            "PEERHAVEN_ENCRYPTION_KEYS is not set, so confidential content is encrypted with a "
            "key derived from SECRET_KEY.",
            hint="Generate one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'` and set PEERHAVEN_ENCRYPTION_KEYS.",
            id="peerhaven.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_pseudonym_key(app_configs, **kwargs):
    if settings.PSEUDONYM_KEY:
        return []
    return [
        Warning(
            "PEERHAVEN_PSEUDONYM_KEY is not set, so survey pseudonyms are keyed from SECRET_KEY "
            "and changing SECRET_KEY would unlink every survey wave.",
            hint="Set PEERHAVEN_PSEUDONYM_KEY to a long random string once, and keep it.",
            id="peerhaven.W002",
        )
    ]
