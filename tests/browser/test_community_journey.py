"""A community from the member's side and the moderator's: ask to join, answer the
questions, get admitted, ask a question, get an answer and accept it; a post is reported
and removed citing a rule, and its author sees which. Every page is screenshotted at laptop
and phone width and checked with axe."""

from __future__ import annotations

import re

import pytest

from peerhaven.communities import actions
from peerhaven.communities.models import Community, ModerationAction, Post
from tests.browser.conftest import check_page
from tests.browser.test_circle_journey import sign_in
from tests.conftest import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def network(owner):
    community = actions.do_start_community(
        acting_user=owner,
        name="Women in Academic Medicine Network",
        description="Peers across the Great Lakes region.",
        join_policy=Community.JoinPolicy.REQUEST,
        rules=[
            ("Be kind", "We are colleagues."),
            ("No political posts", "Keep to medicine and careers."),
            ("No selling", "No recruiting or paid services."),
        ],
        questions=["Where do you practise, and in what specialty?"],
    )
    community.hold_first_posts = 0
    community.save()
    owner_row = community.members.get(user=owner)
    actions.do_create_subgroup(owner_row, name="Chicago", kind="region")
    actions.do_create_subgroup(owner_row, name="Grant writing", kind="interest")
    return community


def new_context(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def test_join_ask_answer_accept_report_and_remove(browser, live_server):
    elena = make_member("elena@example.org", "Elena Vasquez")
    nia = make_member("nia@example.org", "Nia Brooks")
    bob = make_member("bob@example.org", "Bob Baker")
    community = network(elena)
    # Bob is already a member who agreed to the rules.
    bob_row = community.members.create(user=bob, joined_at=community.created_at)
    actions.do_agree_to_rules(bob_row)
    spam = actions.do_post(bob_row, title="Cheap board review course", body="DM me for 30% off.")

    # Nia finds the community and asks to join, answering its question.
    page = new_context(browser, live_server)
    sign_in(page, nia.email)
    page.get_by_role("link", name="Communities").first.click()
    check_page(page, "communities-list")
    page.get_by_role("link", name="Women in Academic Medicine Network").click()
    check_page(page, "community-front-door")
    page.get_by_role("link", name="Ask to join").click()
    page.get_by_role("button", name="Send my request").click()
    page.get_by_text("Nothing was saved yet").wait_for()
    check_page(page, "community-join-errors")
    page.get_by_label("Where do you practise").fill("Chicago, pediatric hospital medicine")
    page.get_by_role("button", name="Send my request").click()
    page.get_by_text("The moderators will read your answers soon").wait_for()

    # Elena, the moderator, reads the answer and admits her.
    moderator = new_context(browser, live_server)
    sign_in(moderator, elena.email)
    moderator.goto(f"/communities/{community.pk}/moderation/members/")
    moderator.get_by_text("Chicago, pediatric hospital medicine").wait_for()
    check_page(moderator, "community-moderation-members")
    moderator.get_by_role("button", name="Admit Nia Brooks").click()

    # Nia agrees to the rules and asks a question in a group.
    page.goto(f"/communities/{community.pk}/")
    page.get_by_role("link", name="read and agree to the rules").click()
    check_page(page, "community-rules")
    page.get_by_role("button", name="I agree to these rules").click()
    page.get_by_role("link", name="Find groups to join").click()
    check_page(page, "community-groups")
    page.get_by_role("button", name="Join Chicago").click()
    page.get_by_role("link", name="Chicago").first.click()
    check_page(page, "community-group")
    page.get_by_role("link", name="New post here").click()
    page.get_by_label("Kind").select_option("question")
    page.get_by_label("Title").fill("Protected time for a K award — how did you ask?")
    page.get_by_label("Post", exact=True).fill("My chair says *yes in principle*. What worked?")
    check_page(page, "community-new-post")
    page.get_by_role("button", name="Post").click()
    page.get_by_role("heading", name=re.compile("Protected time for a K award")).wait_for()
    question = Post.objects.get(title__startswith="Protected time")
    assert question.kind == "question"
    assert question.subgroup.name == "Chicago"
    assert "<em>yes in principle</em>" in question.body_html

    # Bob answers; a reply with patient details is caught first.
    bob_page = new_context(browser, live_server)
    sign_in(bob_page, bob.email)
    bob_page.goto(question.get_absolute_url())
    bob_page.get_by_label("Your reply").fill("Like my patient Jane Doe, MRN 00482913: tie it.")
    bob_page.get_by_role("button", name="Reply").click()
    bob_page.get_by_text("Could this identify a patient?").wait_for()
    check_page(bob_page, "community-reply-patient-warning")
    bob_page.get_by_label("Your reply").fill("Tie the time to a deliverable your chair wants.")
    bob_page.get_by_role("button", name="Reply").click()
    bob_page.get_by_text("Posted.").wait_for()

    # Nia accepts Bob's answer.
    page.goto(question.get_absolute_url())
    page.get_by_role("button", name="Accept this answer").click()
    page.get_by_role("heading", name="Accepted answer").wait_for()
    check_page(page, "community-thread")
    question.refresh_from_db()
    assert question.accepted_answer.author == bob

    # Nia reports Bob's advertisement; a report needs a rule.
    page.goto(spam.get_absolute_url())
    page.get_by_role("link", name="Report").click()
    page.get_by_role("button", name="Send the report").click()
    page.get_by_text("Choose the rule this post breaks.").first.wait_for()
    check_page(page, "community-report")
    page.get_by_label("3. No selling").check()
    page.get_by_role("button", name="Send the report").click()
    page.get_by_text("The moderators will review it").wait_for()

    # Elena removes it citing the rule; the log keeps it; Bob sees which rule.
    moderator.goto(f"/communities/{community.pk}/moderation/")
    moderator.get_by_role("heading", name=re.compile("Cheap board review course")).wait_for()
    check_page(moderator, "community-moderation-queue")
    moderator.get_by_label("Rule broken").select_option(label="3. No selling")
    moderator.get_by_role("button", name="Remove").click()
    moderator.get_by_text("Nothing is waiting").wait_for()
    spam.refresh_from_db()
    assert spam.state == Post.State.REMOVED
    assert spam.removed_for.title == "No selling"
    assert ModerationAction.objects.filter(kind="remove", post=spam).exists()
    moderator.goto(f"/communities/{community.pk}/moderation/log/")
    check_page(moderator, "community-moderation-log")
    bob_page.goto(spam.get_absolute_url())
    bob_page.get_by_text("for breaking rule 3: No selling").wait_for()

    # Search finds the question; Nia's feed lists it.
    page.goto(f"/communities/{community.pk}/search/?q=deliverable")
    page.get_by_role("link", name=re.compile("Protected time for a K award")).wait_for()
    check_page(page, "community-search")
    page.goto("/communities/")
    page.get_by_role("link", name=re.compile("Protected time for a K award")).wait_for()
    check_page(page, "communities-feed")
