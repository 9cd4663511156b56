"""A nomination's life: the nominee's answer, the status, the statement, the achievement it
becomes once selected, its page, and the member's own list of nominations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peerhaven.outcomes.models import Achievement
from peerhaven.sponsorship.models import Follow, LetterRequest, Nomination, Opportunity
from peerhaven.sponsorship.nomination_actions import ACHIEVEMENT_KINDS
from tests.conftest import make_circle, make_member
from tests.sponsorship.test_nominating import messages_of, opportunity

pytestmark = pytest.mark.django_db


def nomination_of(nominee, nominator, opp=None, **fields) -> Nomination:
    return Nomination.objects.create(
        opportunity=opp or opportunity(),
        nominee=nominee,
        nominator=nominator,
        statement=fields.pop("statement", "Canary statement"),
        **fields,
    )


def accepted(nominee, nominator, **fields) -> Nomination:
    fields.setdefault("response", Nomination.Response.ACCEPTED)
    return nomination_of(nominee, nominator, **fields)


def url(name: str, nomination) -> str:
    return reverse(f"sponsorship:{name}", args=[nomination.pk])


def respond(client, nomination, answer):
    return client.post(url("nomination_respond", nomination), {"answer": answer})


def set_status(client, nomination, status):
    return client.post(url("nomination_status", nomination), {"status": status}, follow=True)


# --- The whole way -------------------------------------------------------------------------


def test_nominate_accept_letter_submit_select_and_into_the_achievements(
    client_for, alice, bob, erin, django_capture_on_commit_callbacks
):
    make_circle(alice, [bob, erin])
    opp = opportunity(kind=Opportunity.Kind.PLENARY, title="Keynote at the Spring Meeting")
    alice_client, bob_client, erin_client = client_for(alice), client_for(bob), client_for(erin)
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(
            reverse("sponsorship:nominate", args=[opp.pk]),
            {"nominee": str(bob.pk), "statement": "Canary statement"},
        )
        nomination = Nomination.objects.get()
        respond(bob_client, nomination, "accept")
        bob_client.post(url("letter_request", nomination), {"writer": str(erin.pk), "note": ""})
        erin_client.post(reverse("sponsorship:letter_done", args=[LetterRequest.objects.get().pk]))
        set_status(alice_client, nomination, "submitted")
        set_status(bob_client, nomination, "selected")
        response = bob_client.post(url("nomination_achievement", nomination))
    assert response["Location"] == reverse("outcomes:achievements")
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.SELECTED
    achievement = Achievement.objects.get(user=bob)
    assert nomination.achievement == achievement
    assert achievement.kind == Achievement.Kind.INVITED_TALK
    assert achievement.source == Achievement.Source.NOMINATION
    assert achievement.title == "Keynote at the Spring Meeting"
    assert achievement.title_key == "keynote at the spring meeting"
    assert achievement.venue == "Society of Academic Medicine"
    assert achievement.date == timezone.localdate()
    assert [m.to for m in mail.outbox] == [
        ["bob@example.org"],  # nominated
        ["alice@example.org"],  # accepted
        ["erin@example.org"],  # asked for a letter
        ["bob@example.org"],  # the letter is written
    ]
    assert "In your achievements" in bob_client.get(url("nomination", nomination)).content.decode()


# --- The nominee's answer ------------------------------------------------------------------


def test_accepting_records_the_answer_follows_and_tells_the_nominator(
    client_for, alice, bob, django_capture_on_commit_callbacks
):
    nomination = nomination_of(bob, alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = respond(client_for(bob), nomination, "accept")
    assert response["Location"] == url("nomination", nomination)
    nomination.refresh_from_db()
    assert nomination.response == Nomination.Response.ACCEPTED
    assert nomination.responded_at is not None
    assert Follow.objects.filter(user=bob, opportunity=nomination.opportunity).exists()
    [message] = mail.outbox
    assert message.to == ["alice@example.org"]
    assert "Bob Baker accepted" in message.subject
    assert "Canary" not in message.body + message.alternatives[0][0]


def test_a_second_accept_changes_nothing_and_sends_nothing(
    client_for, alice, bob, django_capture_on_commit_callbacks
):
    nomination = nomination_of(bob, alice)
    client = client_for(bob)
    with django_capture_on_commit_callbacks(execute=True):
        respond(client, nomination, "accept")
        second = respond(client, nomination, "accept")
    responded_at = Nomination.objects.get().responded_at
    assert "You have already accepted this nomination." in messages_of(
        client.get(second["Location"])
    )
    assert Nomination.objects.get().responded_at == responded_at
    assert len(mail.outbox) == 1
    assert Follow.objects.filter(user=bob).count() == 1


def test_declining_tells_nobody_and_cannot_be_undone(
    client_for, alice, bob, django_capture_on_commit_callbacks
):
    nomination = nomination_of(bob, alice)
    client = client_for(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = respond(client, nomination, "decline")
        respond(client, nomination, "accept")
    assert response["Location"] == reverse("sponsorship:nominations")
    assert Nomination.objects.get().response == Nomination.Response.DECLINED
    assert mail.outbox == []
    assert not Follow.objects.filter(user=bob).exists()


def test_only_the_nominee_answers(client_for, alice, bob, carol):
    nomination = nomination_of(bob, alice)
    assert respond(client_for(alice), nomination, "accept").status_code == 403
    assert respond(client_for(carol), nomination, "accept").status_code == 404
    assert client_for(bob).get(url("nomination_respond", nomination)).status_code == 405
    respond(client_for(bob), nomination, "maybe")
    assert Nomination.objects.get().response == Nomination.Response.PENDING


# --- The status ----------------------------------------------------------------------------


def test_nothing_moves_until_the_nominee_accepts(client_for, alice, bob):
    nomination = nomination_of(bob, alice)
    response = set_status(client_for(alice), nomination, "submitted")
    assert "Waiting for Bob Baker to accept." in messages_of(response)
    assert Nomination.objects.get().status == Nomination.Status.DRAFT


def test_nominator_and_nominee_move_it_along_the_allowed_steps(client_for, alice, bob):
    nomination = accepted(bob, alice)
    before = nomination.status_changed_at
    set_status(client_for(bob), nomination, "submitted")
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.SUBMITTED
    assert nomination.status_changed_at > before
    set_status(client_for(alice), nomination, "not_selected")
    assert Nomination.objects.get().status == Nomination.Status.NOT_SELECTED


@pytest.mark.parametrize(
    ("status", "asked", "message"),
    [
        ("draft", "selected", "A nomination that is draft cannot move to that status."),
        ("draft", "nonsense", "A nomination that is draft cannot move to that status."),
        ("submitted", "draft", "A nomination that is submitted cannot move to that status."),
        ("withdrawn", "submitted", "This nomination is withdrawn: that is final."),
        ("selected", "not_selected", "This nomination is selected: that is final."),
        ("not_selected", "selected", "This nomination is not selected: that is final."),
    ],
)
def test_steps_not_allowed_are_refused_with_nothing_changed(
    client_for, alice, bob, status, asked, message
):
    nomination = accepted(bob, alice, status=status)
    changed_at = nomination.status_changed_at
    response = set_status(client_for(alice), nomination, asked)
    assert message in messages_of(response)
    nomination.refresh_from_db()
    assert (nomination.status, nomination.status_changed_at) == (status, changed_at)


def test_outsiders_cannot_change_the_status(client_for, alice, bob, carol, dana, sam):
    nomination = accepted(bob, alice)
    for outsider in (carol, dana, sam):
        assert set_status(client_for(outsider), nomination, "submitted").status_code == 404
    assert Nomination.objects.get().status == Nomination.Status.DRAFT


# --- The statement -------------------------------------------------------------------------


def test_the_nominator_edits_the_statement_while_a_draft(client_for, alice, bob):
    nomination = nomination_of(bob, alice)
    client = client_for(alice)
    page = client.get(url("nomination_statement", nomination))
    assert page.status_code == 200
    assert "Canary statement" in page.content.decode()
    client.post(url("nomination_statement", nomination), {"statement": "Better words"})
    assert Nomination.objects.get().statement == "Better words"


def test_the_statement_is_the_nominators_alone_to_edit(client_for, alice, bob, carol):
    nomination = nomination_of(bob, alice)
    assert client_for(bob).get(url("nomination_statement", nomination)).status_code == 403
    response = client_for(bob).post(url("nomination_statement", nomination), {"statement": "x"})
    assert response.status_code == 403
    assert client_for(carol).get(url("nomination_statement", nomination)).status_code == 404
    assert Nomination.objects.get().statement == "Canary statement"


def test_the_statement_is_fixed_once_submitted_and_limited_in_length(client_for, alice, bob):
    nomination = nomination_of(bob, alice)
    client = client_for(alice)
    response = client.post(url("nomination_statement", nomination), {"statement": "z" * 102_400})
    assert response.status_code == 200
    assert "A statement can be at most 5,000 characters; this one has 102,400." in (
        response.content.decode()
    )
    Nomination.objects.update(status=Nomination.Status.SUBMITTED)
    page = client.get(url("nomination_statement", nomination)).content.decode()
    assert "its statement can change only while a draft" in page
    assert 'name="statement"' not in page
    client.post(url("nomination_statement", nomination), {"statement": "Too late"})
    assert Nomination.objects.get().statement == "Canary statement"


# --- Into the achievements -----------------------------------------------------------------


def test_each_kind_becomes_its_achievement_kind():
    assert set(ACHIEVEMENT_KINDS) == set(Opportunity.Kind.values)
    assert ACHIEVEMENT_KINDS[Opportunity.Kind.GRAND_ROUNDS] == Achievement.Kind.INVITED_TALK
    assert ACHIEVEMENT_KINDS[Opportunity.Kind.EDITORIAL] == Achievement.Kind.COMMITTEE
    assert ACHIEVEMENT_KINDS[Opportunity.Kind.GRANT] == Achievement.Kind.GRANT_AWARDED
    assert ACHIEVEMENT_KINDS[Opportunity.Kind.OTHER] == Achievement.Kind.AWARD


def test_a_double_click_adds_one_achievement(client_for, alice, bob):
    selected_on = timezone.now() - dt.timedelta(days=40)
    opp = opportunity(kind=Opportunity.Kind.LEADERSHIP, title="Chair, Education Committee")
    nomination = accepted(
        bob, alice, opp=opp, status=Nomination.Status.SELECTED, status_changed_at=selected_on
    )
    client = client_for(bob)
    client.post(url("nomination_achievement", nomination))
    second = client.post(url("nomination_achievement", nomination))
    assert second["Location"] == reverse("outcomes:achievements")
    achievement = Achievement.objects.get()
    assert Nomination.objects.get().achievement == achievement
    assert achievement.kind == Achievement.Kind.LEADERSHIP
    assert achievement.date == timezone.localdate(selected_on)
    assert "It is in your achievements already." in messages_of(client.get(second["Location"]))


def test_only_the_nominee_of_a_selected_nomination_adds_it(client_for, alice, bob, carol):
    nomination = accepted(bob, alice, status=Nomination.Status.SUBMITTED)
    response = client_for(bob).post(url("nomination_achievement", nomination), follow=True)
    assert "Only a selected nomination can be added to your achievements." in (
        messages_of(response)
    )
    Nomination.objects.update(status=Nomination.Status.SELECTED)
    assert client_for(alice).post(url("nomination_achievement", nomination)).status_code == 403
    assert client_for(carol).post(url("nomination_achievement", nomination)).status_code == 404
    assert client_for(bob).get(url("nomination_achievement", nomination)).status_code == 405
    assert Achievement.objects.count() == 0


# --- The nomination page -------------------------------------------------------------------


def test_the_page_shows_the_buttons_each_person_may_use(client_for, alice, bob):
    nomination = nomination_of(bob, alice)
    to_bob = client_for(bob).get(url("nomination", nomination)).content.decode()
    to_alice = client_for(alice).get(url("nomination", nomination)).content.decode()
    assert "Accept the nomination" in to_bob
    assert "Accept the nomination" not in to_alice
    assert "Waiting for Bob Baker to accept." in to_alice
    assert "Canary statement" in to_bob
    assert "Canary statement" in to_alice
    assert "Write the statement" not in to_bob
    assert "Edit the statement" in to_alice
    Nomination.objects.update(response=Nomination.Response.ACCEPTED)
    to_bob = client_for(bob).get(url("nomination", nomination)).content.decode()
    assert 'value="submitted"' in to_bob
    assert 'value="withdrawn"' in to_bob
    assert 'value="selected"' not in to_bob
    assert "Ask someone for a letter" in to_bob


def test_the_opportunity_is_linked_for_whoever_can_still_see_it(
    client_for, alice, bob, erin, carol
):
    circle = make_circle(alice, [bob])
    only_circle = opportunity(
        title="Canary circle title", audience=Opportunity.Audience.CIRCLE, circle=circle
    )
    nomination = nomination_of(bob, alice, opp=only_circle)
    page = client_for(alice).get(url("nomination", nomination)).content.decode()
    assert reverse("sponsorship:opportunity", args=[only_circle.pk]) in page
    # Alice left the circle: she keeps her nomination, not the circle's opportunity.
    from peerhaven.circles.models import Membership

    Membership.objects.filter(user=alice).update(state=Membership.State.LEFT)
    page = client_for(alice).get(url("nomination", nomination)).content.decode()
    assert "Canary circle title" not in page
    assert "An opportunity shared in a circle" in page
    assert reverse("sponsorship:opportunity", args=[only_circle.pk]) not in page


# --- Your nominations ----------------------------------------------------------------------


def test_the_list_sorts_each_nomination_into_its_section(client_for, alice, bob, erin, carol):
    waiting = nomination_of(alice, bob, opp=opportunity(title="Waiting award"))
    accepted(alice, erin, opp=opportunity(title="Accepted award"))
    nomination_of(alice, carol, opp=opportunity(title="Declined award"), response="declined")
    nomination_of(bob, alice, opp=opportunity(title="Pending for Bob"))
    nomination_of(carol, alice, opp=opportunity(title="Declined by Carol"), response="declined")
    letter_for = accepted(erin, bob, opp=opportunity(title="Erin's award"))
    LetterRequest.objects.create(nomination=letter_for, writer=alice, requested_by=bob)
    page = client_for(alice).get(reverse("sponsorship:nominations"))
    sections = page.context["page"]
    assert [row.item for row in sections.waiting] == [waiting]
    assert [row.title for row in sections.received] == ["Declined award", "Accepted award"]
    assert [row.title for row in sections.made] == ["Pending for Bob"]
    assert [row.title for row in sections.letters] == ["Erin's award"]
    body = page.content.decode()
    assert "You declined" in body
    assert "Waiting for Bob Baker to accept" in body
    assert "Declined by Carol" not in body
    assert "Mark as written" in body


def test_the_list_says_what_to_do_when_empty(client_for, carol):
    body = client_for(carol).get(reverse("sponsorship:nominations")).content.decode()
    assert "Nobody is waiting for an answer from you." in body
    assert "No nominations received yet." in body
    assert "You have not nominated anyone yet." in body
    assert "Nobody has asked you for a letter." in body


def _rows_of_each_kind(alice, count: int, start: int) -> None:
    for i in range(start, start + count):
        peer = make_member(f"peer{i}@example.org", f"Peer {i}")
        nomination_of(alice, peer, opp=opportunity(title=f"To answer {i}"))
        accepted(alice, peer, opp=opportunity(title=f"Received {i}"))
        nomination_of(peer, alice, opp=opportunity(title=f"Made {i}"))
        asked = accepted(peer, alice, opp=opportunity(title=f"Letter {i}"))
        LetterRequest.objects.create(nomination=asked, writer=alice, requested_by=peer)


def test_the_list_query_count_does_not_grow_with_rows(client_for, alice, django_assert_num_queries):
    client = client_for(alice)
    _rows_of_each_kind(alice, 1, start=0)
    # The session (saved on every request), the user and profile, three lists, the titles
    # the viewer may read.
    with django_assert_num_queries(10) as one_each:
        client.get(reverse("sponsorship:nominations"))
    _rows_of_each_kind(alice, 10, start=1)
    with django_assert_num_queries(len(one_each.captured_queries)):
        response = client.get(reverse("sponsorship:nominations"))
    sections = response.context["page"]
    assert [len(sections.waiting), len(sections.received), len(sections.letters)] == [11, 11, 11]
    assert len(sections.made) == 22  # the pending ones and those asking for letters
