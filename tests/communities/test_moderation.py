"""Moderation through the pages: the review queue, post and member actions, the log,
unmasking, join requests and invitations, and the walls between communities.

In community A alice owns, erin moderates, bob is a member. Community B is carol's, with
dana a member: erin has no power there."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peerhaven.communities import actions, moderation
from peerhaven.communities.actions import CommunityError
from peerhaven.communities.models import (
    Community,
    Member,
    ModerationAction,
    Post,
    Report,
    SubGroupMember,
)
from tests.conftest import make_member

from .conftest import join, start_community

pytestmark = pytest.mark.django_db

SECRET = "The canary body text that must never leave the community"
Kind = ModerationAction.Kind


@pytest.fixture
def other(carol, dana):
    """Community B, where erin is nobody."""
    community = start_community(carol, name="Women in Endocrinology")
    join(community, dana)
    return community


@pytest.fixture
def other_post(other, dana):
    member = other.members.get(user=dana)
    post = actions.do_post(member, title="B's thread", body="B's words")
    actions.do_report(post, other.members.get(user__email="carol@example.org"), rule=rule(other))
    return post


@pytest.fixture
def frank(db):
    return make_member("frank@example.org", "Frank Foster")


def rule(community, number=1):
    return community.rules.get(number=number)


def post_url(community, post, suffix=""):
    return reverse("communities:moderation_post", args=[community.pk, post.pk]) + suffix


def member_url(community, row):
    return reverse("communities:moderation_member", args=[community.pk, row.pk])


def queue_url(community, query=""):
    return reverse("communities:moderation", args=[community.pk]) + query


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def log_kinds(community) -> list[str]:
    return list(community.moderation_log.order_by("pk").values_list("kind", flat=True))


def held_post(community, member, **fields):
    Community.objects.filter(pk=community.pk).update(hold_first_posts=1)
    member.community.refresh_from_db()
    post = actions.do_post(member, **{"title": "Held thread", "body": SECRET, **fields})
    assert post.state == Post.State.HELD
    return post


def reported_post(community, author, reporters, *, title="Reported thread", body=SECRET):
    post = actions.do_post(author, title=title, body=body)
    for reporter in reporters:
        actions.do_report(post, reporter, rule=rule(community, 3), note="Politics again")
    return post


# --- Posts ---------------------------------------------------------------------------------


def test_approving_a_held_post_publishes_it_and_logs(community, member, moderator, client_for):
    post = held_post(community, member)
    client = client_for(moderator.user)
    assert "Held thread" in client.get(queue_url(community)).content.decode()

    response = client.post(post_url(community, post), {"action": "approve"}, follow=True)

    post.refresh_from_db()
    assert post.state == Post.State.PUBLISHED
    assert post.held_reason == ""
    assert messages_of(response) == ["Approved: the post is published."]
    entry = community.moderation_log.get()
    assert (entry.kind, entry.post, entry.moderator) == (Kind.APPROVE, post, moderator.user)
    assert "Held thread" not in client.get(queue_url(community)).content.decode()


def test_approving_a_held_reply_counts_it_and_lifts_its_thread(
    community, moderator, thread, frank, client_for
):
    newcomer = join(community, frank)
    reply = held_post(community, newcomer, title="", body="A held reply", parent=thread)
    thread.refresh_from_db()
    assert thread.reply_count == 0
    before = thread.last_activity_at

    client_for(moderator.user).post(post_url(community, reply), {"action": "approve"})

    thread.refresh_from_db()
    assert thread.reply_count == 1
    assert thread.last_activity_at > before


def test_reply_count_follows_hide_remove_and_restore(
    community, member, owner, moderator, thread, client_for
):
    reply = actions.do_post(owner, parent=thread, body="A published reply")
    client = client_for(moderator.user)

    def count():
        thread.refresh_from_db()
        return thread.reply_count

    assert count() == 1
    client.post(post_url(community, reply), {"action": "hide"})
    assert count() == 0
    # Removing what is already hidden does not count it out twice.
    client.post(post_url(community, reply), {"action": "remove", "rule": rule(community).pk})
    assert count() == 0
    client.post(post_url(community, reply), {"action": "restore"})
    assert count() == 1
    client.post(post_url(community, reply), {"action": "remove", "rule": rule(community).pk})
    assert count() == 0
    assert log_kinds(community) == [Kind.HIDE, Kind.REMOVE, Kind.RESTORE, Kind.REMOVE]


def test_hiding_the_accepted_answer_reopens_the_question(community, member, owner, moderator):
    question = actions.do_post(member, title="Q?", body="Ideas?", kind=Post.Kind.QUESTION)
    answer = actions.do_post(owner, parent=question, body="This.")
    actions.do_accept_answer(question, answer, member)
    moderation.do_hide(answer, acting=moderator)
    question.refresh_from_db()
    assert question.accepted_answer is None


def test_removing_cites_a_rule_resolves_reports_and_tells_the_author(
    community, member, owner, moderator, client_for, bob, django_capture_on_commit_callbacks
):
    post = reported_post(community, member, [owner, moderator])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(moderator.user).post(
            post_url(community, post),
            {"action": "remove", "rule": rule(community, 3).pk, "note": "third time"},
            follow=True,
        )

    post.refresh_from_db()
    assert (post.state, post.removed_for, post.report_count) == (
        Post.State.REMOVED,
        rule(community, 3),
        0,
    )
    assert not post.reports.filter(resolved_at__isnull=True).exists()
    assert post.reports.count() == 2
    assert messages_of(response) == ["Removed for rule 3; the author is told which rule."]
    entry = community.moderation_log.get()
    assert (entry.kind, entry.rule, entry.member, entry.note) == (
        Kind.REMOVE,
        rule(community, 3),
        bob,
        "third time",
    )
    [email] = mail.outbox
    assert email.to == ["bob@example.org"]
    text = email.body + email.alternatives[0][0] + email.subject
    assert "No political posts" in text
    assert "rule 3" in text
    assert "Reported thread" in text
    assert SECRET not in text
    assert "third time" not in text


def test_removing_a_reply_names_its_thread_not_its_text(
    community, member, owner, moderator, thread, django_capture_on_commit_callbacks
):
    reply = actions.do_post(owner, parent=thread, body=SECRET)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.do_remove(reply, acting=moderator, rule=rule(community, 2))
    [email] = mail.outbox
    assert email.to == ["alice@example.org"]
    assert "Negotiating a start-up package" in email.body
    assert "Protect patients" in email.body
    assert SECRET not in email.body + email.alternatives[0][0]


def test_removing_without_a_rule_is_refused_clearly(
    community, member, owner, moderator, client_for, django_capture_on_commit_callbacks
):
    post = reported_post(community, member, [owner])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(moderator.user).post(
            post_url(community, post), {"action": "remove", "rule": ""}, follow=True
        )

    assert messages_of(response) == ["Choose the rule this post breaks: its author is told which."]
    post.refresh_from_db()
    assert (post.state, post.report_count) == (Post.State.PUBLISHED, 1)
    assert not community.moderation_log.exists()
    assert mail.outbox == []


def test_removing_for_another_communitys_rule_is_refused(
    community, member, moderator, other, client_for
):
    post = actions.do_post(member, title="T", body="B")
    response = client_for(moderator.user).post(
        post_url(community, post), {"action": "remove", "rule": rule(other).pk}, follow=True
    )
    # B's rule is not a choice on A's form: the form treats it as no rule at all.
    assert messages_of(response) == ["That is not something a moderator can do to a post."]
    with pytest.raises(CommunityError, match="Choose the rule"):
        moderation.do_remove(post, acting=moderator, rule=rule(other))
    post.refresh_from_db()
    assert post.state == Post.State.PUBLISHED


def test_locking_a_thread_stops_replies_until_unlocked(
    community, member, owner, moderator, thread, client_for
):
    client = client_for(moderator.user)
    response = client.post(post_url(community, thread), {"action": "lock"}, follow=True)
    assert messages_of(response) == ["Thread locked: no more replies."]
    thread.refresh_from_db()
    assert thread.locked
    with pytest.raises(CommunityError, match="locked"):
        actions.do_post(owner, parent=thread, body="One more thing")
    response = client.post(post_url(community, thread), {"action": "lock"}, follow=True)
    assert messages_of(response) == ["This thread is already locked."]

    client.post(post_url(community, thread), {"action": "unlock"})
    thread.refresh_from_db()
    assert not thread.locked
    actions.do_post(owner, parent=thread, body="One more thing")
    assert log_kinds(community) == [Kind.LOCK, Kind.UNLOCK]


def test_dismissing_reports_keeps_the_post_and_empties_the_queue(
    community, member, owner, moderator, client_for
):
    post = reported_post(community, member, [owner])
    client = client_for(moderator.user)

    client.post(post_url(community, post), {"action": "dismiss"})

    post.refresh_from_db()
    assert (post.state, post.report_count) == (Post.State.PUBLISHED, 0)
    assert Report.objects.get(post=post).resolved_at is not None
    assert log_kinds(community) == [Kind.DISMISS]
    assert list(client.get(queue_url(community)).context["page"]) == []
    response = client.post(post_url(community, post), {"action": "dismiss"}, follow=True)
    assert messages_of(response) == ["This post has no open reports."]


def test_hiding_resolves_reports_without_telling_the_author(
    community, member, owner, moderator, client_for, django_capture_on_commit_callbacks
):
    post = reported_post(community, member, [owner])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(moderator.user).post(post_url(community, post), {"action": "hide"})
    post.refresh_from_db()
    assert (post.state, post.report_count) == (Post.State.HIDDEN, 0)
    assert mail.outbox == []


def test_an_unknown_action_is_refused(community, member, moderator, thread, client_for):
    response = client_for(moderator.user).post(
        post_url(community, thread), {"action": "delete"}, follow=True
    )
    assert messages_of(response) == ["That is not something a moderator can do to a post."]
    assert not community.moderation_log.exists()


def test_after_an_action_the_moderator_goes_back_to_the_same_site_page_only(
    community, member, moderator, thread, client_for
):
    client = client_for(moderator.user)
    back = queue_url(community, "?order=reports&page=2")
    response = client.post(post_url(community, thread), {"action": "lock", "next": back})
    assert response.url == back
    response = client.post(
        post_url(community, thread), {"action": "unlock", "next": "https://evil.example/"}
    )
    assert response.url == queue_url(community)


# --- The queue -----------------------------------------------------------------------------


def test_queue_orders_newest_or_most_reported_first(
    community, member, owner, moderator, frank, client_for
):
    more = [join(community, make_member(f"p{i}@example.org", f"Peer {i}")) for i in range(3)]
    one = reported_post(community, member, [owner], title="One report")
    three = reported_post(community, member, [owner, *more[:2]], title="Three reports")
    two = reported_post(community, member, [owner, more[2]], title="Two reports")
    client = client_for(moderator.user)

    newest = client.get(queue_url(community))
    assert list(newest.context["page"]) == [two, three, one]
    by_reports = client.get(queue_url(community, "?order=reports"))
    assert list(by_reports.context["page"]) == [three, two, one]
    assert [len(post.open_reports) for post in by_reports.context["page"]] == [3, 2, 1]
    page = by_reports.content.decode()
    assert "Rule 3: No political posts" in page
    assert "Politics again" in page
    assert page.index("Three reports") < page.index("Two reports") < page.index("One report")
    # Anything else is the default order, not an error.
    assert client.get(queue_url(community, "?order=drop+table")).context["order"] == "newest"


def test_queue_shows_the_text_as_typed_and_escaped(community, member, owner, moderator, client_for):
    reported_post(
        community,
        member,
        [owner],
        body="<script>alert(1)</script> [click](javascript:alert(2)) **bold words**",
    )
    page = client_for(moderator.user).get(queue_url(community)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "[click](javascript:alert(2)) **bold words**" in page  # the real link target
    assert "<script>alert" not in page
    assert 'href="javascript' not in page


def test_queue_names_anonymous_authors_to_nobody(community, member, owner, moderator, client_for):
    post = actions.do_post(member, title="Anonymous worry", body="...", anonymous=True)
    actions.do_report(post, owner, rule=rule(community))
    page = client_for(moderator.user).get(queue_url(community)).content.decode()
    assert "Anonymous worry" in page
    assert "Anonymous</span>" in page
    assert "Bob Baker" not in page
    assert reverse("communities:moderation_unmask", args=[community.pk, post.pk]) in page


@pytest.mark.parametrize("posts", [3, 12])
def test_queue_query_count_does_not_grow_with_the_page(
    community, member, owner, moderator, frank, client_for, django_assert_num_queries, posts
):
    reporters = [owner, moderator]
    for i in range(posts):
        reported_post(community, member, reporters, title=f"Thread {i}")
    held_post(community, join(community, frank), title="Held")
    client = client_for(moderator.user)
    # The request's own 6 (session, user, profile, a session save in a savepoint), the
    # membership, the page count, the rules, one page of posts and one of their reports,
    # and the two counts of what waits, on the Moderation tab.
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(queue_url(community, "?order=reports"))
    assert len(response.context["page"]) == posts + 1


QUEUE_QUERIES = 13


def test_queue_is_paginated(community, member, owner, moderator, client_for):
    member.community.posts_per_hour = 100
    for i in range(23):
        reported_post(community, member, [owner], title=f"Thread {i}")
    client = client_for(moderator.user)
    first = client.get(queue_url(community))
    assert len(first.context["page"]) == 20
    assert "?order=newest&amp;page=2" in first.content.decode()
    second = client.get(queue_url(community, "?order=newest&page=2"))
    assert [p.title for p in second.context["page"]] == ["Thread 2", "Thread 1", "Thread 0"]


# --- Edit history and unmasking ------------------------------------------------------------


def test_moderators_read_the_edit_history(community, member, moderator, client_for, bob):
    post = actions.do_post(member, title="First title", body="First words")
    actions.do_edit_post(post, member, title="Second title", body="Second words")
    url = post_url(community, post, "history/")

    page = client_for(moderator.user).get(url).content.decode()

    assert "First title" in page
    assert "First words" in page
    assert "Second words" in page
    assert client_for(bob).get(url).status_code == 403


def test_unmasking_reveals_the_author_and_logs_every_look(community, member, moderator, client_for):
    post = actions.do_post(member, title="Anonymous worry", body="...", anonymous=True)
    client = client_for(moderator.user)
    url = post_url(community, post, "unmask/")

    first = client.post(url)
    client.post(url)

    assert first.status_code == 200
    assert "Bob Baker" in first.content.decode()
    entries = community.moderation_log.filter(kind=Kind.UNMASK)
    assert entries.count() == 2
    # The log names the post and who looked, not the author.
    assert set(entries.values_list("post", "moderator", "member")) == {
        (post.pk, moderator.user_id, None)
    }
    assert client.get(url).status_code == 405


def test_unmasking_a_named_post_is_refused(community, member, moderator, thread, client_for):
    response = client_for(moderator.user).post(post_url(community, thread, "unmask/"), follow=True)
    assert messages_of(response) == ["This post is not anonymous."]
    assert not community.moderation_log.exists()


def test_removing_an_anonymous_post_does_not_name_its_author_in_the_log(
    community, member, moderator
):
    post = actions.do_post(member, title="Anonymous worry", body="...", anonymous=True)
    moderation.do_remove(post, acting=moderator, rule=rule(community))
    assert community.moderation_log.get().member is None


# --- Members -------------------------------------------------------------------------------


def test_warning_names_the_rule_in_the_email(
    community, member, moderator, client_for, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(moderator.user).post(
            member_url(community, member),
            {"action": "warn", "rule": rule(community, 1).pk, "note": SECRET},
            follow=True,
        )
    assert messages_of(response) == ["Bob Baker is warned; the e-mail names rule 1."]
    entry = community.moderation_log.get()
    assert (entry.kind, entry.member, entry.rule) == (Kind.WARN, member.user, rule(community, 1))
    [email] = mail.outbox
    assert email.to == ["bob@example.org"]
    assert "Be kind" in email.body
    assert SECRET not in email.body + email.alternatives[0][0]


def test_warning_without_a_rule_is_refused(community, member, moderator, client_for):
    response = client_for(moderator.user).post(
        member_url(community, member), {"action": "warn"}, follow=True
    )
    assert messages_of(response) == [
        "Choose the rule you are warning them about: the e-mail names it."
    ]
    assert not community.moderation_log.exists()


def test_a_muted_member_cannot_post_until_the_date(
    community, member, moderator, client_for, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(moderator.user).post(
            member_url(community, member), {"action": "mute", "days": "7", "rule": ""}
        )
    member.refresh_from_db()
    assert member.muted_until == pytest.approx(
        timezone.now() + dt.timedelta(days=7), abs=dt.timedelta(minutes=1)
    )
    entry = community.moderation_log.get()
    assert (entry.kind, entry.until) == (Kind.MUTE, member.muted_until)
    [email] = mail.outbox
    assert timezone.localtime(member.muted_until).strftime("%-d %B %Y") in email.body

    with pytest.raises(CommunityError) as refused:
        actions.do_post(member, title="Still here", body="Hello")
    assert timezone.localtime(member.muted_until).strftime("%-d %b %Y") in str(refused.value)

    client_for(moderator.user).post(member_url(community, member), {"action": "unmute"})
    member.refresh_from_db()
    assert member.muted_until is None
    actions.do_post(member, title="Back", body="Hello again")
    assert log_kinds(community) == [Kind.MUTE, Kind.UNMUTE]


@pytest.mark.parametrize("days", ["0", "91", "-3", "", "a week"])
def test_mute_length_must_be_1_to_90_days(community, member, moderator, client_for, days):
    response = client_for(moderator.user).post(
        member_url(community, member), {"action": "mute", "days": days}, follow=True
    )
    [message] = messages_of(response)
    assert "1 to 90" in message or "whole number" in message
    member.refresh_from_db()
    assert member.muted_until is None
    assert not community.moderation_log.exists()
    with pytest.raises(CommunityError, match="1 to 90 days"):
        moderation.do_mute(member, acting=moderator, days=91)


def test_removing_a_member_takes_them_out_of_groups(
    community, member, moderator, subgroup, client_for
):
    actions.do_join_subgroup(member, subgroup)
    client_for(moderator.user).post(member_url(community, member), {"action": "remove"})
    member.refresh_from_db()
    assert member.state == Member.State.REMOVED
    assert not SubGroupMember.objects.filter(user=member.user).exists()
    assert log_kinds(community) == [Kind.REMOVE_MEMBER]
    # Removed is not banned: an open community takes them back.
    actions.do_join(community, acting_user=member.user)


def test_a_banned_member_cannot_rejoin(community, member, moderator, client_for, bob):
    client_for(moderator.user).post(member_url(community, member), {"action": "ban"})
    member.refresh_from_db()
    assert member.state == Member.State.BANNED
    assert log_kinds(community) == [Kind.BAN]
    with pytest.raises(CommunityError, match="banned"):
        actions.do_join(community, acting_user=bob)
    assert client_for(bob).get(queue_url(community)).status_code == 404


def test_only_owners_change_roles(community, member, owner, moderator, client_for):
    response = client_for(moderator.user).post(
        member_url(community, member), {"action": "moderator"}, follow=True
    )
    assert messages_of(response) == ["Only the community's owners can do this."]
    member.refresh_from_db()
    assert member.role == Member.Role.MEMBER

    client_for(owner.user).post(member_url(community, member), {"action": "moderator"})
    member.refresh_from_db()
    assert member.role == Member.Role.MODERATOR
    client_for(owner.user).post(member_url(community, member), {"action": "member"})
    member.refresh_from_db()
    assert member.role == Member.Role.MEMBER
    assert log_kinds(community) == [Kind.PROMOTE, Kind.DEMOTE]


def test_moderators_cannot_act_on_owners_or_themselves(community, owner, moderator, client_for):
    client = client_for(moderator.user)
    for target, action in [(owner, "ban"), (owner, "member"), (moderator, "mute")]:
        response = client.post(
            member_url(community, target), {"action": action, "days": "3"}, follow=True
        )
        assert messages_of(response)[0] in {
            "Moderators cannot act on the community's owners.",
            "Only the community's owners can do this.",
            "You cannot moderate yourself.",
        }
    owner.refresh_from_db()
    moderator.refresh_from_db()
    assert (owner.state, owner.role) == (Member.State.ACTIVE, Member.Role.OWNER)
    assert moderator.muted_until is None
    assert not community.moderation_log.exists()


def test_an_owner_can_step_down_only_while_another_owner_remains(community, owner, member):
    member.role = Member.Role.OWNER
    member.save()
    moderation.do_set_role(member, Member.Role.MODERATOR, acting=owner)
    member.refresh_from_db()
    assert member.role == Member.Role.MODERATOR
    with pytest.raises(CommunityError, match="yourself"):
        moderation.do_set_role(owner, Member.Role.MEMBER, acting=owner)


def test_join_requests_are_read_and_decided(
    community, moderator, bob, carol, client_for, django_capture_on_commit_callbacks
):
    Community.objects.filter(pk=community.pk).update(join_policy=Community.JoinPolicy.REQUEST)
    community.refresh_from_db()
    bob_row = actions.do_request_to_join(community, ["Chicago, paediatrics"], acting_user=bob)
    carol_row = actions.do_request_to_join(community, ["Boston"], acting_user=carol)
    client = client_for(moderator.user)
    page = client.get(reverse("communities:moderation_members", args=[community.pk]))
    html = page.content.decode()
    assert "Where do you practise?" in html
    assert "Chicago, paediatrics" in html
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(member_url(community, bob_row), {"action": "admit"})
        client.post(member_url(community, carol_row), {"action": "decline"})

    bob_row.refresh_from_db()
    carol_row.refresh_from_db()
    assert (bob_row.state, carol_row.state) == (Member.State.ACTIVE, Member.State.DECLINED)
    assert log_kinds(community) == [Kind.ADMIT, Kind.DECLINE]
    assert [email.to for email in mail.outbox] == [["bob@example.org"]]


def test_inviting_by_address(
    community, moderator, client_for, frank, django_capture_on_commit_callbacks
):
    url = reverse("communities:moderation_invite", args=[community.pk])
    client = client_for(moderator.user)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "FRANK@example.org"})

    assert response.status_code == 302
    assert community.members.get(user=frank).state == Member.State.INVITED
    [email] = mail.outbox
    assert email.to == ["frank@example.org"]


@pytest.mark.parametrize("address", ["nobody@example.org", "unverified@example.org"])
def test_inviting_an_unknown_address_says_only_that(
    community, moderator, client_for, address, django_capture_on_commit_callbacks
):
    ghost = make_member("ghost@example.org", "Ghost")
    EmailAddress.objects.create(user=ghost, email="unverified@example.org", verified=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(moderator.user).post(
            reverse("communities:moderation_invite", args=[community.pk]), {"email": address}
        )
    assert response.status_code == 200
    assert response.context["invite_form"].errors["email"] == [
        "No Peerhaven member uses that address; ask them to join Peerhaven first."
    ]
    assert mail.outbox == []
    assert not community.members.filter(user=ghost).exists()


def test_inviting_a_member_or_a_banned_person_is_refused(community, member, moderator, client_for):
    url = reverse("communities:moderation_invite", args=[community.pk])
    client = client_for(moderator.user)
    response = client.post(url, {"email": "bob@example.org"})
    assert response.context["invite_form"].errors["email"] == ["That person is already a member."]
    moderation.do_ban(member, acting=moderator)
    response = client.post(url, {"email": "bob@example.org"})
    assert response.context["invite_form"].errors["email"] == [
        "That person is banned from this community."
    ]


def test_member_search_matches_names_in_part_and_addresses_in_full(
    community, member, moderator, client_for
):
    url = reverse("communities:moderation_members", args=[community.pk])
    client = client_for(moderator.user)
    assert list(client.get(url, {"q": "bak"}).context["found"]) == [member]
    assert list(client.get(url, {"q": "BOB@example.org"}).context["found"]) == [member]
    assert list(client.get(url, {"q": "@example.org"}).context["found"]) == []
    # With no search: the moderators and owners (and anyone muted).
    assert set(client.get(url).context["found"]) == {
        community.members.get(role=Member.Role.OWNER),
        moderator,
    }


# --- The log -------------------------------------------------------------------------------


@pytest.mark.parametrize("entries", [4, 30])
def test_log_query_count_does_not_grow_with_the_page(
    community, member, owner, moderator, client_for, django_assert_num_queries, entries
):
    post = actions.do_post(member, title="Logged", body="...")
    for i in range(entries):
        ModerationAction.objects.create(
            community=community,
            moderator=moderator.user,
            kind=Kind.WARN if i % 2 else Kind.REMOVE,
            member=member.user,
            post=post if i % 2 == 0 else None,
            rule=rule(community),
        )
    client = client_for(moderator.user)
    # The request's own (session, user, profile, a session save in a savepoint: 6), the
    # membership, the page count and one page with moderators, members, posts and rules;
    # and the two counts of what waits, on the Moderation tab.
    with django_assert_num_queries(11):
        response = client.get(reverse("communities:moderation_log", args=[community.pk]))
    assert len(response.context["page"]) == entries
    assert "Bob Baker" in response.content.decode()


def test_log_is_paginated_newest_first(community, member, moderator, client_for):
    for i in range(55):
        ModerationAction.objects.create(
            community=community, moderator=moderator.user, kind=Kind.WARN, note=f"note {i}"
        )
    url = reverse("communities:moderation_log", args=[community.pk])
    first = client_for(moderator.user).get(url)
    assert first.context["page"][0].note == "note 54"
    second = client_for(moderator.user).get(url, {"page": 2})
    assert [entry.note for entry in second.context["page"]] == [
        f"note {i}" for i in range(4, -1, -1)
    ]


# --- Who may do what -----------------------------------------------------------------------


def moderation_pages(community, post, row):
    return [
        ("get", queue_url(community)),
        ("get", reverse("communities:moderation_members", args=[community.pk])),
        ("get", reverse("communities:moderation_log", args=[community.pk])),
        ("get", reverse("communities:settings_auto_rules", args=[community.pk])),
        ("get", post_url(community, post, "history/")),
        ("post", post_url(community, post)),
        ("post", post_url(community, post, "unmask/")),
        ("post", member_url(community, row)),
        ("post", reverse("communities:moderation_invite", args=[community.pk])),
    ]


def test_members_who_do_not_moderate_get_403(community, member, owner, thread, client_for):
    client = client_for(member.user)
    for method, url in moderation_pages(community, thread, owner):
        response = getattr(client, method)(url, {"action": "ban"} if method == "post" else {})
        assert response.status_code == 403, url
    assert not community.moderation_log.exists()


def test_a_moderator_has_no_power_in_another_community(
    community, moderator, other, other_post, client_for
):
    client = client_for(moderator.user)
    dana_row = other.members.get(user__email="dana@example.org")
    for method, url in moderation_pages(other, other_post, dana_row):
        data = {"action": "remove", "rule": rule(other).pk} if method == "post" else {}
        assert getattr(client, method)(url, data).status_code == 404, url
    other_post.refresh_from_db()
    dana_row.refresh_from_db()
    assert (other_post.state, other_post.report_count) == (Post.State.PUBLISHED, 1)
    assert dana_row.state == Member.State.ACTIVE


def test_another_communitys_ids_through_ones_own_urls_are_404(
    community, moderator, other, other_post, client_for
):
    client = client_for(moderator.user)
    dana_row = other.members.get(user__email="dana@example.org")
    actions_tried = [
        post_url(community, other_post),
        post_url(community, other_post, "unmask/"),
        member_url(community, dana_row),
    ]
    for url in actions_tried:
        response = client.post(url, {"action": "ban", "rule": rule(community).pk})
        assert response.status_code == 404, url
    assert client.get(post_url(community, other_post, "history/")).status_code == 404
    other_post.refresh_from_db()
    dana_row.refresh_from_db()
    assert (other_post.state, other_post.report_count) == (Post.State.PUBLISHED, 1)
    assert dana_row.state == Member.State.ACTIVE
    assert not ModerationAction.objects.exists()


def test_the_actions_refuse_targets_from_another_community(community, moderator, other, other_post):
    dana_row = other.members.get(user__email="dana@example.org")
    with pytest.raises(CommunityError):
        moderation.do_hide(other_post, acting=moderator)
    with pytest.raises(CommunityError):
        moderation.do_ban(dana_row, acting=moderator)
    with pytest.raises(CommunityError):
        moderation.do_decide_request(dana_row, admit=True, acting=moderator)
    assert not ModerationAction.objects.exists()


def test_site_staff_see_no_moderation_pages(community, member, owner, thread, sam, client_for):
    client = client_for(sam)
    for method, url in moderation_pages(community, thread, owner):
        assert getattr(client, method)(url).status_code == 404, url
