from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "peerhaven.accounts"
    label = "accounts"
    verbose_name = "Accounts and profiles"

    def ready(self):
        from peerhaven.accounts import checks  # noqa: F401  (registers deploy checks)
