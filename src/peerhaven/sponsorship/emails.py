"""E-mails about nominations and supporting letters. None of them carries a statement (only
the nominee and nominator read it, on the site), and none names a circle-only opportunity:
its title is circle content, so the e-mail says "an opportunity shared in your circle"."""

from __future__ import annotations

from django.urls import reverse

from peerhaven.notifications.email import absolute_url, send_templated
from peerhaven.sponsorship.models import Opportunity


def opportunity_name(opportunity: Opportunity, *, whose: str = "your") -> str:
    """How an e-mail names the opportunity: its title, unless it is for a circle only."""
    if opportunity.audience == Opportunity.Audience.CIRCLE:
        return f"an opportunity shared in {whose} circle"
    return f"“{opportunity.title}”"


def _nomination_url(nomination) -> str:
    return absolute_url(reverse("sponsorship:nomination", args=[nomination.pk]))


def send_nomination_received(nomination) -> None:
    send_templated(
        "nomination_received",
        [nomination.nominee.email],
        {
            "nominator": nomination.nominator.display_name,
            "opportunity": opportunity_name(nomination.opportunity),
            "deadline": nomination.opportunity.deadline,
            "url": _nomination_url(nomination),
        },
    )


def send_nomination_accepted(nomination) -> None:
    send_templated(
        "nomination_accepted",
        [nomination.nominator.email],
        {
            "nominee": nomination.nominee.display_name,
            "opportunity": opportunity_name(nomination.opportunity),
            "url": _nomination_url(nomination),
        },
    )


def send_letter_requested(letter) -> None:
    nomination = letter.nomination
    send_templated(
        "letter_requested",
        [letter.writer.email],
        {
            "requester": letter.requested_by.display_name,
            "nominee": nomination.nominee.display_name,
            # The writer may be outside the circle: "a circle", not "your circle".
            "opportunity": opportunity_name(nomination.opportunity, whose="a"),
            "deadline": nomination.opportunity.deadline,
            "note": letter.note,
            "url": absolute_url(reverse("sponsorship:nominations")),
        },
    )


def send_letter_written(letter) -> None:
    nomination = letter.nomination
    send_templated(
        "letter_written",
        [letter.requested_by.email],
        {
            "writer": letter.writer.display_name,
            "nominee": nomination.nominee.display_name,
            "opportunity": opportunity_name(nomination.opportunity),
            "url": _nomination_url(nomination),
        },
    )
