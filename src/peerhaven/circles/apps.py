from __future__ import annotations

from django.apps import AppConfig


class CirclesConfig(AppConfig):
    name = "peerhaven.circles"
    label = "circles"
    verbose_name = "Circles"
