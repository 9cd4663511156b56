"""E-mails about communities. They carry no post text: they say what happened and link to
the page, which only the community's members can open."""

from __future__ import annotations

from django.urls import reverse

from peerhaven.notifications.email import absolute_url, send_templated


def _community_url(community) -> str:
    return absolute_url(reverse("communities:detail", args=[community.pk]))


def request_admitted(member) -> None:
    community = member.community
    send_templated(
        "community_admitted",
        [member.user.email],
        {"community": community, "url": _community_url(community)},
    )


def invited(member, *, invited_by) -> None:
    community = member.community
    send_templated(
        "community_invitation",
        [member.user.email],
        {"community": community, "inviter": invited_by, "url": _community_url(community)},
    )
