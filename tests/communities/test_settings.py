"""Owners' settings, the posted rules, and moderators' automatic rules, through the pages.
In the community alice owns, erin moderates and bob is a member; carol runs another."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerhaven.communities import actions
from peerhaven.communities.actions import CommunityError
from peerhaven.communities.models import AutoRule, Community, Post

from .conftest import start_community

pytestmark = pytest.mark.django_db


def settings_url(community, page=""):
    return reverse(f"communities:settings{page}", args=[community.pk])


def settings_form(**fields):
    return {
        "name": "Physician Parents",
        "description": "Peers who are parents.",
        "visibility": "unlisted",
        "join_policy": "request",
        "allow_anonymous": "on",
        "hold_first_posts": "2",
        "posts_per_hour": "5",
        "questions_text": "Where do you practise?\n\nWhat is your specialty?",
        **fields,
    }


# --- General settings ----------------------------------------------------------------------


def test_owners_change_how_the_community_runs(community, owner, client_for, alice):
    assert client_for(alice).get(settings_url(community)).status_code == 200
    response = client_for(alice).post(settings_url(community), settings_form())
    assert response.status_code == 302
    community.refresh_from_db()
    assert (
        community.visibility,
        community.join_policy,
        community.hold_first_posts,
        community.posts_per_hour,
    ) == ("unlisted", "request", 2, 5)
    assert community.allow_anonymous
    assert [q.text for q in community.questions.all()] == [
        "Where do you practise?",
        "What is your specialty?",
    ]


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("posts_per_hour", "0", "greater than or equal to 1"),
        ("hold_first_posts", "11", "less than or equal to 10"),
        ("name", "", "required"),
        ("questions_text", "", "needs at least one question"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(
    community, owner, client_for, alice, field, value, error
):
    response = client_for(alice).post(settings_url(community), settings_form(**{field: value}))
    assert response.status_code == 200
    assert error in str(response.context["form"].errors[field])
    community.refresh_from_db()
    assert (community.name, community.visibility) == ("Physician Parents", "listed")
    assert "Physician Parents" in response.content.decode()


def test_only_owners_open_settings_and_rules(community, moderator, member, client_for, carol, sam):
    for page in ("", "_rules"):
        url = settings_url(community, page)
        assert client_for(moderator.user).get(url).status_code == 403
        assert client_for(member.user).post(url, settings_form()).status_code == 403
        assert client_for(carol).get(url).status_code == 404
        assert client_for(sam).get(url).status_code == 404
    community.refresh_from_db()
    assert community.visibility == "listed"


def test_an_owner_of_another_community_has_no_say_here(community, client_for, carol):
    start_community(carol, name="Other")
    assert client_for(carol).post(settings_url(community), settings_form()).status_code == 404


# --- Posted rules --------------------------------------------------------------------------


def test_owners_rewrite_the_rules_and_members_agree_again(
    community, owner, member, client_for, alice
):
    version = community.rules_version
    text = "Be kind — Colleagues first.\nNo political posts — Medicine and careers only."
    page = client_for(alice).get(settings_url(community, "_rules")).content.decode()
    assert "Protect patients — Nothing that could identify a patient." in page

    response = client_for(alice).post(settings_url(community, "_rules"), {"rules_text": text})

    assert response.status_code == 302
    community.refresh_from_db()
    assert [(r.number, r.title, r.details) for r in community.rules.all()] == [
        (1, "Be kind", "Colleagues first."),
        (2, "No political posts", "Medicine and careers only."),
    ]
    assert community.rules_version == version + 1
    member.refresh_from_db()
    with pytest.raises(CommunityError, match="agree to the community's rules"):
        actions.do_post(member, title="T", body="B")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "This field is required."),
        ("Be kind\n — details only", "Rule 2 has details but no title."),
        ("x" * 161, "Rule 1's title is 161 characters"),
        ("\n".join(f"Rule {i}" for i in range(31)), "Keep to 30 rules"),
    ],
)
def test_bad_rules_are_refused_naming_the_rule(community, owner, client_for, alice, text, error):
    response = client_for(alice).post(settings_url(community, "_rules"), {"rules_text": text})
    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors["rules_text"])
    assert community.rules.count() == 3


def test_a_rule_cited_in_reports_cannot_be_dropped(community, owner, member, client_for, alice):
    post = actions.do_post(member, title="T", body="B")
    actions.do_report(post, owner, rule=community.rules.get(number=3))
    response = client_for(alice).post(
        settings_url(community, "_rules"), {"rules_text": "Be kind\nProtect patients"}
    )
    assert "Rule 3 is cited in reports" in str(response.context["form"].errors["rules_text"])
    assert community.rules.count() == 3


# --- Automatic rules -----------------------------------------------------------------------


def add_auto_rule(client, community, **fields):
    return client.post(settings_url(community, "_auto_rules"), fields)


def test_a_bad_pattern_is_refused_naming_its_line(community, moderator, client_for):
    response = add_auto_rule(
        client_for(moderator.user),
        community,
        patterns="election\n/vote (for|against/\n",
        action="hold",
        rule="",
    )
    assert response.status_code == 200
    [error] = response.context["form"].errors["patterns"]
    assert error.startswith("Line 2 is not a valid pattern")
    assert not community.auto_rules.exists()


def test_a_refusing_rule_needs_a_posted_rule(community, moderator, client_for):
    response = add_auto_rule(
        client_for(moderator.user), community, patterns="election", action="reject", rule=""
    )
    assert "choose the rule it breaks" in str(response.context["form"].errors["rule"])
    assert not community.auto_rules.exists()


def test_a_no_political_posts_rule_refuses_a_post_with_the_rules_text(
    community, moderator, member, client_for
):
    politics = community.rules.get(title="No political posts")
    response = add_auto_rule(
        client_for(moderator.user),
        community,
        patterns="election\n/\\bvote (for|against)\\b/",
        action="reject",
        rule=politics.pk,
    )
    assert response.status_code == 302
    auto_rule = community.auto_rules.get()
    assert (auto_rule.action, auto_rule.rule) == (AutoRule.Action.REJECT, politics)

    with pytest.raises(CommunityError) as refused:
        actions.do_post(member, title="Who to VOTE FOR?", body="Thoughts on the ballot")
    assert "Rule 3: No political posts — Keep to medicine and careers." in str(refused.value)
    assert not Post.objects.filter(author=member.user).exists()
    actions.do_post(member, title="Voters' clinic hours", body="Not politics.")


def test_a_holding_rule_sends_the_post_to_the_queue(community, moderator, member, client_for):
    client = client_for(moderator.user)
    add_auto_rule(
        client,
        community,
        patterns="lawsuit",
        action="hold",
        rule=community.rules.get(number=2).pk,
    )
    post = actions.do_post(member, title="A lawsuit question", body="Has anyone...")
    assert post.state == Post.State.HELD
    assert post.held_reason.startswith("Rule 2: Protect patients")

    queue = client.get(reverse("communities:moderation", args=[community.pk]))
    assert list(queue.context["page"]) == [post]
    assert "Rule 2: Protect patients" in queue.content.decode()


def test_moderators_list_and_delete_automatic_rules(community, moderator, client_for):
    client = client_for(moderator.user)
    add_auto_rule(client, community, patterns="  Election  \n\n ballot ", action="hold", rule="")
    auto_rule = community.auto_rules.get()
    assert auto_rule.patterns == "Election\nballot"
    assert "Election" in client.get(settings_url(community, "_auto_rules")).content.decode()

    url = reverse("communities:settings_auto_rule_delete", args=[community.pk, auto_rule.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not community.auto_rules.exists()


def test_automatic_rules_stay_inside_their_community(
    community, moderator, member, client_for, carol
):
    other = start_community(carol, name="Other")
    theirs = AutoRule.objects.create(community=other, patterns="election", action="hold")
    client = client_for(moderator.user)
    # Erin cannot delete B's rule through A's URL, nor reach B's page.
    url = reverse("communities:settings_auto_rule_delete", args=[community.pk, theirs.pk])
    assert client.post(url).status_code == 404
    assert client.get(settings_url(other, "_auto_rules")).status_code == 404
    # B's posted rules are not a choice on A's form.
    response = add_auto_rule(
        client, community, patterns="x", action="reject", rule=other.rules.first().pk
    )
    assert "rule" in response.context["form"].errors
    assert AutoRule.objects.filter(community=community).count() == 0
    assert AutoRule.objects.filter(pk=theirs.pk).exists()
    # Members who do not moderate get 403.
    assert client_for(member.user).get(settings_url(community, "_auto_rules")).status_code == 403


def test_a_community_that_holds_first_posts_queues_a_newcomer(
    community, moderator, member, client_for, alice
):
    Community.objects.filter(pk=community.pk).update(hold_first_posts=1)
    member.community.refresh_from_db()
    post = actions.do_post(member, title="Hello all", body="New here.")
    assert post.state == Post.State.HELD
    queue = client_for(moderator.user).get(reverse("communities:moderation", args=[community.pk]))
    assert list(queue.context["page"]) == [post]
