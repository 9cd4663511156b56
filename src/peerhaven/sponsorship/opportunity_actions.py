"""Posting, changing and deleting opportunities, and following them. Each ``do_*`` is one
transaction; who may show an opportunity to whom is checked here again, not only by the
form that offered the choice, so no other caller can place one where its poster is not."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from peerhaven.circles.models import Circle
from peerhaven.communities.models import Community
from peerhaven.orgs.models import Organization
from peerhaven.sponsorship.access import posting_organizations
from peerhaven.sponsorship.models import (
    Follow,
    Nomination,
    Opportunity,
    circles_of,
    communities_of,
)

EVERYONE_KEY = Opportunity.Audience.EVERYONE.value


class OpportunityError(Exception):
    """A rule refused the action; the message is shown to the person."""


CIRCLE_NOT_ON_BEHALF = (
    "An opportunity for one circle stays the circle's own: post it as yourself, so no "
    "organization counts its nominations."
)


@dataclass(frozen=True)
class AudienceChoice:
    """One group a poster may show an opportunity to, keyed as the form posts it."""

    key: str
    label: str
    audience: str
    organization: Organization | None = None
    community: Community | None = None
    circle: Circle | None = None


def audience_choices(user, *, current: Opportunity | None = None) -> dict[str, AudienceChoice]:
    """Everyone; the organizations ``user`` posts for; the communities and circles they
    are a current member of. When editing, the opportunity's own audience stays on offer
    even if the editor could not choose it now (another poster of the organization chose
    it, or the poster has since left that circle): keeping it reveals nothing new."""
    choices = [AudienceChoice(EVERYONE_KEY, Opportunity.Audience.EVERYONE.label, EVERYONE_KEY)]
    choices += [_for_organization(org) for org in posting_organizations(user)]
    choices += [_for_community(c) for c in communities_of(user).order_by("name")]
    choices += [_for_circle(circle) for circle in circles_of(user).order_by("name")]
    if current is not None and current.pk is not None:
        choices.append(current_audience(current))
    return {choice.key: choice for choice in choices}


def current_audience(opportunity: Opportunity) -> AudienceChoice:
    audience = opportunity.audience
    if audience == Opportunity.Audience.ORGANIZATION:
        return _for_organization(opportunity.organization)
    if audience == Opportunity.Audience.COMMUNITY:
        return _for_community(opportunity.community)
    if audience == Opportunity.Audience.CIRCLE:
        return _for_circle(opportunity.circle)
    return AudienceChoice(EVERYONE_KEY, Opportunity.Audience.EVERYONE.label, EVERYONE_KEY)


def _for_organization(org: Organization) -> AudienceChoice:
    audience = Opportunity.Audience.ORGANIZATION
    return AudienceChoice(f"{audience}:{org.pk}", f"People of {org.name}", audience, org)


def _for_community(community: Community) -> AudienceChoice:
    audience = Opportunity.Audience.COMMUNITY
    label = f"Members of {community.name}"
    return AudienceChoice(f"{audience}:{community.pk}", label, audience, community=community)


def _for_circle(circle: Circle) -> AudienceChoice:
    audience = Opportunity.Audience.CIRCLE
    label = f"Members of {circle.name}"
    return AudienceChoice(f"{audience}:{circle.pk}", label, audience, circle=circle)


def behalf_choices(user, *, current: Opportunity | None = None) -> list[Organization]:
    """Organizations ``user`` may post on behalf of; an opportunity being edited keeps its
    own (the same reasoning as for its audience)."""
    organizations = list(posting_organizations(user))
    kept = current.organization if current is not None and current.pk else None
    if kept is not None and kept not in organizations:
        organizations.append(kept)
    return organizations


# --- Writing --------------------------------------------------------------------------------


@transaction.atomic
def do_post_opportunity(
    opportunity: Opportunity, *, audience_key: str, on_behalf: Organization | None, acting_user
) -> Opportunity:
    """Save a new opportunity, filled in by the form, shown to the chosen audience."""
    _place(opportunity, audience_key, on_behalf, acting_user, current=None)
    opportunity.posted_by = acting_user
    opportunity.save()
    return opportunity


@transaction.atomic
def do_update_opportunity(
    opportunity: Opportunity, *, audience_key: str, on_behalf: Organization | None, acting_user
) -> Opportunity:
    saved = Opportunity.objects.select_related("organization", "community", "circle").get(
        pk=opportunity.pk
    )
    _place(opportunity, audience_key, on_behalf, acting_user, current=saved)
    opportunity.save()
    return opportunity


def _place(opportunity, audience_key, on_behalf, acting_user, *, current) -> None:
    choice = audience_choices(acting_user, current=current).get(audience_key)
    if choice is None:
        raise OpportunityError("You cannot show an opportunity to that group.")
    if on_behalf is not None and on_behalf not in behalf_choices(acting_user, current=current):
        raise OpportunityError("You cannot post on behalf of that organization.")
    if choice.organization is not None and on_behalf not in (None, choice.organization):
        raise OpportunityError("An organization's opportunity for its people is posted for it.")
    if choice.circle is not None and on_behalf is not None:
        raise OpportunityError(CIRCLE_NOT_ON_BEHALF)
    opportunity.audience = choice.audience
    # The organization whose people see it is the one posting it; otherwise the one the
    # poster chose to post for (its equity view counts the nominations), or nobody.
    opportunity.organization = choice.organization or on_behalf
    opportunity.community = choice.community
    opportunity.circle = choice.circle


@transaction.atomic
def do_delete_opportunity(opportunity: Opportunity, *, acting_user) -> None:
    """Refused once a nominee has agreed to be put forward: their nomination (and any
    letters asked for it) would vanish under them. Pending and declined ones go with it."""
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if locked.nominations.filter(response=Nomination.Response.ACCEPTED).exists():
        raise OpportunityError(
            f"“{opportunity.title}” has nominations in progress: edit it instead "
            "(its description or deadline, for example)."
        )
    locked.delete()


@transaction.atomic
def do_follow(opportunity: Opportunity, *, acting_user) -> None:
    # get_or_create absorbs a double click: the unique constraint turns the second insert
    # into a lookup of the first.
    Follow.objects.get_or_create(opportunity=opportunity, user=acting_user)


@transaction.atomic
def do_unfollow(opportunity: Opportunity, *, acting_user) -> None:
    Follow.objects.filter(opportunity=opportunity, user=acting_user).delete()
