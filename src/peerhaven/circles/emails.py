"""E-mails about circles. None of them carries circle content: they say that something
happened and link to the page, where only members who agreed to the charter can read it."""

from __future__ import annotations

from django.urls import reverse

from peerhaven.notifications.email import absolute_url, send_templated


def send_invitation(invitation, token: str) -> None:
    send_templated(
        "circle_invitation",
        [invitation.email],
        {
            "circle": invitation.circle,
            "inviter": invitation.invited_by,
            "expires_at": invitation.expires_at,
            "first_meeting": invitation.circle.meetings.upcoming().held().first(),
            "url": absolute_url(reverse("circles:invitation", args=[token])),
        },
    )


def send_admission_vote_request(admission, *, exclude=None) -> None:
    circle = admission.circle
    voters = circle.active_memberships().select_related("user")
    if exclude is not None:
        voters = voters.exclude(user=exclude)
    url = absolute_url(reverse("circles:members", args=[circle.pk]))
    for membership in voters:  # one each, as for messages: addresses stay private
        send_templated(
            "circle_admission_vote", [membership.user.email], {"circle": circle, "url": url}
        )


def send_join_request_approved(admission) -> None:
    circle = admission.circle
    send_templated(
        "circle_join_approved",
        [admission.email],
        {"circle": circle, "url": absolute_url(reverse("circles:detail", args=[circle.pk]))},
    )


def send_new_message_notice(circle, users) -> None:
    for user in users:  # one e-mail each: recipients never see each other's addresses
        send_templated(
            "circle_new_message",
            [user.email],
            {"circle": circle, "url": absolute_url(reverse("circles:thread", args=[circle.pk]))},
        )


def send_message_digest(user, counts: list[tuple[object, int]]) -> None:
    send_templated(
        "circle_digest",
        [user.email],
        {
            "counts": [
                (circle, count, absolute_url(reverse("circles:thread", args=[circle.pk])))
                for circle, count in counts
            ]
        },
    )


def send_absence_nudge(membership) -> None:
    circle = membership.circle
    send_templated(
        "circle_absence_nudge",
        [membership.user.email],
        {
            "circle": circle,
            "name": membership.user.display_name,
            "url": absolute_url(reverse("circles:detail", args=[circle.pk])),
        },
    )
