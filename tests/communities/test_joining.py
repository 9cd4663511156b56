from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from peerhaven.communities import actions
from peerhaven.communities.actions import CommunityError
from peerhaven.communities.models import Community, Member, SubGroup

from .conftest import join, start_community

pytestmark = pytest.mark.django_db


def test_starting_a_community_makes_an_owner_who_has_agreed_to_its_rules(alice, client_for):
    response = client_for(alice).post(
        reverse("communities:create"),
        {
            "name": "Women in Endocrinology",
            "description": "A society network.",
            "visibility": "listed",
            "join_policy": "request",
            "questions_text": "Where do you practise?\nWhat brings you here?",
            "rules_text": "Be kind — colleagues first\nNo political posts",
        },
    )
    community = Community.objects.get(name="Women in Endocrinology")
    assert response.status_code == 302
    assert [(r.number, r.title, r.details) for r in community.rules.all()] == [
        (1, "Be kind", "colleagues first"),
        (2, "No political posts", ""),
    ]
    assert list(community.questions.values_list("text", flat=True)) == [
        "Where do you practise?",
        "What brings you here?",
    ]
    owner = community.members.get()
    assert (owner.user, owner.role, owner.has_agreed_to_rules) == (alice, "owner", True)


def test_a_request_community_needs_questions_and_rules(alice, client_for):
    response = client_for(alice).post(
        reverse("communities:create"),
        {"name": "X", "visibility": "listed", "join_policy": "request", "rules_text": "  "},
    )
    assert response.status_code == 200
    assert "Write at least one rule." in response.content.decode()
    assert "needs at least one question" in response.content.decode()
    assert not Community.objects.exists()


def test_open_community_join_then_rules_before_posting(community, carol, client_for):
    client = client_for(carol)
    response = client.post(reverse("communities:join", args=[community.pk]))
    assert response.url == reverse("communities:rules", args=[community.pk])
    member = community.members.get(user=carol)
    assert member.is_active
    assert not member.has_agreed_to_rules
    response = client.get(reverse("communities:post_create", args=[community.pk]))
    assert response.url == reverse("communities:rules", args=[community.pk])
    client.post(reverse("communities:rules", args=[community.pk]))
    member.refresh_from_db()
    assert member.has_agreed_to_rules


def test_request_to_join_answers_reach_moderators_and_are_dropped_after(
    alice, carol, client_for, django_capture_on_commit_callbacks
):
    community = start_community(alice, join_policy=Community.JoinPolicy.REQUEST)
    client = client_for(carol)
    url = reverse("communities:join", args=[community.pk])
    question = community.questions.get()
    response = client.post(url, {f"answer_{question.pk}": "   "})
    assert response.status_code == 200
    assert not community.members.filter(user=carol).exists()

    client.post(url, {f"answer_{question.pk}": "Chicago, pediatrics"})
    request = community.members.get(user=carol)
    assert request.state == Member.State.REQUESTED
    assert request.answers == [{"question": question.text, "answer": "Chicago, pediatrics"}]
    # Still outside: the community's posts are not shown to her.
    page = client.get(reverse("communities:detail", args=[community.pk])).content.decode()
    assert "You asked to join" in page

    with django_capture_on_commit_callbacks(execute=True):
        actions.do_decide_request(request, admit=True, acting_user=alice)
    request.refresh_from_db()
    assert request.is_active
    assert request.answers == []
    assert mail.outbox[-1].to == ["carol@example.org"]
    assert "welcomed you" in mail.outbox[-1].body


def test_a_decided_request_cannot_be_decided_twice(alice, carol):
    community = start_community(alice, join_policy=Community.JoinPolicy.REQUEST)
    request = actions.do_request_to_join(community, ["Here"], acting_user=carol)
    actions.do_decide_request(request, admit=False, acting_user=alice)
    with pytest.raises(CommunityError, match="already been decided"):
        actions.do_decide_request(request, admit=True, acting_user=alice)
    assert community.members.get(user=carol).state == Member.State.DECLINED


def test_open_join_is_refused_for_request_and_invitation_communities(alice, carol):
    for policy in (Community.JoinPolicy.REQUEST, Community.JoinPolicy.INVITATION):
        community = start_community(alice, name=f"C {policy}", join_policy=policy)
        with pytest.raises(CommunityError, match="by request or invitation"):
            actions.do_join(community, acting_user=carol)


def test_invitation_only_community_admits_the_invited(
    alice, carol, client_for, django_capture_on_commit_callbacks
):
    community = start_community(alice, join_policy=Community.JoinPolicy.INVITATION)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_invite(community, carol, acting_user=alice)
    assert "invited you" in mail.outbox[-1].subject
    client_for(carol).post(reverse("communities:join", args=[community.pk]))
    assert community.members.get(user=carol).is_active


def test_banned_people_cannot_rejoin(community, bob):
    member = join(community, bob)
    member.state = Member.State.BANNED
    member.save()
    with pytest.raises(CommunityError, match="banned"):
        actions.do_join(community, acting_user=bob)


def test_the_last_owner_cannot_leave(owner, member, client_for, alice):
    response = client_for(alice).post(reverse("communities:leave", args=[owner.community_id]))
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.is_active


def test_leaving_drops_sub_group_rows(member, subgroup, client_for, bob):
    actions.do_join_subgroup(member, subgroup)
    client_for(bob).post(reverse("communities:leave", args=[member.community_id]))
    member.refresh_from_db()
    assert member.state == Member.State.LEFT
    assert not subgroup.memberships.filter(user=bob).exists()


def test_private_sub_groups_are_joined_only_through_moderators(
    member, owner, private_subgroup, client_for, bob
):
    url = reverse(
        "communities:subgroup_membership", args=[member.community_id, private_subgroup.pk]
    )
    # Not a member of the private group: it does not exist for bob.
    assert client_for(bob).post(url, {"action": "join"}).status_code == 404
    add = reverse("communities:subgroup_add_member", args=[owner.community_id, private_subgroup.pk])
    assert client_for(bob).post(add, {"email": "bob@example.org"}).status_code == 403
    client_for(owner.user).post(add, {"email": "bob@example.org"})
    assert private_subgroup.memberships.filter(user=bob).exists()


def test_moderators_cannot_add_outsiders_to_a_private_group(owner, private_subgroup, carol):
    with pytest.raises(CommunityError, match="Only members of the community"):
        actions.do_add_to_subgroup(private_subgroup, carol)


def test_following_and_unfollowing_a_group(member, subgroup, client_for, bob):
    url = reverse("communities:subgroup_membership", args=[member.community_id, subgroup.pk])
    client = client_for(bob)
    client.post(url, {"action": "join"})
    assert subgroup.memberships.get(user=bob).following
    client.post(url, {"action": "unfollow"})
    assert not subgroup.memberships.get(user=bob).following
    response = client.post(url, {"action": "explode"}, follow=True)
    assert "Choose join, leave, follow or unfollow." in response.content.decode()


def test_changed_rules_need_agreeing_again(community, owner, member):
    actions.do_set_rules(community, [("Be kind", ""), ("No selling", "")], acting_user=owner.user)
    member.refresh_from_db()
    owner.refresh_from_db()
    assert not member.has_agreed_to_rules
    assert owner.has_agreed_to_rules
    with pytest.raises(CommunityError, match="agree to the community's rules"):
        actions.do_post(member, title="Hello", body="Hi all")


def test_digest_setting(member, client_for, bob):
    url = reverse("communities:digest", args=[member.community_id])
    client_for(bob).post(url, {"digest": "daily"})
    member.refresh_from_db()
    assert member.digest == "daily"
    client_for(bob).post(url, {"digest": "hourly"})
    member.refresh_from_db()
    assert member.digest == "daily"


def test_group_member_counts_follow_every_way_in_and_out(
    community, owner, member, subgroup, private_subgroup, carol
):
    def counts():
        return [
            SubGroup.objects.get(pk=group.pk).member_count for group in (subgroup, private_subgroup)
        ]

    assert counts() == [1, 1]  # the moderator who made each
    actions.do_join_subgroup(member, subgroup)
    actions.do_join_subgroup(member, subgroup)  # twice is once
    actions.do_add_to_subgroup(private_subgroup, member.user)
    other = join(community, carol)
    actions.do_join_subgroup(other, subgroup)
    assert counts() == [3, 2]
    actions.do_leave_subgroup(other, subgroup)
    actions.do_leave_subgroup(other, subgroup)  # not in it any more: nothing changes
    assert counts() == [2, 2]
    actions.do_leave(member)
    assert counts() == [1, 1]
