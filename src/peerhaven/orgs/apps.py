from __future__ import annotations

from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "peerhaven.orgs"
    label = "orgs"
    verbose_name = "Organizations"
