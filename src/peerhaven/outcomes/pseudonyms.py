"""Pseudonyms: stable, meaningless identifiers for one member within one program.

A member's survey responses in every wave of a program carry the same pseudonym, so
pre/post changes can be paired, while nothing stored names them. The pseudonym is an HMAC
of the program and the member under a key kept outside the database: someone with a
database dump cannot link a response to a person, and a program's pseudonyms cannot be
joined with another program's."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

PSEUDONYM_LENGTH = 16


def _key() -> bytes:
    if settings.PSEUDONYM_KEY:
        return settings.PSEUDONYM_KEY.encode()
    return hashlib.sha256(f"peerhaven-pseudonym:{settings.SECRET_KEY}".encode()).digest()


def pseudonym(program_id: int, user_id: int) -> str:
    message = f"{program_id}:{user_id}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]
