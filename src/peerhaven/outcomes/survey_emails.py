"""E-mails about surveys. They say that a program's survey is open and until when, with a
link, and nothing else: never a question, never an answer, never who else was asked."""

from __future__ import annotations

from django.urls import reverse

from peerhaven.notifications.email import absolute_url, render_templated, send_all


def _message(name: str, invitation):
    wave = invitation.wave
    return render_templated(
        name,
        [invitation.user.email],
        {
            "program": wave.program,
            "wave": wave,
            "name": invitation.user.display_name,
            "url": absolute_url(reverse("outcomes:survey_answer", args=[wave.pk])),
        },
    )


def send_survey_invitations(invitations) -> None:
    """One e-mail per member (addresses stay private), handed over in one batch."""
    send_all([_message("survey_invitation", invitation) for invitation in invitations])


def send_survey_reminders(invitations) -> None:
    send_all([_message("survey_reminder", invitation) for invitation in invitations])
