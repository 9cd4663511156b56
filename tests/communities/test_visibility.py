"""Who sees what of a community: a canary planted in every kind of content, looked for on
every member page as people who must not see it, and found by the people who may."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from peerhaven.communities import actions
from peerhaven.communities.models import Community, Post

from .conftest import join, start_community

pytestmark = pytest.mark.django_db

CANARY = "Zebracanary"


def member_pages(community, post):
    return [
        reverse("communities:list"),
        reverse("communities:detail", args=[community.pk]),
        reverse("communities:subgroups", args=[community.pk]),
        post.get_absolute_url(),
        reverse("communities:detail", args=[community.pk]) + "?kind=discussion",
    ]


@pytest.fixture
def private_community(alice, bob):
    community = start_community(
        alice,
        name="Closed circle of surgeons",
        visibility=Community.Visibility.UNLISTED,
        join_policy=Community.JoinPolicy.INVITATION,
    )
    member = community.members.get(user=alice)
    group = actions.do_create_subgroup(member, name="Chicago")
    thread = actions.do_post(member, title=f"{CANARY} title", body=f"{CANARY} body", subgroup=group)
    actions.do_post(member, parent=thread, body=f"{CANARY} reply")
    return community, thread


def test_outsiders_staff_and_site_admins_see_no_content(
    private_community, carol, dana, sam, client_for
):
    community, thread = private_community
    for person in (carol, dana, sam):
        client = client_for(person)
        for url in member_pages(community, thread):
            response = client.get(url)
            assert CANARY not in response.content.decode(), (person, url)
        assert client.get(thread.get_absolute_url()).status_code == 404
        # The front door shows the name and rules only.
        front = client.get(reverse("communities:detail", args=[community.pk])).content.decode()
        assert "Closed circle of surgeons" in front
        assert "invitation" in front


def test_the_admin_lists_communities_without_content(private_community, sam, client_for):
    community, _ = private_community
    client = client_for(sam)
    page = client.get(reverse("admin:communities_community_changelist")).content.decode()
    assert "Closed circle of surgeons" in page
    change = client.get(reverse("admin:communities_community_change", args=[community.pk]))
    assert CANARY not in change.content.decode()
    registered = {model._meta.model_name for model in admin.site._registry}
    assert not registered & {"post", "postrevision", "report", "moderationaction", "member"}


def test_members_see_it_so_the_canary_can_be_found(private_community, alice, client_for):
    _community, thread = private_community
    page = client_for(alice).get(thread.get_absolute_url()).content.decode()
    assert page.count(CANARY) >= 3


def test_private_sub_group_posts_stay_in_the_sub_group(
    community, owner, member, private_subgroup, client_for, bob
):
    secret = actions.do_post(owner, title=f"{CANARY} private", body="x", subgroup=private_subgroup)
    client = client_for(bob)
    for url in member_pages(community, secret)[:3]:
        assert CANARY not in client.get(url).content.decode(), url
    assert client.get(secret.get_absolute_url()).status_code == 404
    group_url = reverse("communities:subgroup", args=[community.pk, private_subgroup.pk])
    assert client.get(group_url).status_code == 404
    actions.do_add_to_subgroup(private_subgroup, bob)
    assert CANARY in client.get(secret.get_absolute_url()).content.decode()


def test_held_and_removed_posts_show_only_to_author_and_moderators(
    community, owner, member, carol, client_for
):
    other = join(community, carol)
    post = actions.do_post(member, title=f"{CANARY} held", body="x")
    Post.objects.filter(pk=post.pk).update(state=Post.State.HELD)
    assert client_for(carol).get(post.get_absolute_url()).status_code == 404
    home = reverse("communities:detail", args=[community.pk])
    assert CANARY not in client_for(carol).get(home).content.decode()
    assert CANARY in client_for(member.user).get(post.get_absolute_url()).content.decode()
    assert CANARY in client_for(owner.user).get(post.get_absolute_url()).content.decode()
    assert other.is_active


def test_a_moderator_has_no_reach_into_another_community(community, owner, carol, dana, client_for):
    elsewhere = start_community(dana, name="Elsewhere")
    post = actions.do_post(elsewhere.members.get(user=dana), title=f"{CANARY}", body="x")
    client = client_for(owner.user)
    # Through her own community's URL, with the other community's post id.
    assert client.get(reverse("communities:post", args=[community.pk, post.pk])).status_code == 404
    assert client.get(reverse("communities:post", args=[elsewhere.pk, post.pk])).status_code == 404


def test_profiles_show_only_shared_communities(community, member, alice, bob, client_for):
    start_community(bob, name="Bob's other network")
    shared = start_community(alice, name="Shared network")
    join(shared, bob)
    page = client_for(alice).get(reverse("communities:person", args=[community.pk, bob.pk]))
    text = page.content.decode()
    assert "Shared network" in text
    assert community.name in text
    assert "Bob's other network" not in text


def test_profiles_of_non_members_do_not_exist_here(community, member, carol, client_for):
    url = reverse("communities:person", args=[community.pk, carol.pk])
    assert client_for(member.user).get(url).status_code == 404
