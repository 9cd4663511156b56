from __future__ import annotations

from django.apps import AppConfig


class SponsorshipConfig(AppConfig):
    name = "peerhaven.sponsorship"
    label = "sponsorship"
    verbose_name = "Sponsorship"
