from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from peerhaven.accounts.models import SelfDescription
from peerhaven.lib import crypto

pytestmark = pytest.mark.django_db


def stored_token() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM accounts_selfdescription")
        return cursor.fetchone()[0]


def test_round_trip_and_no_plaintext_in_the_token(settings):
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    token = crypto.encrypt("caregiver for both children and parents")
    assert "caregiver" not in token
    assert crypto.decrypt(token) == "caregiver for both children and parents"


def test_a_wrong_key_fails_loudly_instead_of_returning_garbage(settings):
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    token = crypto.encrypt("secret")
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ValueError, match="cannot be decrypted"):
        crypto.decrypt(token)


def test_key_rotation_keeps_old_values_readable_and_rewrites_them(settings, alice):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old_key]
    SelfDescription.objects.create(user=alice, attribute="gender", value="woman")
    before = stored_token()

    settings.ENCRYPTION_KEYS = [new_key, old_key]
    assert SelfDescription.objects.get().value == "woman"  # old key still reads
    call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    after = stored_token()
    assert after != before

    settings.ENCRYPTION_KEYS = [new_key]  # old key retired
    assert SelfDescription.objects.get().value == "woman"
    assert Fernet(new_key.encode()).decrypt(after.encode()) == b"woman"


def test_encrypted_columns_refuse_lookups_that_could_never_match(alice):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError, match="encrypted and cannot be filtered"):
        SelfDescription.objects.filter(value="woman").exists()
    assert not SelfDescription.objects.filter(value__isnull=True).exists()
