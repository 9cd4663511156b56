from __future__ import annotations

import pytest

from tests.conftest import make_circle

pytestmark = pytest.mark.django_db


def test_circle_list_counts_current_members_only(client_for, alice, bob, carol):
    from peerhaven.circles.actions import do_leave

    circle = make_circle(alice, [bob, carol])
    do_leave(circle.memberships.get(user=carol))
    page = client_for(alice).get("/circles/").content.decode()
    assert "2 of at most 8 members" in page
