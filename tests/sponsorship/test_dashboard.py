"""The home page asks a member about nominations waiting for their answer and letters they
were asked for, and stops asking once they have answered."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerhaven.sponsorship.models import LetterRequest, Nomination

pytestmark = pytest.mark.django_db

HEADING = "Sponsorship waiting for you"


def home(client) -> str:
    return client.get(reverse("dashboard")).content.decode()


def test_a_pending_nomination_is_asked_about_until_answered(sample_sponsorship, bob, client_for):
    nomination = sample_sponsorship["nomination"]
    Nomination.objects.filter(pk=nomination.pk).update(response=Nomination.Response.PENDING)
    page = home(client_for(bob))
    assert "1 nomination of you waits for your answer" in page
    Nomination.objects.filter(pk=nomination.pk).update(response=Nomination.Response.DECLINED)
    assert HEADING not in home(client_for(bob))


def test_the_nominator_is_not_asked_anything(sample_sponsorship, alice, client_for):
    Nomination.objects.update(response=Nomination.Response.PENDING)
    assert HEADING not in home(client_for(alice))


def test_a_letter_is_asked_about_until_written_or_its_nomination_declined(
    sample_sponsorship, erin, client_for
):
    assert "1 peer asked you for a supporting letter" in home(client_for(erin))
    LetterRequest.objects.update(state=LetterRequest.State.DONE)
    assert HEADING not in home(client_for(erin))
    LetterRequest.objects.update(state=LetterRequest.State.REQUESTED)
    Nomination.objects.update(response=Nomination.Response.DECLINED)
    assert HEADING not in home(client_for(erin))


def test_two_of_each_are_counted_once_each(sample_sponsorship, alice, bob, carol, client_for):
    opportunity = sample_sponsorship["opportunity"]
    Nomination.objects.update(response=Nomination.Response.PENDING)
    second = Nomination.objects.create(opportunity=opportunity, nominee=bob, nominator=carol)
    LetterRequest.objects.create(nomination=second, writer=alice, requested_by=bob)
    LetterRequest.objects.create(
        nomination=sample_sponsorship["nomination"], writer=alice, requested_by=bob
    )
    assert "2 nominations of you wait for your answer" in home(client_for(bob))
    assert "2 peers asked you for a supporting letter" in home(client_for(alice))
