"""Encryption at rest for confidential text (sensitive self-description, circle content).

Keys come from settings.ENCRYPTION_KEYS, newest first: new values are written with the first
key and every listed key can still read, which is what key rotation needs
(``manage.py rotate_encryption_keys`` re-encrypts stored values with the newest key).
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models


@cache
def _fernet_for(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        derived = hashlib.sha256(f"peerhaven-encryption:{secret_key}".encode()).digest()
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("stored value cannot be decrypted with the configured keys") from None


def reencrypt(token: str) -> str:
    return fernet().rotate(token.encode()).decode()


class Token(str):
    """A value that is already encrypted (key rotation writes these): stored as it is."""


class EncryptedTextField(models.TextField):
    """A text column stored as a Fernet token; Python code only ever sees the plaintext.

    Encrypted values cannot be searched or ordered in the database, by design: a lookup
    such as ``body=""`` would compare against a fresh random token and silently match
    nothing, so every lookup but ``isnull`` is refused."""

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted and cannot be filtered with "
                f"'{lookup_name}'; keep a separate plain column for what must be queried."
            )
        return super().get_lookup(lookup_name)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        if value is None or isinstance(value, Token):
            return value
        return encrypt(super().get_prep_value(value))
