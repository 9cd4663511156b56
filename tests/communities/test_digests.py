"""Community e-mail digests: what they list (and never list), how a run survives a crash,
and the unsubscribe link that works without signing in."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peerhaven.communities import digests
from peerhaven.communities.actions import do_start_community
from peerhaven.communities.digests import period_key, run_digests, unsubscribe_token
from peerhaven.communities.models import (
    Community,
    DigestDelivery,
    Member,
    Post,
    SubGroup,
    SubGroupMember,
)
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

CANARY = "Zanzibarcanary"


def join(community, user, *, digest=Member.Digest.WEEKLY, **fields):
    return Member.objects.create(
        community=community,
        user=user,
        joined_at=timezone.now(),
        rules_agreed_version=community.rules_version,
        digest=digest,
        **fields,
    )


def thread(community, author, title, *, subgroup=None, ago=dt.timedelta(hours=1), **fields):
    when = timezone.now() - ago
    return Post.objects.create(
        community=community,
        subgroup=subgroup,
        author=author,
        title=title,
        body="Body text that no e-mail carries.",
        body_html="<p>Body text that no e-mail carries.</p>",
        created_at=when,
        last_activity_at=when,
        **fields,
    )


@pytest.fixture
def community(alice):
    """Alice owns it (her digest is off unless a test turns it on); Bob gets a weekly one."""
    community = do_start_community(
        acting_user=alice,
        name="Physician Parents",
        rules=[("No political posts", "")],
        questions=[],
        join_policy=Community.JoinPolicy.OPEN,
    )
    community.members.filter(user=alice).update(digest=Member.Digest.NONE)
    return community


@pytest.fixture
def groups(community, alice, bob):
    """Chicago (Bob follows), Oncology (Bob belongs, unfollowed), Grief (private, Alice's)."""
    chicago = SubGroup.objects.create(community=community, name="Chicago", kind="region")
    oncology = SubGroup.objects.create(community=community, name="Oncology", kind="specialty")
    grief = SubGroup.objects.create(community=community, name="Grief", private=True)
    SubGroupMember.objects.create(subgroup=chicago, user=bob)
    SubGroupMember.objects.create(subgroup=oncology, user=bob, following=False)
    SubGroupMember.objects.create(subgroup=grief, user=alice)
    return {"chicago": chicago, "oncology": oncology, "grief": grief}


@pytest.fixture
def bob_member(community, bob):
    return join(community, bob)


def send(period, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return run_digests(period, **kwargs)


def everything_in(message) -> str:
    return message.subject + message.body + message.alternatives[0][0]


# --- What a digest lists -----------------------------------------------------------------


def test_titles_are_escaped_in_the_html_digest(
    community, groups, bob_member, carol, django_capture_on_commit_callbacks
):
    thread(community, carol, "<b>Bold</b> & more", subgroup=groups["chicago"])
    send("weekly", django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; more" in message.alternatives[0][0]
    assert "<b>Bold</b> & more" in message.body  # plain text stays plain


def test_digest_lists_new_threads_of_followed_groups_and_the_whole_community(
    community, groups, alice, bob, bob_member, carol, django_capture_on_commit_callbacks
):
    join(community, carol, digest=Member.Digest.NONE)
    chicago = thread(
        community, carol, "Daycare near Rush", subgroup=groups["chicago"], reply_count=3
    )
    thread(community, carol, "Whole community welcome")
    thread(community, carol, f"Oncology {CANARY} unfollowed", subgroup=groups["oncology"])
    thread(community, alice, f"Grief {CANARY} private", subgroup=groups["grief"])
    thread(community, carol, f"Held {CANARY}", subgroup=groups["chicago"], state=Post.State.HELD)
    thread(community, carol, f"Removed {CANARY}", state=Post.State.REMOVED)
    thread(community, carol, f"Hidden {CANARY}", state=Post.State.HIDDEN)
    thread(community, carol, f"Old {CANARY}", subgroup=groups["chicago"], ago=dt.timedelta(days=8))
    thread(community, bob, f"Bob's own {CANARY}", subgroup=groups["chicago"])
    Post.objects.create(
        community=community, parent=chicago, author=carol, body=f"Reply {CANARY}", body_html="-"
    )

    assert send("weekly", django_capture_on_commit_callbacks) == 1

    [message] = mail.outbox
    assert message.to == [bob.email]
    assert message.subject == "[Peerhaven] 2 new threads in “Physician Parents”"
    text = everything_in(message)
    assert "Daycare near Rush" in text
    assert "Whole community welcome" in text
    assert "Chicago · 3 replies" in message.body
    assert reverse("communities:post", args=[community.pk, chicago.pk]) in message.body
    html = message.alternatives[0][0]
    assert f'/communities/{community.pk}/posts/{chicago.pk}/">Daycare near Rush</a>' in html
    assert CANARY not in text
    assert "Body text" not in text
    # Everything listed is within the member's reach, by the access rule itself.
    reachable = set(Post.objects.in_reach_of(bob_member).values_list("title", flat=True))
    assert {"Daycare near Rush", "Whole community welcome"} <= reachable


def test_private_group_threads_reach_its_members(
    community, groups, alice, bob, bob_member, django_capture_on_commit_callbacks
):
    community.members.filter(user=alice).update(digest=Member.Digest.WEEKLY)
    thread(community, bob, f"Grief {CANARY}", subgroup=groups["grief"])

    send("weekly", django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.to == [alice.email]
    assert CANARY in message.body


def test_nothing_new_sends_nothing_and_records_nothing(
    community, groups, bob_member, carol, django_capture_on_commit_callbacks
):
    thread(community, carol, "Unfollowed only", subgroup=groups["oncology"])

    assert send("weekly", django_capture_on_commit_callbacks) == 0

    assert mail.outbox == []
    assert not DigestDelivery.objects.exists()
    bob_member.refresh_from_db()
    assert bob_member.digest_sent_at is None


def test_members_who_are_not_active_or_chose_no_digest_get_none(
    community, carol, erin, django_capture_on_commit_callbacks
):
    join(community, carol, state=Member.State.BANNED)
    join(community, erin, digest=Member.Digest.NONE)
    dana = make_member("left@example.org", "Lee Left")
    join(community, dana, state=Member.State.LEFT)
    thread(community, community.created_by, "News for everyone")

    assert send("weekly", django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_daily_and_weekly_are_separate_runs_over_their_own_periods(
    community, bob, carol, erin, django_capture_on_commit_callbacks
):
    join(community, bob, digest=Member.Digest.DAILY)
    join(community, erin, digest=Member.Digest.WEEKLY)
    thread(community, carol, "From this morning", ago=dt.timedelta(hours=3))
    thread(community, carol, "From three days ago", ago=dt.timedelta(days=3))

    assert send("daily", django_capture_on_commit_callbacks) == 1
    [daily] = mail.outbox
    assert daily.to == [bob.email]
    assert "From this morning" in daily.body
    assert "three days ago" not in daily.body
    assert "daily digest" in daily.body

    assert send("weekly", django_capture_on_commit_callbacks) == 1
    weekly = mail.outbox[1]
    assert weekly.to == [erin.email]
    assert "From this morning" in weekly.body
    assert "From three days ago" in weekly.body


def test_next_digest_starts_where_the_last_one_ended(
    community, bob_member, carol, django_capture_on_commit_callbacks
):
    thread(community, carol, "First week's thread")
    send("weekly", django_capture_on_commit_callbacks)
    thread(community, carol, "Second week's thread", ago=dt.timedelta(0))

    next_week = timezone.now() + dt.timedelta(days=7)
    send("weekly", django_capture_on_commit_callbacks, now=next_week)

    assert len(mail.outbox) == 2
    assert "Second week's thread" in mail.outbox[1].body
    assert "First week's thread" not in mail.outbox[1].body


def test_a_digest_lists_at_most_the_top_threads_most_replied_first(
    community, bob_member, carol, django_capture_on_commit_callbacks
):
    for replies in range(digests.THREADS_PER_DIGEST + 5):
        thread(community, carol, f"Thread with {replies:02d} replies", reply_count=replies)

    send("weekly", django_capture_on_commit_callbacks)

    body = mail.outbox[0].body
    assert body.count("Thread with") == digests.THREADS_PER_DIGEST
    assert body.index("14 replies") < body.index("13 replies")
    assert "Thread with 04 replies" not in body


# --- Exactly once ------------------------------------------------------------------------


def test_the_same_period_run_twice_sends_nobody_two_copies(
    community, bob_member, carol, django_capture_on_commit_callbacks
):
    thread(community, carol, "Only once")
    assert send("weekly", django_capture_on_commit_callbacks) == 1
    thread(community, carol, "Later the same week", ago=dt.timedelta(0))

    assert send("weekly", django_capture_on_commit_callbacks) == 0

    assert len(mail.outbox) == 1
    assert DigestDelivery.objects.get().period == period_key("weekly", timezone.now())


def test_a_run_that_crashes_resumes_without_sending_anyone_twice(
    community, carol, django_capture_on_commit_callbacks
):
    people = [make_member(f"member{i}@example.org", f"Member {i}") for i in range(5)]
    for person in people:
        join(community, person)
    thread(community, carol, "News")
    real_message = digests._digest_message
    calls = []

    def crash_on_the_third(member, threads, community_url):
        calls.append(member)
        if len(calls) == 3:
            raise RuntimeError("the worker died")
        return real_message(member, threads, community_url)

    with (
        mock.patch.object(digests, "_digest_message", crash_on_the_third),
        pytest.raises(RuntimeError),
    ):
        send("weekly", django_capture_on_commit_callbacks, batch_size=2)
    # The first batch of two committed; the second rolled back with nothing queued.
    assert sorted(m.to[0] for m in mail.outbox) == ["member0@example.org", "member1@example.org"]

    assert send("weekly", django_capture_on_commit_callbacks, batch_size=2) == 3

    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert DigestDelivery.objects.count() == 5


def test_queries_do_not_grow_with_members(community, carol):
    def queries_for(count, weeks_on):
        now = timezone.now() + dt.timedelta(weeks=weeks_on)
        thread(
            community, carol, f"News {weeks_on}", ago=timezone.now() - now + dt.timedelta(hours=1)
        )
        people = [make_member(f"q{weeks_on}.{i}@example.org", f"Q {i}") for i in range(count)]
        for person in people:
            join(community, person)
        with CaptureQueriesContext(connection) as queries:
            assert run_digests("weekly", now=now) == count
        Member.objects.update(digest=Member.Digest.NONE)
        return len(queries)

    # A batch: members, followed groups, threads, then deliveries, e-mails and sent times in
    # one transaction (a savepoint here), and the empty next batch.
    assert queries_for(2, weeks_on=0) == queries_for(7, weeks_on=10) == 8


def test_unknown_period_is_refused():
    with pytest.raises(ValueError, match="Unknown digest period"):
        run_digests("hourly")


def test_command_queues_the_run_for_the_worker(
    community, bob_member, carol, django_capture_on_commit_callbacks
):
    thread(community, carol, "Queued")
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_community_digests", "--period", "weekly", stdout=out)

    assert "Weekly digests queued" in out.getvalue()
    assert [m.to for m in mail.outbox] == [[bob_member.user.email]]


def test_command_can_run_in_place(community, bob_member, carol, django_capture_on_commit_callbacks):
    thread(community, carol, "In place")
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_community_digests", "--period", "weekly", "--now", stdout=out)

    assert out.getvalue().strip() == "1 weekly digest sent."


# --- Unsubscribing -----------------------------------------------------------------------


def unsubscribe_path(member) -> str:
    return reverse("communities:unsubscribe", args=[unsubscribe_token(member)])


def test_the_email_carries_one_click_unsubscribe_headers(
    community, bob_member, carol, django_capture_on_commit_callbacks
):
    thread(community, carol, "News")
    send("weekly", django_capture_on_commit_callbacks)

    [message] = mail.outbox
    header = message.message()["List-Unsubscribe"]
    assert header.startswith("<http")
    assert header.endswith(">")
    assert message.message()["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = header[1:-1].split("/communities/", 1)[1]
    assert Client().get("/communities/" + path).status_code == 200
    assert header[1:-1] in message.body
    assert header[1:-1] in message.alternatives[0][0]


def test_get_only_asks(bob_member):
    response = Client().get(unsubscribe_path(bob_member))

    assert response.status_code == 200
    assert "Stop digests from Physician Parents?" in response.content.decode()
    bob_member.refresh_from_db()
    assert bob_member.digest == Member.Digest.WEEKLY


def test_post_from_the_page_unsubscribes_without_signing_in(bob_member):
    client = Client(enforce_csrf_checks=True)
    path = unsubscribe_path(bob_member)
    client.get(path)

    response = client.post(path, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})

    assert response.status_code == 200
    page = response.content.decode()
    assert "You will get no more digests from Physician Parents." in page
    assert reverse("communities:detail", args=[bob_member.community_id]) in page
    bob_member.refresh_from_db()
    assert bob_member.digest == Member.Digest.NONE


def test_post_from_the_page_needs_its_csrf_token(bob_member):
    response = Client(enforce_csrf_checks=True).post(unsubscribe_path(bob_member))

    assert response.status_code == 403
    bob_member.refresh_from_db()
    assert bob_member.digest == Member.Digest.WEEKLY


def test_one_click_post_from_a_mail_client_unsubscribes(bob_member):
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_path(bob_member), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert response.content.decode() == "You will get no more digests from Physician Parents."
    bob_member.refresh_from_db()
    assert bob_member.digest == Member.Digest.NONE


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: signing.dumps(999_999, salt="someone else's salt"),
        lambda token: "not-a-token",
        lambda token: signing.dumps("1", salt=digests.UNSUBSCRIBE_SALT),
    ],
    ids=["tampered", "wrong-salt", "garbage", "not-a-member-id"],
)
def test_forged_tokens_are_refused_and_change_nothing(bob_member, forge):
    path = reverse("communities:unsubscribe", args=[forge(unsubscribe_token(bob_member))])

    for response in (
        Client().get(path),
        Client().post(path),
        Client().post(path, {"List-Unsubscribe": "One-Click"}),
    ):
        assert response.status_code == 400
        assert "nothing was changed" in response.content.decode()
    bob_member.refresh_from_db()
    assert bob_member.digest == Member.Digest.WEEKLY


def test_a_token_for_another_member_changes_only_that_member(community, bob_member, carol):
    carol_member = join(community, carol)

    Client().post(unsubscribe_path(carol_member), {"List-Unsubscribe": "One-Click"})

    bob_member.refresh_from_db()
    carol_member.refresh_from_db()
    assert (bob_member.digest, carol_member.digest) == (Member.Digest.WEEKLY, Member.Digest.NONE)


def test_expired_tokens_are_refused(bob_member, monkeypatch):
    path = unsubscribe_path(bob_member)
    monkeypatch.setattr(digests, "UNSUBSCRIBE_MAX_AGE", dt.timedelta(seconds=-1))

    response = Client().post(path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 400
    bob_member.refresh_from_db()
    assert bob_member.digest == Member.Digest.WEEKLY


def test_a_deleted_membership_is_not_found(bob_member):
    path = unsubscribe_path(bob_member)
    bob_member.delete()

    assert Client().get(path).status_code == 400
