from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from peerhaven.communities import actions, moderation
from peerhaven.communities.actions import CommunityError
from peerhaven.communities.models import MAX_POST_LENGTH, AutoRule, Post, Report

from .conftest import join

pytestmark = pytest.mark.django_db


def new_post_url(community):
    return reverse("communities:post_create", args=[community.pk])


def unanswered_url(community):
    return reverse("communities:detail", args=[community.pk]) + "?unanswered=1"


def post_form(**fields):
    return {"kind": "discussion", "title": "A title", "body": "Some words.", **fields}


def test_a_question_answered_and_accepted(community, member, owner, client_for, bob, alice):
    response = client_for(bob).post(
        new_post_url(community),
        post_form(kind="question", title="How do you ask for protected time?", body="Ideas?"),
    )
    question = Post.objects.get(title="How do you ask for protected time?")
    assert response.url == question.get_absolute_url()
    listing = client_for(bob).get(
        reverse("communities:detail", args=[community.pk]) + "?unanswered=1"
    )
    assert "How do you ask for protected time?" in listing.content.decode()

    client_for(alice).post(question.get_absolute_url(), {"body": "Tie it to a deliverable."})
    reply = question.replies.get()
    question.refresh_from_db()
    assert (question.reply_count, question.last_activity_at) == (1, reply.created_at)
    # Only the asker (or a moderator) accepts.
    carol_like = client_for(alice).post(
        reverse("communities:accept_answer", args=[community.pk, question.pk]),
        {"reply": reply.pk},
    )
    assert carol_like.status_code == 302  # alice owns the community: a moderator may
    question.refresh_from_db()
    assert question.accepted_answer == reply
    listing = client_for(bob).get(
        reverse("communities:detail", args=[community.pk]) + "?unanswered=1"
    )
    assert "How do you ask for protected time?" not in listing.content.decode()


def test_only_the_asker_or_a_moderator_accepts(community, member, carol):
    question = actions.do_post(member, kind="question", title="Q?", body="?")
    other = join(community, carol)
    reply = actions.do_post(other, parent=question, body="An answer")
    with pytest.raises(CommunityError, match="Only the person who asked"):
        actions.do_accept_answer(question, reply, other)
    actions.do_accept_answer(question, reply, member)
    assert Post.objects.get(pk=question.pk).accepted_answer == reply


def test_markdown_is_rendered_and_sanitized(member):
    post = actions.do_post(
        member,
        title="Links",
        body="**bold** <script>alert(1)</script> [bad](javascript:alert(1)) "
        "[good](https://example.org) <img src=x onerror=alert(1)>",
    )
    assert "<strong>bold</strong>" in post.body_html
    assert "<script" not in post.body_html
    assert "onerror=" not in post.body_html.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;" in post.body_html
    assert 'href="javascript' not in post.body_html
    assert 'href="https://example.org" rel="nofollow noopener noreferrer ugc"' in post.body_html


def test_the_page_shows_escaped_text_never_live_script(community, member, client_for, bob):
    post = actions.do_post(member, title="<b>Title</b>", body="<script>alert(1)</script>")
    page = client_for(bob).get(post.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;b&gt;Title&lt;/b&gt;" in page


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", "This field is required."),
        ("x" * (MAX_POST_LENGTH + 1), "at most 40000 characters"),
        ("x" * 1_000_000, "at most 40000 characters"),
    ],
)
def test_empty_and_huge_posts_are_refused_clearly(
    community, member, client_for, bob, body, message
):
    response = client_for(bob).post(new_post_url(community), post_form(body=body))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Post.objects.exists()


def test_empty_and_huge_posts_are_refused_by_the_action_too(member):
    with pytest.raises(CommunityError, match="empty"):
        actions.do_post(member, title="T", body="  \n ")
    with pytest.raises(CommunityError, match="limited to 40,000 characters"):
        actions.do_post(member, title="T", body="x" * (MAX_POST_LENGTH + 1))


def test_patient_details_ask_for_confirmation_before_posting(community, member, client_for, bob):
    client = client_for(bob)
    form = post_form(body="Pt Jane Doe, MRN 00482913, DOB 3/4/1961 — what would you do?")
    response = client.post(new_post_url(community), form)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Could this identify a patient?" in page
    assert "a medical record number, a date of birth" in page
    assert "MRN 00482913" in page  # the typed text is kept for editing
    assert not Post.objects.exists()

    client.post(new_post_url(community), {**form, "confirm_no_patient": "on"})
    assert Post.objects.count() == 1


def test_patient_details_in_a_reply_ask_too(thread, client_for, bob):
    response = client_for(bob).post(
        thread.get_absolute_url(), {"body": "Call Mr. Smith at 312-555-0188"}
    )
    assert "a phone number next to a name" in response.content.decode()
    assert not thread.replies.exists()


def test_anonymous_posts_hide_the_author_from_members(community, member, client_for, carol, bob):
    join(community, carol)
    post = actions.do_post(member, title="Burnout", body="I am struggling.", anonymous=True)
    page = client_for(carol).get(post.get_absolute_url()).content.decode()
    assert "Anonymous member" in page
    assert "Bob Baker" not in page
    assert reverse("communities:person", args=[community.pk, bob.pk]) not in page


def test_anonymous_posting_only_where_allowed(community, member):
    community.allow_anonymous = False
    community.save()
    member.community.refresh_from_db()
    with pytest.raises(CommunityError, match="does not allow anonymous"):
        actions.do_post(member, title="T", body="b", anonymous=True)


def test_edits_are_marked_and_kept(thread, member, client_for, bob):
    url = reverse("communities:post_edit", args=[thread.community_id, thread.pk])
    client_for(bob).post(url, {"title": "Negotiating start-up", "body": "Any tips at all?"})
    thread.refresh_from_db()
    assert thread.edited_at is not None
    assert thread.body == "Any tips at all?"
    assert list(thread.revisions.values_list("body", flat=True)) == ["Any tips?"]
    assert "edited" in client_for(bob).get(thread.get_absolute_url()).content.decode()


def test_only_the_author_edits(thread, alice, client_for):
    url = reverse("communities:post_edit", args=[thread.community_id, thread.pk])
    assert client_for(alice).post(url, {"title": "Mine now", "body": "x"}).status_code == 404
    thread.refresh_from_db()
    assert thread.title == "Negotiating a start-up package"


def test_muted_members_cannot_post(member):
    member.muted_until = timezone.now() + dt.timedelta(days=3)
    member.save()
    with pytest.raises(CommunityError, match="muted you here until"):
        actions.do_post(member, title="T", body="b")


def test_posting_while_muted_shows_the_message_on_the_page(community, member, client_for, bob):
    member.muted_until = timezone.now() + dt.timedelta(days=3)
    member.save()
    response = client_for(bob).post(new_post_url(community), post_form())
    assert "The moderators have muted you here until" in response.content.decode()
    assert not Post.objects.exists()


def test_rate_limit_per_member(community, member):
    community.posts_per_hour = 3
    community.save()
    member.community.refresh_from_db()
    for n in range(3):
        actions.do_post(member, title=f"Post {n}", body="b")
    with pytest.raises(CommunityError, match="3 posts and replies an hour"):
        actions.do_post(member, title="One more", body="b")


def test_locked_threads_take_no_replies(thread, member, client_for, bob):
    Post.objects.filter(pk=thread.pk).update(locked=True)
    with pytest.raises(CommunityError, match="locked"):
        actions.do_post(member, parent=thread, body="Late reply")
    page = client_for(bob).get(thread.get_absolute_url()).content.decode()
    assert "locked this thread" in page


def test_first_posts_of_new_members_are_held(community, carol):
    community.hold_first_posts = 1
    community.save()
    newcomer = join(community, carol)
    held = actions.do_post(newcomer, title="Hello", body="New here")
    assert held.state == Post.State.HELD
    Post.objects.filter(pk=held.pk).update(state=Post.State.PUBLISHED)
    assert actions.do_post(newcomer, title="Again", body="Hi").state == Post.State.PUBLISHED


def test_automatic_rules_hold_or_refuse_with_the_rule_text(community, member):
    political = community.rules.get(number=3)
    AutoRule.objects.create(
        community=community,
        rule=political,
        patterns="election\n/\\bvote (for|against)\\b/",
        action=AutoRule.Action.REJECT,
    )
    AutoRule.objects.create(community=community, patterns="lawsuit", action=AutoRule.Action.HOLD)
    with pytest.raises(CommunityError, match="Rule 3: No political posts"):
        actions.do_post(member, title="Vote for change", body="The ELECTION is near")
    held = actions.do_post(member, title="Advice", body="A lawsuit against my department")
    assert held.state == Post.State.HELD
    fine = actions.do_post(member, title="Advice", body="Electionless words stay fine")
    assert fine.state == Post.State.PUBLISHED


def test_reports_need_a_rule(thread, community, carol, client_for):
    join(community, carol)
    url = reverse("communities:post_report", args=[community.pk, thread.pk])
    response = client_for(carol).post(url, {"note": "this is bad"})
    assert "Choose the rule this post breaks." in response.content.decode()
    assert not Report.objects.exists()
    client_for(carol).post(url, {"rule": community.rules.get(number=1).pk})
    thread.refresh_from_db()
    assert thread.report_count == 1


def test_a_rule_of_another_community_cannot_be_cited(thread, community, carol, dana):
    from .conftest import start_community

    elsewhere = start_community(dana, name="Elsewhere")
    reporter = join(community, carol)
    with pytest.raises(CommunityError, match="Choose the rule"):
        actions.do_report(thread, reporter, rule=elsewhere.rules.first())


def test_reporting_twice_or_reporting_oneself(thread, community, member, carol):
    reporter = join(community, carol)
    rule = community.rules.first()
    actions.do_report(thread, reporter, rule=rule)
    with pytest.raises(CommunityError, match="already reported"):
        actions.do_report(thread, reporter, rule=rule)
    with pytest.raises(CommunityError, match="your own post"):
        actions.do_report(thread, member, rule=rule)
    assert Post.objects.get(pk=thread.pk).report_count == 1


def test_long_threads_are_read_a_page_at_a_time(community, member, thread, client_for, bob):
    replies = [
        Post(
            community=community,
            parent=thread,
            body=f"Reply {n}",
            body_html=f"<p>Reply number {n}.</p>",
            author=bob,
            created_at=thread.created_at + dt.timedelta(minutes=n),
        )
        for n in range(120)
    ]
    Post.objects.bulk_create(replies)
    client = client_for(bob)
    first = client.get(thread.get_absolute_url()).content.decode()
    assert "Reply number 0." in first
    assert "Reply number 49." in first
    assert "Reply number 50." not in first
    cursor = re.search(r'hx-get="\?after=([0-9-]+)"', first).group(1)

    more = client.get(f"{thread.get_absolute_url()}?after={cursor}", HTTP_HX_REQUEST="true")
    text = more.content.decode()
    assert "<html" not in text  # only the next replies, appended in place
    assert "Reply number 50." in text
    assert "Reply number 99." in text
    assert "Reply number 49." not in text

    linked = Post.objects.get(body="Reply 110")
    page = client.get(linked.get_absolute_url()).content.decode()
    assert "Reply number 110." in page
    assert "Reply number 109." not in page
    assert "Show more replies" not in page
    assert "From the first reply" in page


def test_a_bad_cursor_or_reply_starts_from_the_top(thread, member, client_for, bob):
    actions.do_post(member, parent=thread, body="The only reply")
    for query in ("?after=banana", "?after=1-2-3", "?reply=999999", "?reply=-1"):
        page = client_for(bob).get(thread.get_absolute_url() + query)
        assert page.status_code == 200, query
    assert (
        "The only reply"
        in client_for(bob).get(thread.get_absolute_url() + "?reply=x").content.decode()
    )


def test_the_accepted_answer_is_shown_under_the_question(community, member, owner, client_for):
    question = actions.do_post(member, kind="question", title="Q?", body="?")
    answer = actions.do_post(owner, parent=question, body="The accepted advice")
    actions.do_accept_answer(question, answer, member)
    page = client_for(member.user).get(question.get_absolute_url()).content.decode()
    assert page.index("The accepted advice") < page.index("1 reply")


def test_the_new_post_form_offers_own_groups_and_the_one_asked_for(
    community, owner, member, client_for, bob
):
    groups = [actions.do_create_subgroup(owner, name=f"Region {n}") for n in range(4)]
    actions.do_join_subgroup(member, groups[0])
    url = new_post_url(community) + f"?group={groups[2].pk}"
    page = client_for(bob).get(url).content.decode()
    assert "Region 0" in page
    assert f'<option value="{groups[2].pk}" selected>Region 2</option>' in page
    assert "Region 1" not in page
    # Any group the member can see is accepted, listed or not.
    client_for(bob).post(new_post_url(community), post_form(subgroup=groups[3].pk))
    assert Post.objects.get().subgroup == groups[3]


def test_the_moderation_tab_says_how_much_waits(community, owner, member, carol, client_for):
    home = reverse("communities:detail", args=[community.pk])
    assert "waiting" not in client_for(owner.user).get(home).content.decode()
    post = actions.do_post(member, title="Sell", body="Buy my course")
    actions.do_report(post, join(community, carol), rule=community.rules.first())
    page = client_for(owner.user).get(home).content.decode()
    assert '<span class="badge badge--open">1<span class="visually-hidden"> waiting' in page
    # Members see no Moderation tab at all.
    assert "Moderation" not in client_for(member.user).get(home).content.decode()


def test_an_edit_that_is_held_takes_the_reply_out_of_the_count(thread, owner, member):
    reply = actions.do_post(owner, parent=thread, body="Fine words")
    AutoRule.objects.create(community=thread.community, patterns="lawsuit")
    actions.do_edit_post(reply, owner, body="Fine words, and a lawsuit")
    assert reply.state == Post.State.HELD
    assert Post.objects.get(pk=thread.pk).reply_count == 0
    moderation.do_approve(reply, acting=owner)
    assert Post.objects.get(pk=thread.pk).reply_count == 1
