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


def _post_url(post) -> str:
    return absolute_url(post.get_absolute_url())


def post_removed(post, rule) -> None:
    """The author learns which rule their post broke. A reply has no title of its own, so
    the thread's title says which conversation it was in."""
    thread_title = post.title if post.is_thread else post.parent.title
    send_templated(
        "community_post_removed",
        [post.author.email],
        {
            "community": post.community,
            "rule": rule,
            "is_reply": not post.is_thread,
            "thread_title": thread_title,
            "url": _post_url(post),
        },
    )


def warned(member, rule) -> None:
    community = member.community
    send_templated(
        "community_warning",
        [member.user.email],
        {"community": community, "rule": rule, "url": _rules_url(community)},
    )


def muted(member, rule) -> None:
    community = member.community
    send_templated(
        "community_muted",
        [member.user.email],
        {
            "community": community,
            "rule": rule,
            "until": member.muted_until,
            "url": _rules_url(community),
        },
    )


def _rules_url(community) -> str:
    return absolute_url(reverse("communities:rules", args=[community.pk]))
