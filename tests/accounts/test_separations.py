from __future__ import annotations

import pytest
from django.urls import reverse

from peerhaven.accounts.models import Separation, separated_user_ids

pytestmark = pytest.mark.django_db


def add(client, email, relation="supervisor", **headers):
    return client.post(
        reverse("accounts:separation_add"), {"relation": relation, "email": email}, **headers
    )


def test_member_lists_a_supervisor_and_both_are_kept_apart(client_for, alice, bob):
    response = add(client_for(alice), "BOB@example.org")
    assert response.url == reverse("accounts:profile_edit")
    assert Separation.objects.get(owner=alice).email == "bob@example.org"
    assert separated_user_ids(alice) == {bob.pk}
    assert separated_user_ids(bob) == {alice.pk}  # whoever entered it, it binds both


def test_a_not_yet_registered_person_can_be_listed(client_for, alice):
    add(client_for(alice), "future.hire@example.org", relation="direct_report")
    assert separated_user_ids(alice) == set()
    assert alice.separations.get().relation == Separation.Relation.DIRECT_REPORT


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("alice@example.org", "That is your own address."),
        ("bob@example.org", "You have already listed this person."),
        ("not an address", "Enter a valid email address."),
    ],
)
def test_bad_separation_is_refused_with_a_reason(client_for, alice, email, message):
    client = client_for(alice)
    add(client, "bob@example.org")
    response = add(client, email, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert alice.separations.count() == 1


def test_htmx_add_returns_only_the_section(client_for, alice):
    response = add(client_for(alice), "bob@example.org", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="separations"')
    assert "bob@example.org" in body
    assert "<html" not in body


def test_separations_are_shown_only_to_their_owner(client_for, alice, carol):
    add(client_for(alice), "bob@example.org")
    assert (
        "bob@example.org"
        not in client_for(carol).get(reverse("accounts:profile_edit")).content.decode()
    )


def test_nobody_can_remove_someone_elses_separation(client_for, alice, carol):
    add(client_for(alice), "bob@example.org")
    separation = alice.separations.get()
    url = reverse("accounts:separation_remove", args=[separation.pk])
    assert client_for(carol).post(url).status_code == 404
    assert client_for(alice).post(url).status_code == 302
    assert not Separation.objects.exists()
