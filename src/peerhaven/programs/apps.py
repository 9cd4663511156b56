from __future__ import annotations

from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "peerhaven.programs"
    label = "programs"
    verbose_name = "Programs"
