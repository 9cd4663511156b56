"""Pinned query counts: a page that starts issuing a query per row fails here first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerhaven.accounts.actions import do_give_sensitive_consent
from peerhaven.accounts.models import Interest, SelfDescription, Separation
from peerhaven.orgs.models import Organization, StaffRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_alice(alice):
    """Alice with several of everything, so per-row queries would show."""
    alice.profile.interests.set(Interest.from_names([f"topic {i}" for i in range(8)]))
    for i in range(6):
        Separation.objects.create(owner=alice, relation="supervisor", email=f"s{i}@example.org")
        org = Organization.objects.create(name=f"Org {i}", slug=f"org-{i}", kind="institution")
        StaffRole.objects.create(organization=org, user=alice, role="facilitator")
    do_give_sensitive_consent(alice)
    SelfDescription.objects.create(user=alice, attribute="gender", value="woman")
    return alice


@pytest.mark.parametrize(
    ("url_name", "queries"),
    [
        # 12: one query for the member's open surveys awaiting an answer (issue 7).
        ("dashboard", 13),
        ("accounts:profile_edit", 8),
        ("accounts:availability", 6),
        ("accounts:private_profile", 8),
    ],
)
def test_page_query_count_does_not_grow_with_data(
    client_for, busy_alice, django_assert_num_queries, url_name, queries
):
    client = client_for(busy_alice)
    with django_assert_num_queries(queries):
        response = client.get(reverse(url_name))
    assert response.status_code == 200
