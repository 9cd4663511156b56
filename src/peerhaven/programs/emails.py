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


def send_pair_introduction(pair) -> None:
    """Each partner learns who the other is; the pair page has their shared free times."""
    url = absolute_url(reverse("programs:pair", args=[pair.program_id]))
    for person, partner in ((pair.first, pair.second), (pair.second, pair.first)):
        send_templated(
            "program_pair",
            [person.email],
            {"program": pair.program, "name": person.display_name, "partner": partner, "url": url},
        )
