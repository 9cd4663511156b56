"""Every sponsorship view reaches its objects through these helpers (the rules themselves
are on the querysets in models.py).

- Outsiders get 404: an opportunity, nomination or letter request they may not see does
  not exist for them, staff and site admins included.
- Insiders without the right get 403: a member who can see an opportunity but did not
  post it cannot edit it; a facilitator cannot open the organization's equity view.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from peerhaven.orgs.models import Organization, StaffRole
from peerhaven.sponsorship.models import LetterRequest, Nomination, Opportunity

# Who may post opportunities on an organization's behalf.
POSTING_ROLES = (StaffRole.Role.ADMIN, StaffRole.Role.COORDINATOR)
# Who may read an organization's equity view: the people who run its programs and those
# who study them, never facilitators (who sit in the groups).
EQUITY_ROLES = (StaffRole.Role.ADMIN, StaffRole.Role.COORDINATOR, StaffRole.Role.RESEARCHER)


def get_opportunity_for_user(user, opportunity_id) -> Opportunity:
    opportunity = (
        Opportunity.objects.visible_to(user)
        .select_related("organization", "community", "circle", "posted_by__profile")
        .filter(pk=opportunity_id)
        .first()
    )
    if opportunity is None:
        raise Http404("No such opportunity.")
    return opportunity


def get_opportunity_to_edit(user, opportunity_id) -> Opportunity:
    """Its poster, or a poster of its organization, may edit it; other viewers get 403."""
    opportunity = get_opportunity_for_user(user, opportunity_id)
    if not can_edit_opportunity(user, opportunity):
        raise PermissionDenied("Only whoever posted this opportunity can change it.")
    return opportunity


def can_edit_opportunity(user, opportunity: Opportunity) -> bool:
    if opportunity.posted_by_id == user.pk:
        return True
    return (
        opportunity.organization_id is not None
        and posting_organizations(user).filter(pk=opportunity.organization_id).exists()
    )


def posting_organizations(user):
    """Organizations on whose behalf ``user`` may post opportunities."""
    return organizations_where(user, POSTING_ROLES)


def equity_organizations(user):
    """Organizations whose equity view ``user`` may open."""
    return organizations_where(user, EQUITY_ROLES)


def organizations_where(user, roles):
    if not user.is_authenticated:
        return Organization.objects.none()
    return (
        Organization.objects.filter(staff__user=user, staff__role__in=roles)
        .distinct()
        .order_by("name")
    )


def get_nomination_for_user(user, nomination_id) -> Nomination:
    nomination = (
        Nomination.objects.visible_to(user)
        .select_related("opportunity", "nominee__profile", "nominator__profile", "achievement")
        .filter(pk=nomination_id)
        .first()
    )
    if nomination is None:
        raise Http404("No such nomination.")
    return nomination


def get_letter_request_for_writer(user, letter_id) -> LetterRequest:
    """A letter request, for the writer it was sent to. A request whose nomination the
    nominee declined is gone for the writer too."""
    letter = (
        LetterRequest.objects.filter(pk=letter_id, writer=user)
        .exclude(nomination__response=Nomination.Response.DECLINED)
        .select_related("nomination__opportunity", "nomination__nominee__profile")
        .first()
        if user.is_authenticated
        else None
    )
    if letter is None:
        raise Http404("No such letter request.")
    return letter


def get_organization_for_equity(user, organization_id) -> Organization:
    """404 to anyone without a role at the organization, 403 to a role that does not
    cover the equity view."""
    if not user.is_authenticated:
        raise Http404
    roles = set(
        StaffRole.objects.filter(user=user, organization_id=organization_id).values_list(
            "role", flat=True
        )
    )
    if not roles:
        raise Http404("No such organization.")
    if not roles & set(EQUITY_ROLES):
        raise PermissionDenied("The equity view is for the organization's staff.")
    return Organization.objects.get(pk=organization_id)
