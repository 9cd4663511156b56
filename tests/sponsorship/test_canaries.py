"""The sponsorship canary crawl: every page of the site, as every role, looking for what
must stay with a few people — a circle-only opportunity (its circle's agreed members), a
nomination statement (its nominee and nominator), and a declined nomination (its nominee
alone: not even its nominator may find a trace of it)."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from peerhaven.sponsorship.models import Nomination, Opportunity
from tests.test_access_matrix import build_url, request_leaving_no_trace, url_names

pytestmark = pytest.mark.django_db

RUN = uuid.uuid4().hex[:10]
CIRCLE_TITLE = f"canarycircleopportunity{RUN}"
STATEMENT = f"canarystatement{RUN}"
DECLINED = f"canarydeclined{RUN}"


@pytest.fixture
def scene(
    sample_circle,
    sample_sponsorship,
    sample_program,
    sample_community,
    sample_outcomes,
    dana,
    bob,
    django_capture_on_commit_callbacks,
):
    """The sample's circle-only opportunity and statement carry canaries; Dana nominates
    Bob for Lakeshore's opportunity through the page, and Bob declines it on his."""
    Opportunity.objects.filter(pk=sample_sponsorship["circle_opportunity"].pk).update(
        title=CIRCLE_TITLE
    )
    nomination = sample_sponsorship["nomination"]
    nomination.statement = STATEMENT
    nomination.save()
    opportunity = sample_sponsorship["opportunity"]
    dana_client, bob_client = Client(), Client()
    dana_client.force_login(dana)
    bob_client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        dana_client.post(
            reverse("sponsorship:nominate", args=[opportunity.pk]),
            {"nominee": "email", "email": bob.email, "statement": DECLINED},
        )
        declined = Nomination.objects.get(nominator=dana)
        bob_client.post(
            reverse("sponsorship:nomination_respond", args=[declined.pk]), {"answer": "decline"}
        )
    declined.refresh_from_db()
    assert declined.response == Nomination.Response.DECLINED
    objects = {
        "user": bob,
        "bob": bob,
        **sample_circle,
        **sample_program,
        **sample_community,
        **sample_outcomes,
        **sample_sponsorship,
        "opportunity": sample_sponsorship["circle_opportunity"],
    }
    return objects, declined


def every_url(objects, declined) -> list[str]:
    urls = []
    for name, pattern in url_names():
        if name.startswith("admin:") or "pk" in pattern.pattern.regex.groupindex:
            continue
        urls.append(build_url(name, pattern, objects))
    declined_pages = ("nomination", "letter_request", "nomination_statement")
    urls += [reverse(f"sponsorship:{page}", args=[declined.pk]) for page in declined_pages]
    return urls


def traces(person, urls, canaries) -> dict[str, set[str]]:
    client = Client()
    if person is not None:
        client.force_login(person)
    found = {}
    for url in urls:
        body = request_leaving_no_trace(client, "get", url, {}).content.decode(errors="replace")
        if hits := {canary for canary in canaries if canary in body}:
            found[url] = hits
    return found


def test_circle_content_statements_and_declined_nominations_stay_with_their_people(
    scene, alice, bob, carol, dana, rhea, sam, erin
):
    objects, declined = scene
    urls = every_url(objects, declined)
    declined_path = reverse("sponsorship:nomination", args=[declined.pk])
    canaries = {CIRCLE_TITLE, STATEMENT, DECLINED, declined_path}

    # The crawl can fail: Bob (agreed circle member, nominee of both) meets every canary.
    seen = set().union(*traces(bob, urls, canaries).values())
    assert seen == canaries

    # Alice, the circle's convener and nominator of the statement, sees those two only.
    seen_by_alice = set().union(*traces(alice, urls, canaries).values())
    assert seen_by_alice == {CIRCLE_TITLE, STATEMENT}

    # Everyone else sees none: Dana made the declined nomination and still finds no trace.
    leaks = {}
    for name, person in {
        "anonymous": None,
        "outsider": carol,
        "nominator of the declined one": dana,
        "researcher": rhea,
        "site admin": sam,
        "letter writer, not yet agreed to the charter": erin,
    }.items():
        for url, hits in traces(person, urls, canaries).items():
            leaks[f"{name}: {url}"] = hits
    assert leaks == {}


def test_no_email_carries_a_statement_or_a_circle_only_title(scene):
    assert mail.outbox  # the nomination e-mail went out
    for message in mail.outbox:
        text = message.subject + message.body + "".join(c for c, _ in message.alternatives)
        assert STATEMENT not in text
        assert DECLINED not in text
        assert CIRCLE_TITLE not in text
