"""Supporting letters: who may ask whom, when, the refusals with nothing saved, the writer's
e-mail and list, and marking a letter written."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from peerhaven.sponsorship.models import LetterRequest, Nomination, Opportunity
from peerhaven.sponsorship.nomination_actions import NominationError, do_request_letter
from tests.conftest import make_circle
from tests.sponsorship.test_nominating import form_errors, messages_of, opportunity
from tests.sponsorship.test_nomination_flow import accepted, nomination_of, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def circle(alice, bob, erin):
    return make_circle(alice, [bob, erin])


def ask(client, nomination, writer="email", email="", note="Two paragraphs, please."):
    data = {"writer": writer, "email": email, "note": note}
    return client.post(url("letter_request", nomination), data)


def done_url(letter) -> str:
    return reverse("sponsorship:letter_done", args=[letter.pk])


# --- Asking --------------------------------------------------------------------------------


def test_the_form_offers_the_requesters_circle_peers_but_not_the_nominee(
    client_for, alice, bob, erin, carol, circle
):
    nomination = accepted(bob, alice)
    response = client_for(alice).get(url("letter_request", nomination))
    assert [label for _value, label in response.context["form"]["writer"].field.widget.choices] == [
        "Erin Evans",
        "Someone else, by e-mail address",
    ]
    assert "Carol Chen" not in response.content.decode()


def test_asking_a_peer_saves_the_request_and_mails_the_writer(
    client_for, alice, bob, erin, circle, django_capture_on_commit_callbacks
):
    nomination = accepted(bob, alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client_for(bob), nomination, writer=str(erin.pk))
    assert response["Location"] == url("nomination", nomination)
    letter = LetterRequest.objects.get()
    assert (letter.writer, letter.requested_by) == (erin, bob)
    assert letter.state == LetterRequest.State.REQUESTED
    [message] = mail.outbox
    assert message.to == ["erin@example.org"]
    assert "Bob Baker" in message.subject
    text = message.body + message.alternatives[0][0]
    assert "Early Career Award" in text
    assert "Two paragraphs, please." in text
    assert nomination.opportunity.deadline.strftime("%Y") in message.body
    assert reverse("sponsorship:nominations") in message.body
    assert "Canary" not in text


def test_asking_a_colleague_by_address(client_for, alice, bob, carol):
    nomination = accepted(bob, alice)
    ask(client_for(alice), nomination, email="CAROL@example.org")
    assert LetterRequest.objects.get().writer == carol


def test_a_circle_only_opportunity_is_not_named_to_the_writer(
    client_for, alice, bob, carol, circle, django_capture_on_commit_callbacks
):
    only_circle = opportunity(
        title="Canary circle title", audience=Opportunity.Audience.CIRCLE, circle=circle
    )
    nomination = accepted(bob, alice, opp=only_circle)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client_for(bob), nomination, email="carol@example.org")
    [message] = mail.outbox
    assert "Canary" not in message.subject + message.body + message.alternatives[0][0]
    assert "an opportunity shared in a circle" in message.body
    # Carol, outside the circle, reads no title in her list either.
    body = client_for(carol).get(reverse("sponsorship:nominations")).content.decode()
    assert "Canary circle title" not in body
    assert "An opportunity shared in a circle" in body


# --- Refusals, nothing saved ---------------------------------------------------------------


def test_an_address_with_no_account_gets_one_message(client_for, alice, bob):
    nomination = accepted(bob, alice)
    response = ask(client_for(alice), nomination, email="nobody@example.org")
    assert form_errors(response) == [
        "Nobody with that address can be asked for a letter: they need a Peerhaven account."
    ]
    assert LetterRequest.objects.count() == 0


def test_the_nominee_and_the_requester_cannot_be_the_writer(client_for, alice, bob):
    nomination = accepted(bob, alice)
    response = ask(client_for(alice), nomination, email="bob@example.org")
    assert "The nominee cannot write a letter for their own nomination." in form_errors(response)
    response = ask(client_for(alice), nomination, email="alice@example.org")
    assert "Ask someone other than yourself for a letter." in form_errors(response)
    assert LetterRequest.objects.count() == 0


def test_a_writer_already_asked_is_refused_whoever_asked(
    client_for, alice, bob, erin, circle, django_capture_on_commit_callbacks
):
    nomination = accepted(bob, alice)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client_for(bob), nomination, writer=str(erin.pk))
        twice = ask(client_for(bob), nomination, writer=str(erin.pk), note="Again")
        by_the_other = ask(client_for(alice), nomination, email="erin@example.org")
    for response in (twice, by_the_other):
        assert form_errors(response) == ["Erin Evans has already been asked for a letter."]
    assert LetterRequest.objects.get().note == "Two paragraphs, please."
    assert len(mail.outbox) == 1


def test_a_request_that_slips_past_the_check_is_caught_by_the_constraint(
    monkeypatch, alice, bob, erin
):
    nomination = accepted(bob, alice)
    do_request_letter(nomination, writer=erin, note="First", acting_user=bob)
    monkeypatch.setattr(Nomination, "letter_requests", _NoRequests())
    with pytest.raises(NominationError, match="Erin Evans has already been asked"):
        do_request_letter(nomination, writer=erin, note="Second", acting_user=alice)
    monkeypatch.undo()
    assert LetterRequest.objects.get().note == "First"


class _NoRequests:
    """Stands in for the reverse relation, as if the first request were not committed."""

    def __get__(self, instance, owner):
        return LetterRequest.objects.none()


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"response": "pending"}, "Letters can be asked for once the nominee has accepted"),
        ({"status": "withdrawn"}, "This nomination is withdrawn: no more letters"),
        ({"status": "not_selected"}, "This nomination is not selected: no more letters"),
        ({"status": "selected"}, "This nomination is selected: no more letters"),
    ],
)
def test_letters_only_while_accepted_and_still_open(
    client_for, alice, bob, erin, circle, fields, reason
):
    nomination = accepted(bob, alice, **fields)
    page = client_for(bob).get(url("letter_request", nomination)).content.decode()
    assert reason in page
    assert 'name="writer"' not in page
    response = client_for(bob).post(
        url("letter_request", nomination), {"writer": str(erin.pk)}, follow=True
    )
    assert any(reason in message for message in messages_of(response))
    assert LetterRequest.objects.count() == 0


def test_a_declined_nomination_takes_no_letters(client_for, alice, bob, erin, circle):
    nomination = nomination_of(bob, alice, response=Nomination.Response.DECLINED)
    assert ask(client_for(alice), nomination, writer=str(erin.pk)).status_code == 404
    ask(client_for(bob), nomination, writer=str(erin.pk))
    assert LetterRequest.objects.count() == 0


def test_a_2001_character_note_is_refused(client_for, alice, bob):
    nomination = accepted(bob, alice)
    response = ask(client_for(alice), nomination, email="erin@example.org", note="n" * 2001)
    assert "A note can be at most 2,000 characters; this one has 2,001." in form_errors(response)
    assert LetterRequest.objects.count() == 0


def test_outsiders_reach_no_letter_form(client_for, alice, bob, carol, dana, sam):
    nomination = accepted(bob, alice)
    for outsider in (carol, dana, sam):
        assert client_for(outsider).get(url("letter_request", nomination)).status_code == 404
        assert ask(client_for(outsider), nomination, email="x@example.org").status_code == 404


# --- Marking it written --------------------------------------------------------------------


def test_the_writer_marks_it_written_once_and_the_requester_hears_once(
    client_for, sample_sponsorship, erin, django_capture_on_commit_callbacks
):
    letter = sample_sponsorship["letter_request"]
    client = client_for(erin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(done_url(letter))
        again = client.post(done_url(letter), follow=True)
    assert response["Location"] == reverse("sponsorship:nominations")
    assert messages_of(again) == [
        "Marked as written. We told Bob Baker.",
        "It is marked as written already.",  # the second click: nobody told twice
    ]
    letter.refresh_from_db()
    assert letter.state == LetterRequest.State.DONE
    assert letter.done_at is not None
    [message] = mail.outbox
    assert message.to == ["bob@example.org"]
    assert "Erin Evans has written the letter for Bob Baker" in message.subject
    assert "Canary" not in message.body + message.alternatives[0][0]


def test_only_the_writer_marks_it_and_only_by_post(
    client_for, sample_sponsorship, alice, bob, carol, erin
):
    letter = sample_sponsorship["letter_request"]
    for other in (alice, bob, carol):
        assert client_for(other).post(done_url(letter)).status_code == 404
    assert client_for(erin).get(done_url(letter)).status_code == 405
    assert LetterRequest.objects.get().state == LetterRequest.State.REQUESTED


def test_the_nomination_page_lists_its_letters_with_their_state(
    client_for, sample_sponsorship, alice, bob
):
    nomination = sample_sponsorship["nomination"]
    LetterRequest.objects.update(state=LetterRequest.State.DONE)
    for viewer in (alice, bob):
        body = client_for(viewer).get(url("nomination", nomination)).content.decode()
        assert "Erin Evans" in body
        assert "Written" in body


def test_the_writer_sees_the_request_and_its_note(client_for, sample_sponsorship, erin):
    body = client_for(erin).get(reverse("sponsorship:nominations")).content.decode()
    assert "Lakeshore Early Career Award" in body
    assert "Two paragraphs, please." in body
    assert "Mark as written" in body
    assert "For Bob Baker" in body
