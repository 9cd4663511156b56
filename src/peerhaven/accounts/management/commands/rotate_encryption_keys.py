"""Re-encrypt every encrypted column with the newest key in PEERHAVEN_ENCRYPTION_KEYS.

Rotation: put the new key first (keep the old one after it), deploy, run this command,
then drop the old key."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models.functions import Cast

from peerhaven.lib.crypto import EncryptedTextField, Token, reencrypt


class Command(BaseCommand):
    help = "Re-encrypt stored confidential content with the newest encryption key."

    def handle(self, *args, **options):
        for model, field in encrypted_fields():
            count = rotate_column(model, field)
            self.stdout.write(f"{model._meta.label}.{field.name}: {count} values re-encrypted")


def encrypted_fields():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


@transaction.atomic
def rotate_column(model, field) -> int:
    """Works on the stored tokens (cast to plain text), so no plaintext is ever loaded."""
    rows = (
        model.objects.filter(**{f"{field.attname}__isnull": False})
        .annotate(stored_token=Cast(field.attname, output_field=models.TextField()))
        .values_list("pk", "stored_token")
    )
    count = 0
    for pk, token in rows.iterator():
        model.objects.filter(pk=pk).update(**{field.attname: Token(reencrypt(token))})
        count += 1
    return count
