"""What nominations never show: a declined nomination to anyone but its nominee, a statement
to anyone but nominee and nominator (letter writers, staff, site admins, outsiders, e-mails),
a circle-only opportunity's title in any e-mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from peerhaven.sponsorship.models import LetterRequest, Nomination, Opportunity
from tests.conftest import make_circle
from tests.sponsorship.test_nominating import opportunity
from tests.sponsorship.test_nomination_flow import nomination_of, respond, set_status, url

pytestmark = pytest.mark.django_db

STATEMENT = "Canary statement"


def nomination_pages(nomination) -> list[str]:
    return [
        url("nomination", nomination),
        url("nomination_statement", nomination),
        url("letter_request", nomination),
        reverse("sponsorship:nominations"),
        reverse("sponsorship:opportunity", args=[nomination.opportunity_id]),
    ]


# --- A declined nomination -----------------------------------------------------------------


@pytest.fixture
def declined(client_for, alice, carol):
    """Carol (who can see the opportunity, which is for everyone) declined Alice's
    nomination of her."""
    opp = opportunity(title="Open Leadership Award")
    nomination = nomination_of(carol, alice, opp=opp, statement="Canary declined statement")
    respond(client_for(carol), nomination, "decline")
    return nomination


def test_a_declined_nomination_is_404_for_the_nominator(client_for, declined, alice):
    client = client_for(alice)
    for name in ("nomination", "nomination_statement", "letter_request"):
        assert client.get(url(name, declined)).status_code == 404
    for name in ("nomination_status", "nomination_achievement", "nomination_respond"):
        assert client.post(url(name, declined), {"status": "submitted"}).status_code == 404
    assert Nomination.objects.get(pk=declined.pk).status == Nomination.Status.DRAFT


def test_a_declined_nomination_leaves_the_nominators_lists_and_the_opportunity_page(
    client_for, declined, alice
):
    client = client_for(alice)
    mine = client.get(reverse("sponsorship:nominations"))
    assert declined.pk not in [row.item.pk for row in mine.context["page"].made]
    assert "Carol Chen" not in mine.content.decode()
    page = client.get(reverse("sponsorship:opportunity", args=[declined.opportunity_id]))
    assert page.status_code == 200
    assert "Carol Chen" not in page.content.decode()
    assert url("nomination", declined) not in page.content.decode()


def test_a_declined_nomination_stays_for_the_nominee(client_for, declined, carol):
    client = client_for(carol)
    page = client.get(url("nomination", declined)).content.decode()
    assert "You declined" in page
    assert "Canary declined statement" in page
    mine = client.get(reverse("sponsorship:nominations"))
    assert [row.item.pk for row in mine.context["page"].received] == [declined.pk]
    assert "You declined" in mine.content.decode()


def test_a_declined_nominations_letter_requests_are_gone_for_the_writer(
    client_for, sample_sponsorship, erin
):
    letter = sample_sponsorship["letter_request"]
    Nomination.objects.filter(pk=letter.nomination_id).update(response=Nomination.Response.DECLINED)
    client = client_for(erin)
    body = client.get(reverse("sponsorship:nominations")).content.decode()
    assert "Lakeshore Early Career Award" not in body
    assert client.post(reverse("sponsorship:letter_done", args=[letter.pk])).status_code == 404
    assert LetterRequest.objects.get().state == LetterRequest.State.REQUESTED


# --- The statement -------------------------------------------------------------------------


def test_only_nominee_and_nominator_read_the_statement(
    client_for, sample_sponsorship, alice, bob, carol, dana, erin, sam, rhea
):
    nomination = sample_sponsorship["nomination"]
    for insider in (alice, bob):
        assert STATEMENT in client_for(insider).get(url("nomination", nomination)).content.decode()
    # Erin writes a letter for it; Dana posted the opportunity for Lakeshore, where Rhea
    # studies nominations; Sam runs the site; Carol is outside it all.
    for other in (erin, dana, rhea, sam, carol):
        client = client_for(other)
        for page in nomination_pages(nomination):
            response = client.get(page)
            assert STATEMENT not in response.content.decode(), (other, page)
        assert client.get(url("nomination", nomination)).status_code == 404


def test_the_statement_is_in_no_email_of_the_whole_flow(
    client_for, alice, bob, erin, carol, django_capture_on_commit_callbacks
):
    make_circle(alice, [bob, erin])
    opp = opportunity()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alice).post(
            reverse("sponsorship:nominate", args=[opp.pk]),
            {"nominee": str(bob.pk), "statement": STATEMENT},
        )
        nomination = Nomination.objects.get()
        respond(client_for(bob), nomination, "accept")
        for writer in (str(erin.pk), "email"):
            client_for(bob).post(
                url("letter_request", nomination),
                {"writer": writer, "email": "carol@example.org", "note": "A note"},
            )
        for letter in LetterRequest.objects.select_related("writer"):
            client_for(letter.writer).post(reverse("sponsorship:letter_done", args=[letter.pk]))
        set_status(client_for(alice), nomination, "submitted")
    assert len(mail.outbox) == 6
    for message in mail.outbox:
        assert STATEMENT not in message.subject + message.body + message.alternatives[0][0]


def test_a_circle_only_title_is_in_no_email_of_the_whole_flow(
    client_for, alice, bob, erin, carol, django_capture_on_commit_callbacks
):
    circle = make_circle(alice, [bob, erin])
    only_circle = opportunity(
        title="Canary circle title", audience=Opportunity.Audience.CIRCLE, circle=circle
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alice).post(
            reverse("sponsorship:nominate", args=[only_circle.pk]),
            {"nominee": str(bob.pk), "statement": "Why Bob"},
        )
        nomination = Nomination.objects.get()
        respond(client_for(bob), nomination, "accept")
        client_for(bob).post(
            url("letter_request", nomination), {"writer": "email", "email": "carol@example.org"}
        )
        letter = LetterRequest.objects.get()
        client_for(carol).post(reverse("sponsorship:letter_done", args=[letter.pk]))
    assert [message.to for message in mail.outbox] == [
        ["bob@example.org"],
        ["alice@example.org"],
        ["carol@example.org"],
        ["bob@example.org"],
    ]
    for message in mail.outbox:
        assert "Canary" not in message.subject + message.body + message.alternatives[0][0]


def test_a_nominee_who_left_the_circle_cannot_be_nominated_for_its_opportunity(
    client_for, alice, bob, django_capture_on_commit_callbacks
):
    from peerhaven.circles.models import Membership

    circle = make_circle(alice, [bob])
    only_circle = opportunity(audience=Opportunity.Audience.CIRCLE, circle=circle)
    Membership.objects.filter(user=bob).update(state=Membership.State.LEFT)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(
            reverse("sponsorship:nominate", args=[only_circle.pk]),
            {"nominee": "email", "email": "bob@example.org"},
        )
    assert "Nobody with that address can be nominated" in response.content.decode()
    assert Nomination.objects.count() == 0
    assert mail.outbox == []
