"""E-mails about programs."""

from __future__ import annotations

from django.urls import reverse

from peerhaven.notifications.email import absolute_url, send_templated


def send_program_invitation(enrollment) -> None:
    program = enrollment.program
    send_templated(
        "program_invitation",
        [enrollment.email],
        {
            "program": program,
            "name": enrollment.name,
            "url": absolute_url(reverse("programs:apply", args=[program.pk])),
        },
    )
