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


@pytest.mark.parametrize("tampered", ["abc", "-1", "1.5", ""])
def test_tampered_ids_in_forms_are_refused_not_crashed(client_for, alice, bob, tampered):
    circle = make_circle(alice, [bob])
    client = client_for(alice)
    response = client.post(f"/circles/{circle.pk}/thread/", {"body": "Hello", "parent": tampered})
    assert response.status_code == 302
    assert circle.messages.get().parent is None
    response = client.post(f"/circles/{circle.pk}/members/convener/", {"user_id": tampered})
    assert response.status_code == 404


def test_a_closed_circle_stays_listed_for_its_members_with_its_deletion_date(
    client_for, alice, bob, carol
):
    from peerhaven.circles.actions import do_set_state

    circle = make_circle(alice, [bob], name="Old Circle", retention_days=30)
    do_set_state(circle, "closed", acting_user=alice)
    page = client_for(bob).get("/circles/").content.decode()
    assert "Closed circles" in page
    assert "Old Circle" in page
    assert "readable until" in page
    assert client_for(bob).get(f"/circles/{circle.pk}/").status_code == 200
    assert "Old Circle" not in client_for(carol).get("/circles/").content.decode()
    assert "then it is deleted" in client_for(bob).get(f"/circles/{circle.pk}/").content.decode()


def test_an_invitation_can_be_accepted_from_the_circles_page_by_its_addressee(
    client_for, alice, bob, carol
):
    from peerhaven.circles.actions import do_invite

    circle = make_circle(alice, name="Lunch Circle")
    invitation = do_invite(circle, bob.email, acting_user=alice)
    page = client_for(bob).get("/circles/").content.decode()
    assert "Lunch Circle" in page
    url = f"/circles/invitations/{invitation.pk}/accept/"
    assert client_for(carol).post(url).url == "/circles/"  # not hers
    assert not circle.active_memberships().filter(user=carol).exists()
    assert client_for(bob).post(url).url == f"/circles/{circle.pk}/charter/"
    assert circle.active_memberships().filter(user=bob).exists()
    assert client_for(bob).post(url).url == "/circles/"  # single use
