"""The canary test: what members write inside a circle reaches its current, agreed members
and nobody else — not a database dump, not any page for any other role (the Django admin
included), not an e-mail, not a log line.

One unique canary is planted in every kind of circle content, through the same pages
members use. The scenario then looks for the canaries everywhere they must not be, and
checks that an agreed member does see every one of them (so the test can fail).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import uuid

import pytest
from django.contrib import admin
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from peerhaven.accounts.models import Separation
from peerhaven.circles import meeting_actions
from peerhaven.circles.models import (
    ActionItem,
    Admission,
    AgendaItem,
    Ask,
    Circle,
    Invitation,
    Membership,
    Message,
    new_token,
)
from peerhaven.sponsorship.models import LetterRequest, Nomination, Opportunity
from tests.circles.conftest import future_meeting, membership_of, past_meeting
from tests.conftest import make_circle
from tests.test_access_matrix import build_url, request_leaving_no_trace, url_names

pytestmark = pytest.mark.django_db

RUN = uuid.uuid4().hex[:12]
KINDS = (
    "ask_title",
    "ask_context",
    "report_back",
    "note",
    "action_item",
    "message",
    "reply",
    "charter",
    "admission_note",
    "opportunity_title",
    "opportunity_text",
    "statement",
)
CANARIES = {kind: f"canary{kind.replace('_', '')}{RUN}" for kind in KINDS}


def found_in(text: str) -> set[str]:
    return {kind for kind, canary in CANARIES.items() if canary in text}


def post(client, name, args, data=None, **extra):
    response = client.post(reverse(f"circles:{name}", args=args), data or {}, **extra)
    assert response.status_code in (200, 302), (name, response.status_code)
    return response


@pytest.fixture
def scene(
    alice,
    bob,
    carol,
    dana,
    sam,
    erin,
    frank,
    gina,
    lakeshore,
    sample_program,
    sample_community,
    sample_outcomes,
    client_for,
    caplog,
    django_capture_on_commit_callbacks,
):
    """Everything members write, written through the site's own pages, with every query,
    log record and e-mail of the scenario kept for inspection."""
    for logger in ("", "django", "django.db.backends", "peerhaven"):
        caplog.set_level(logging.DEBUG, logger=logger)
    circle = make_circle(alice, [bob, frank], organization=lakeshore, accepts_requests=True)
    Circle.objects.filter(pk=circle.pk).update(state=Circle.State.ACTIVE)
    Membership.objects.filter(circle=circle).update(notify=Membership.Notify.EACH)
    circle.refresh_from_db()
    a, b, f = client_for(alice), client_for(bob), client_for(frank)
    meeting = future_meeting(circle, days_ahead=2)
    earlier = [past_meeting(circle, days_ago=days) for days in (28, 14)]

    with CaptureQueriesContext(connection), django_capture_on_commit_callbacks(execute=True):
        post(a, "charter_edit", [circle.pk], {"rules": f"1. {CANARIES['charter']} stays here."})
        post(b, "charter", [circle.pk])
        post(f, "charter", [circle.pk])
        post(
            b,
            "ask_create",
            [circle.pk],
            {
                "title": CANARIES["ask_title"],
                "context": CANARIES["ask_context"],
                "kind": "personal",
                "help_wanted": "advice",
            },
        )
        ask = Ask.objects.get()
        item = AgendaItem.objects.get(ask=ask)
        live = [circle.pk, meeting.pk, item.pk]
        htmx = {"HTTP_HX_REQUEST": "true"}
        post(a, "live_start", live, **htmx)
        post(a, "live_note", live, {"text": CANARIES["note"], "kind": "note"}, **htmx)
        post(a, "live_note", live, {"text": CANARIES["action_item"], "kind": "action"}, **htmx)
        post(a, "live_finish", live, **htmx)
        post(b, "ask", [circle.pk, ask.pk], {"text": CANARIES["report_back"]})
        post(b, "thread", [circle.pk], {"body": CANARIES["message"]})
        top = Message.objects.get()
        post(a, "thread", [circle.pk], {"body": CANARIES["reply"], "parent": top.pk})
        post(client_for(gina), "join", [circle.pk], {"note": CANARIES["admission_note"]})
        for past in earlier:  # bob misses two in a row: his private nudge goes out
            statuses = {f"member_{u.pk}": "present" for u in (alice, frank)}
            post(a, "attendance", [circle.pk, past.pk], {**statuses, f"member_{bob.pk}": "absent"})
        post(a, "invite", [circle.pk], {"email": "newcomer@example.org"})
        opportunity, nomination = sponsor_inside_the_circle(circle, a, b, alice, bob)
        post(f, "leave", [circle.pk])
        Membership.objects.create(circle=circle, user=erin)  # joined, has not agreed

    token, token_hash = new_token()
    invitation = Invitation.objects.create(
        circle=circle,
        email="invitee@example.org",
        invited_by=alice,
        token_hash=token_hash,
        expires_at=meeting.starts_at + dt.timedelta(days=7),
    )
    feed_token = meeting_actions.do_new_calendar_feed(frank)
    return {
        "circle": circle,
        "meeting": meeting,
        "ask": ask,
        "agenda_item": item,
        "action_item": ActionItem.objects.get(ask=ask),
        "invitation": invitation,
        "invitation_token": token,
        "admission": Admission.objects.get(is_join_request=True),
        "separation": Separation.objects.create(
            owner=alice, relation="supervisor", email="boss@example.org"
        ),
        "user": alice,
        "bob": bob,
        "feed_token": feed_token,
        **sample_program,  # program pages are crawled too: staff pages must not leak either
        **sample_community,  # and community pages
        **sample_outcomes,  # and outcomes pages: records, surveys, reports, exports
        "opportunity": opportunity,  # and sponsorship pages: the circle-only opportunity
        "nomination": nomination,
        "letter_request": LetterRequest.objects.create(
            nomination=nomination, writer=carol, requested_by=alice
        ),
        "organization": lakeshore,
    }


def sponsor_inside_the_circle(circle, alice_client, bob_client, alice, bob):
    """Bob shares an opportunity with the circle only; Alice nominates him for it with a
    statement: both through the pages, like the rest of the scene."""
    deadline = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    bob_client.post(
        reverse("sponsorship:opportunity_new"),
        {
            "kind": "award",
            "title": CANARIES["opportunity_title"],
            "description": CANARIES["opportunity_text"],
            "deadline": deadline,
            "audience": f"circle:{circle.pk}",
        },
    )
    opportunity = Opportunity.objects.get(circle=circle)
    nominate = reverse("sponsorship:nominate", args=[opportunity.pk])
    alice_client.post(nominate, {"nominee": bob.pk, "statement": CANARIES["statement"]})
    return opportunity, Nomination.objects.get(opportunity=opportunity, nominee=bob)


def get_urls(objects) -> list[tuple[str, str]]:
    """(url name, path) for every URL the site has, with the scenario's objects."""
    urls = [(name, build_url(name, pattern, objects)) for name, pattern in url_names()]
    urls.append(
        ("circles:calendar_feed", reverse("circles:calendar_feed", args=[objects["feed_token"]]))
    )
    return urls


def admin_object_urls() -> list[tuple[str, str]]:
    """Every registered model's list, and the change, history and delete pages of each of
    its objects."""
    urls = []
    for model, _ in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(("admin changelist", reverse("admin:{}_{}_changelist".format(*info))))
        for pk in model._default_manager.values_list("pk", flat=True)[:25]:
            for page in ("change", "history", "delete"):
                with contextlib.suppress(NoReverseMatch):
                    urls.append((f"admin {page}", reverse(f"admin:%s_%s_{page}" % info, args=[pk])))
    return urls


def crawl(client, urls) -> dict[str, set[str]]:
    """{url: canary kinds in its response} for every GET."""
    hits = {}
    for name, url in urls:
        response = request_leaving_no_trace(client, "get", url, {})
        body = response.content.decode(errors="replace")
        body += " ".join(f"{k}: {v}" for k, v in response.items())
        kinds = found_in(body)
        if kinds:
            hits[f"{name} {url} ({response.status_code})"] = kinds
    return hits


def test_the_canaries_reach_agreed_members_and_nobody_else(
    scene, alice, bob, carol, dana, sam, erin, frank, caplog
):
    urls = get_urls(scene)

    # The test can fail: an agreed member sees every kind of content.
    member = Client()
    member.force_login(bob)
    seen = set().union(*crawl(member, urls).values())
    assert seen == set(KINDS)

    # (a) A dump of every table shows no plaintext.
    assert dump_hits() == {}

    # (b) Every page, as every role that is not a current agreed member.
    roles = {
        "anonymous": None,
        "outsider": carol,
        "program staff": dana,
        "site admin": sam,
        "former member": frank,
        "not yet agreed": erin,
    }
    leaks = {}
    for role, person in roles.items():
        client = Client()
        if person is not None:
            client.force_login(person)
        role_urls = urls + admin_object_urls() if role == "site admin" else urls
        for page, kinds in crawl(client, role_urls).items():
            if (
                role == "not yet agreed"
                and page.startswith("circles:charter ")
                and kinds == {"charter"}
            ):
                continue  # the charter is what a newcomer reads in order to agree to it
            leaks[f"{role}: {page}"] = kinds
    assert leaks == {}

    # (c) No e-mail of the whole scenario carries content; and e-mails did go out.
    subjects = {message.subject for message in mail.outbox}
    assert "[Peerhaven] New message in Thursday Circle" in subjects
    assert "[Peerhaven] We missed you at Thursday Circle" in subjects
    assert any("membership decision" in s for s in subjects)
    for message in mail.outbox:
        text = message.subject + message.body + "".join(c for c, _ in message.alternatives)
        assert found_in(text) == set(), (message.subject, message.to)

    # (d) No log record, SQL included, carries content; and there were records to read.
    records = caplog.get_records("setup") + caplog.get_records("call")  # scenario and crawl
    assert any(r.name == "django.db.backends" for r in records)
    assert any(r.name == "django.request" for r in records)  # the crawl's 404s and 403s
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in records)
    assert found_in(logged) == set()


def dump_hits() -> dict[str, set[str]]:
    """{table.column: canary kinds} over every column of every table, read with raw SQL."""
    hits: dict[str, set[str]] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - names from the schema
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    text = (
                        value.decode(errors="replace") if isinstance(value, bytes) else str(value)
                    )
                    if kinds := found_in(text):
                        hits.setdefault(f"{table}.{column}", set()).update(kinds)
    return hits


def test_the_dump_check_would_see_plaintext(alice):
    """The dump reader is not blind: plaintext in an ordinary column is found."""
    make_circle(alice, name=CANARIES["message"])
    assert dump_hits() == {"circles_circle.name": {"message"}}


def test_a_member_is_not_a_member_of_the_next_circle(scene, alice, bob, carol, client_for):
    """Other circles: bob's own circle with carol shows none of the scene's content."""
    other = make_circle(carol, [bob], name="Another circle")
    client = client_for(bob)
    for name in ("detail", "thread", "members", "charter"):
        body = client.get(reverse(f"circles:{name}", args=[other.pk])).content.decode()
        assert found_in(body) == set(), name
    response = client.get(reverse("circles:ask", args=[other.pk, scene["ask"].pk]))
    assert response.status_code == 404
    assert membership_of(other, bob) is not None
