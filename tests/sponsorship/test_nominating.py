"""Nominating: whom the page offers, what a nomination starts as, and every refusal (deadline,
self-nomination, twice, nobody by that address, 100 KB statement) with nothing saved."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peerhaven.sponsorship import nomination_actions
from peerhaven.sponsorship.models import Follow, Nomination, Opportunity
from peerhaven.sponsorship.nomination_actions import NominationError, do_nominate
from peerhaven.sponsorship.nominations import circle_peers, who_can_see
from tests.conftest import make_circle, make_member

pytestmark = pytest.mark.django_db

NOBODY = (
    "Nobody with that address can be nominated for this opportunity: they need a "
    "Peerhaven account and access to the opportunity."
)


def opportunity(**fields) -> Opportunity:
    fields.setdefault("kind", Opportunity.Kind.AWARD)
    fields.setdefault("title", "Early Career Award")
    fields.setdefault("offered_by", "Society of Academic Medicine")
    fields.setdefault("deadline", timezone.localdate() + dt.timedelta(days=20))
    fields.setdefault("audience", Opportunity.Audience.EVERYONE)
    return Opportunity.objects.create(**fields)


def nominate_url(opp) -> str:
    return reverse("sponsorship:nominate", args=[opp.pk])


def post_nomination(client, opp, nominee="email", email="", statement="Canary statement"):
    data = {"nominee": nominee, "email": email, "statement": statement}
    return client.post(nominate_url(opp), data)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def form_errors(response) -> list[str]:
    form = response.context["form"]
    return [error for errors in form.errors.values() for error in errors]


@pytest.fixture
def circle(alice, bob, erin):
    return make_circle(alice, [bob, erin], name="Wednesday Circle")


# --- Whom the page offers ------------------------------------------------------------------


def test_circle_peers_are_current_members_of_open_circles_without_the_user(
    alice, bob, erin, carol, circle
):
    from peerhaven.circles.models import Circle, Membership

    assert list(circle_peers(alice)) == [bob, erin]
    Membership.objects.filter(circle=circle, user=erin).update(state=Membership.State.LEFT)
    assert list(circle_peers(alice)) == [bob]
    assert list(circle_peers(carol)) == []
    Circle.objects.filter(pk=circle.pk).update(state=Circle.State.CLOSED)
    assert list(circle_peers(alice)) == []


def test_the_page_offers_peers_who_can_see_it_by_name_and_myself_only_where_allowed(
    client_for, alice, bob, erin, carol, circle, lakeshore
):
    from peerhaven.orgs.models import StaffRole

    StaffRole.objects.create(organization=lakeshore, user=bob, role=StaffRole.Role.FACILITATOR)
    only_lakeshore = opportunity(
        audience=Opportunity.Audience.ORGANIZATION, organization=lakeshore, posted_by=alice
    )
    response = client_for(alice).get(nominate_url(only_lakeshore))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bob Baker" in body
    assert "Erin Evans" not in body
    assert "Carol Chen" not in body
    assert "Myself" not in body
    assert "Someone else, by e-mail address" in body
    assert who_can_see(only_lakeshore, [bob, erin, carol]) == {bob.pk}

    open_to_self = opportunity(self_nomination_allowed=True)
    body = client_for(alice).get(nominate_url(open_to_self)).content.decode()
    assert "Myself" in body
    assert "Bob Baker" in body
    assert "Erin Evans" in body


def test_the_page_is_404_to_whoever_cannot_see_the_opportunity(client_for, carol, lakeshore):
    hidden = opportunity(audience=Opportunity.Audience.ORGANIZATION, organization=lakeshore)
    assert client_for(carol).get(nominate_url(hidden)).status_code == 404
    assert post_nomination(client_for(carol), hidden, email="x@example.org").status_code == 404
    assert Nomination.objects.count() == 0


def test_the_page_query_count_does_not_grow_with_peers(
    client_for, alice, django_assert_max_num_queries
):
    opp = opportunity(self_nomination_allowed=True)
    peers = [make_member(f"peer{i}@example.org", f"Peer {i:02}") for i in range(3)]
    make_circle(alice, peers)
    client = client_for(alice)
    with django_assert_max_num_queries(12) as few:
        client.get(nominate_url(opp))
    more = [make_member(f"more{i}@example.org", f"More {i:02}") for i in range(12)]
    make_circle(alice, more, name="Second circle")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(nominate_url(opp))
    assert response.content.decode().count('name="nominee"') == 15 + 2


# --- A nomination --------------------------------------------------------------------------


def test_nominating_a_peer_starts_a_pending_draft_follows_and_tells_the_nominee(
    client_for, alice, bob, circle, django_capture_on_commit_callbacks
):
    opp = opportunity()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_nomination(client_for(alice), opp, nominee=str(bob.pk))
    nomination = Nomination.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sponsorship:nomination", args=[nomination.pk])
    assert (nomination.nominee, nomination.nominator) == (bob, alice)
    assert nomination.status == Nomination.Status.DRAFT
    assert nomination.response == Nomination.Response.PENDING
    assert nomination.statement == "Canary statement"
    assert Follow.objects.filter(opportunity=opp, user=alice).exists()
    assert not Follow.objects.filter(opportunity=opp, user=bob).exists()
    [message] = mail.outbox
    assert message.to == ["bob@example.org"]
    assert "Alice Adams" in message.subject
    assert "Early Career Award" in message.body
    assert "Canary" not in message.body + message.subject + message.alternatives[0][0]


def test_nominating_by_address_finds_the_account_whatever_the_case(client_for, alice, carol):
    opp = opportunity()
    response = post_nomination(client_for(alice), opp, email="  Carol@Example.org ")
    assert response.status_code == 302
    assert Nomination.objects.get().nominee == carol


def test_a_self_nomination_is_accepted_at_once_and_mails_nobody(
    client_for, alice, django_capture_on_commit_callbacks
):
    opp = opportunity(self_nomination_allowed=True)
    with django_capture_on_commit_callbacks(execute=True):
        post_nomination(client_for(alice), opp, nominee="self")
    nomination = Nomination.objects.get()
    assert nomination.is_self_nomination
    assert nomination.response == Nomination.Response.ACCEPTED
    assert nomination.responded_at is not None
    assert nomination.next_statuses == (Nomination.Status.SUBMITTED, Nomination.Status.WITHDRAWN)
    assert mail.outbox == []


def test_a_circle_only_opportunity_is_not_named_in_the_nominees_email(
    client_for, alice, bob, circle, django_capture_on_commit_callbacks
):
    opp = opportunity(
        title="Canary circle title", audience=Opportunity.Audience.CIRCLE, circle=circle
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_nomination(client_for(alice), opp, nominee=str(bob.pk))
    [message] = mail.outbox
    text = message.subject + message.body + message.alternatives[0][0]
    assert "Canary" not in text
    assert "an opportunity shared in your circle" in message.body


# --- Refusals, nothing saved ---------------------------------------------------------------


def test_past_deadline_shows_no_form_and_refuses_a_post(client_for, alice, bob, circle):
    past = opportunity(deadline=timezone.localdate() - dt.timedelta(days=1))
    response = client_for(alice).get(nominate_url(past))
    assert "The deadline for this opportunity has passed." in response.content.decode()
    assert 'name="statement"' not in response.content.decode()
    response = post_nomination(client_for(alice), past, nominee=str(bob.pk))
    assert "The deadline for this opportunity has passed." in response.content.decode()
    assert Nomination.objects.count() == Follow.objects.count() == 0


def test_the_deadline_day_itself_is_open(client_for, alice, bob, circle):
    today = opportunity(deadline=timezone.localdate())
    assert post_nomination(client_for(alice), today, nominee=str(bob.pk)).status_code == 302


def test_self_nomination_where_not_allowed_is_refused_by_choice_or_by_address(client_for, alice):
    opp = opportunity(self_nomination_allowed=False)
    refusal = "This opportunity does not take self-nominations: ask a peer to nominate you."
    for data in ({"nominee": "self"}, {"email": "alice@example.org"}):
        response = post_nomination(client_for(alice), opp, **data)
        assert response.status_code == 200
        assert refusal in form_errors(response)
    assert Nomination.objects.count() == Follow.objects.count() == 0


def test_nominating_the_same_person_twice_is_refused_even_after_they_declined(
    client_for, alice, bob, circle, django_capture_on_commit_callbacks
):
    opp = opportunity()
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_nomination(client, opp, nominee=str(bob.pk)).status_code == 302
        second = post_nomination(client, opp, nominee=str(bob.pk), statement="Second try")
    assert "You have already nominated Bob Baker for this opportunity." in form_errors(second)
    Nomination.objects.update(response=Nomination.Response.DECLINED)
    third = post_nomination(client, opp, email="bob@example.org")
    assert "You have already nominated Bob Baker for this opportunity." in form_errors(third)
    assert Nomination.objects.get().statement == "Canary statement"
    assert len(mail.outbox) == 1


def test_two_nominators_may_each_nominate_the_same_peer(client_for, alice, bob, erin, circle):
    opp = opportunity()
    post_nomination(client_for(alice), opp, nominee=str(bob.pk))
    post_nomination(client_for(erin), opp, nominee=str(bob.pk))
    assert Nomination.objects.filter(nominee=bob).count() == 2


def test_a_duplicate_that_slips_past_the_check_is_caught_by_the_constraint(monkeypatch, alice, bob):
    opp = opportunity()
    do_nominate(acting_user=alice, opportunity=opp, nominee=bob, statement="First")
    # As if a second request checked before the first one committed.
    monkeypatch.setattr(nomination_actions.Nomination.objects, "filter", _no_rows)
    with pytest.raises(NominationError, match="already nominated Bob Baker"):
        do_nominate(acting_user=alice, opportunity=opp, nominee=bob, statement="Second")
    monkeypatch.undo()
    assert Nomination.objects.count() == 1
    assert Nomination.objects.get().statement == "First"


def _no_rows(*args, **kwargs):
    return Nomination.objects.none()


def test_no_account_and_cannot_see_get_one_and_the_same_message(
    client_for, alice, carol, lakeshore, django_capture_on_commit_callbacks
):
    only_lakeshore = opportunity(
        audience=Opportunity.Audience.ORGANIZATION, organization=lakeshore, posted_by=alice
    )
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        nobody = post_nomination(client, only_lakeshore, email="nobody@example.org")
        outsider = post_nomination(client, only_lakeshore, email="carol@example.org")
    assert form_errors(nobody) == form_errors(outsider) == [NOBODY]
    # The two pages differ only in the address typed (and the CSRF token).
    assert _page(nobody, "nobody@example.org") == _page(outsider, "carol@example.org")
    assert Nomination.objects.count() == Follow.objects.count() == 0
    assert mail.outbox == []


def _page(response, typed: str) -> str:
    body = response.content.decode().replace(typed, "ADDRESS")
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", body)


def test_a_deactivated_account_is_nobody(client_for, alice, carol):
    carol.is_active = False
    carol.save()
    response = post_nomination(client_for(alice), opportunity(), email="carol@example.org")
    assert form_errors(response) == [NOBODY]
    assert Nomination.objects.count() == 0


def test_a_100_kb_statement_is_refused_with_the_limit_and_its_length(
    client_for, alice, bob, circle
):
    response = post_nomination(
        client_for(alice), opportunity(), nominee=str(bob.pk), statement="x" * 102_400
    )
    assert response.status_code == 200
    assert form_errors(response) == [
        "A statement can be at most 5,000 characters; this one has 102,400."
    ]
    assert Nomination.objects.count() == Follow.objects.count() == 0


def test_a_statement_of_exactly_the_limit_is_taken(client_for, alice, bob, circle):
    post_nomination(client_for(alice), opportunity(), nominee=str(bob.pk), statement="y" * 5000)
    assert len(Nomination.objects.get().statement) == 5000


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"nominee": "email", "email": ""}, "Give their e-mail address."),
        ({"nominee": "email", "email": "not-an-address"}, "Enter a valid email address."),
        ({"nominee": "99999"}, "Choose someone from the list, or give an address."),
        ({"nominee": ""}, "This field is required."),
    ],
)
def test_bad_choices_get_a_message_beside_the_field(client_for, alice, data, error):
    response = client_for(alice).post(nominate_url(opportunity()), data)
    assert response.status_code == 200
    assert error in form_errors(response)
    assert Nomination.objects.count() == 0


def test_a_forged_id_of_someone_outside_the_circles_is_refused(client_for, alice, carol):
    response = post_nomination(client_for(alice), opportunity(), nominee=str(carol.pk))
    assert "Choose someone from the list, or give an address." in form_errors(response)
    assert Nomination.objects.count() == 0


def test_a_member_who_has_not_agreed_to_the_charter_gets_no_peers_from_that_circle(
    alice, bob, erin
):
    make_circle(alice, [bob])
    make_circle(bob, [erin], name="Second circle", agreed=False)
    assert list(circle_peers(erin)) == []
    assert bob in circle_peers(alice)
    assert erin not in circle_peers(alice)
    # Bob, who has agreed, sees Erin among the circle's members.
    assert erin in circle_peers(bob)
