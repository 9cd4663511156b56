from __future__ import annotations

import pytest

from tests.conftest import make_circle

pytestmark = pytest.mark.django_db


def test_only_site_staff_raise_a_cap_above_eight_and_it_is_recorded(client_for, sam, alice):
    circle = make_circle(alice)
    response = client_for(sam).post(
        f"/admin/circles/circle/{circle.pk}/change/",
        {"organization": "", "size_cap": "10"},
    )
    assert response.status_code == 302
    circle.refresh_from_db()
    assert (circle.size_cap, circle.cap_override_by) == (10, sam)
    page = client_for(sam).get("/admin/circles/circle/").content.decode()
    assert circle.name in page
