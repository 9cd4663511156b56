from __future__ import annotations

from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "peerhaven.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes"
