"""The equity view of an organization's opportunities: for its administrators,
coordinators and researchers; 403 for its facilitators, 404 for everyone else (site
administrators included)."""

from __future__ import annotations

from django.shortcuts import render

from peerhaven.lib.disclosure import SMALLEST_SHOWN
from peerhaven.sponsorship import access
from peerhaven.sponsorship.equity import YEARS_SHOWN, build


def equity(request, organization_id):
    organization = access.get_organization_for_equity(request.user, organization_id)
    context = {
        "organization": organization,
        "report": build(organization),
        "smallest_shown": SMALLEST_SHOWN,
        "years_shown": YEARS_SHOWN,
    }
    return render(request, "sponsorship/equity.html", context)
