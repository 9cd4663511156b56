"""The last seat under concurrent accepts: exactly one of two people gets it.

Row locks only mean something on PostgreSQL (SQLite serialises every writer anyway), so this
runs there; CI runs the suite on both."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from peerhaven.circles import actions
from peerhaven.circles.actions import CircleError
from peerhaven.circles.models import Invitation, Membership
from tests.conftest import make_circle

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL to mean anything"
    ),
]


def accept_at_once(attempts: list[tuple[str, object]]) -> list[object]:
    """Each (token, user) accepts in its own thread, all released together; returns the
    Membership or the CircleError each got, in order."""
    barrier = threading.Barrier(len(attempts))
    results: list[object] = [None] * len(attempts)

    def accept(index, token, user):
        try:
            barrier.wait(timeout=10)
            results[index] = actions.do_accept_invitation(token, acting_user=user)
        except CircleError as error:
            results[index] = error
        except Exception as error:  # surfaced by the assertions below
            results[index] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=accept, args=(i, token, user))
        for i, (token, user) in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "an accept never finished"
    return results


@pytest.fixture
def invite_with_token(monkeypatch):
    """do_invite, returning the link's token (the e-mail itself is tested elsewhere)."""
    sent = {}
    monkeypatch.setattr(
        actions.emails, "send_invitation", lambda invitation, token: sent.update(token=token)
    )

    def invite(circle, email, acting_user) -> str:
        actions.do_invite(circle, email, acting_user=acting_user)
        return sent["token"]

    return invite


def test_two_people_accepting_the_last_seat_at_once_exactly_one_gets_it(
    alice, bob, carol, invite_with_token
):
    circle = make_circle(alice)
    bob_token = invite_with_token(circle, bob.email, alice)
    carol_token = invite_with_token(circle, carol.email, alice)
    actions.do_set_size_cap(circle, 2, acting_user=alice)  # one seat, two invitations

    results = accept_at_once([(bob_token, bob), (carol_token, carol)])

    winners = [r for r in results if isinstance(r, Membership)]
    losers = [r for r in results if not isinstance(r, Membership)]
    assert len(winners) == 1, results
    assert len(losers) == 1
    assert isinstance(losers[0], CircleError)
    assert "full" in str(losers[0])
    members = Membership.objects.filter(circle=circle, state=Membership.State.ACTIVE)
    assert members.count() == 2
    states = sorted(circle.invitations.values_list("state", flat=True))
    assert states == [Invitation.State.ACCEPTED, Invitation.State.PENDING]


def test_one_person_accepting_twice_at_once_joins_once(alice, bob, invite_with_token):
    circle = make_circle(alice)
    token = invite_with_token(circle, bob.email, alice)

    results = accept_at_once([(token, bob), (token, bob)])

    assert sum(isinstance(r, Membership) for r in results) == 1, results
    [refusal] = [r for r in results if not isinstance(r, Membership)]
    assert "already been used" in str(refusal)
    assert Membership.objects.filter(circle=circle, user=bob).count() == 1
