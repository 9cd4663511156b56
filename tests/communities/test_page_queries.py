"""Pinned query counts for the community pages people open most: each is measured on a
small and a busy community (more threads, replies, groups and members), and must cost the
same — a page that starts issuing a query per post, reply or group fails here first."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerhaven.communities import actions
from peerhaven.communities.models import SubGroup
from tests.conftest import make_member

from .conftest import join, start_community

pytestmark = pytest.mark.django_db


def busy_community(owner, size: int, name: str):
    """``size`` members, each in every group, each starting a question in a group, each
    replying to every thread; half the threads anonymous."""
    community = start_community(owner, name=name, allow_anonymous=True)
    owner_row = community.members.get(user=owner)
    groups = [
        actions.do_create_subgroup(owner_row, name=f"{name} group {n}", kind=kind)
        for n, kind in enumerate(SubGroup.Kind.values * size)
    ]
    slug = name.lower().replace(" ", "-")
    members = [
        join(community, make_member(f"{slug}-{i}@example.org", f"Peer {i}")) for i in range(size)
    ]
    for member in [owner_row, *members]:
        for group in groups:
            actions.do_join_subgroup(member, group)
    threads = [
        actions.do_post(
            member,
            kind="question",
            title=f"Question {n}",
            body="How?",
            subgroup=groups[n % len(groups)],
            anonymous=n % 2 == 0,
        )
        for n, member in enumerate(members)
    ]
    for member in members:
        for thread in threads:
            actions.do_post(member, parent=thread, body="Like this.", anonymous=True)
    return community, groups[0], threads[0]


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


PAGES = {
    "list": lambda c, g, t: reverse("communities:list"),
    "home": lambda c, g, t: reverse("communities:detail", args=[c.pk]),
    "unanswered": lambda c, g, t: reverse("communities:detail", args=[c.pk]) + "?unanswered=1",
    "groups": lambda c, g, t: reverse("communities:subgroups", args=[c.pk]),
    "group": lambda c, g, t: reverse("communities:subgroup", args=[c.pk, g.pk]),
    "thread": lambda c, g, t: t.get_absolute_url(),
    "new post": lambda c, g, t: reverse("communities:post_create", args=[c.pk]),
}
# What each page costs, pinned so a change is deliberate. Five of each are the session,
# the user and profile, and the savepoint around the session's sliding expiry; on pages
# with the community's tabs, two more count what waits for the moderators (alice owns it).
EXPECTED = {
    "list": 10,
    "home": 12,
    "unanswered": 12,
    "groups": 11,
    "group": 12,
    "thread": 11,
    "new post": 8,
}


@pytest.mark.parametrize("page", PAGES)
def test_pages_cost_the_same_however_busy_the_community(alice, client_for, page):
    small = busy_community(alice, 2, "Small network")
    busy = busy_community(alice, 6, "Busy network")
    client = client_for(alice)
    counts = [queries_for(client, PAGES[page](*objects)) for objects in (small, busy)]
    assert counts == [EXPECTED[page]] * 2, (page, counts)
