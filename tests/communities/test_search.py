"""Searching a community: what is found, how it is shown, and — with canaries — what never is."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from peerhaven.communities import actions
from peerhaven.communities.models import Post
from peerhaven.communities.search import (
    MAX_QUERY_LENGTH,
    SearchError,
    highlighted,
    search_posts,
)
from peerhaven.communities.search_views import PAGE_SIZE

from .conftest import join, start_community

pytestmark = pytest.mark.django_db


def found(member, query, **filters):
    return [result.post.pk for result in search_posts(member, query, **filters)]


def page(client, community, **params):
    response = client.get(reverse("communities:search", args=[community.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


# --- Finding and ranking -----------------------------------------------------------------


def test_title_matches_rank_above_body_matches_and_words_are_stemmed(member, owner):
    in_body = actions.do_post(member, title="Call schedules", body="Our lactation policy helps.")
    in_title = actions.do_post(owner, title="Lactation rooms", body="Where can I pump on call?")
    actions.do_post(member, title="Grant deadlines", body="Nothing to do with it.")
    assert found(member, "lactation") == [in_title.pk, in_body.pk]
    # Both engines stem English: a search for "policies" finds "policy".
    assert found(member, "policies") == [in_body.pk]
    # Every word must match.
    assert found(member, "lactation pump") == [in_title.pk]


def test_replies_are_found_and_lead_to_their_thread(member, owner, client_for, bob, community):
    thread = actions.do_post(member, title="Screening tents", body="How did you set them up?")
    reply = actions.do_post(owner, parent=thread, body="We used a heated marquee.")
    [result] = search_posts(member, "marquee")
    assert (result.post.pk, result.thread_id, result.title) == (reply.pk, thread.pk, thread.title)
    html = page(client_for(bob), community, q="marquee")
    link = f"/communities/{community.pk}/posts/{thread.pk}/?reply={reply.pk}#post-{reply.pk}"
    assert f'href="{link}"' in html


def test_filters_by_group_and_kind(member, owner, subgroup):
    question = actions.do_post(
        member, title="Daycare near campus?", body="Any daycare ideas?", kind=Post.Kind.QUESTION
    )
    in_group = actions.do_post(
        owner, title="Daycare co-op", body="We started a daycare co-op.", subgroup=subgroup
    )
    assert set(found(member, "daycare")) == {question.pk, in_group.pk}
    assert found(member, "daycare", subgroup=subgroup) == [in_group.pk]
    assert found(member, "daycare", kind=Post.Kind.QUESTION) == [question.pk]
    assert found(member, "daycare", subgroup=subgroup, kind=Post.Kind.QUESTION) == []


def test_the_page_filters_and_refuses_a_private_group_the_member_is_not_in(
    member, owner, subgroup, private_subgroup, client_for, bob, community
):
    actions.do_post(owner, title="Daycare co-op", body="Daycare here.", subgroup=subgroup)
    actions.do_post(owner, title="Daycare at the OR", body="Daycare.", subgroup=private_subgroup)
    html = page(client_for(bob), community, q="daycare", group=subgroup.pk)
    assert "Daycare co-op" in html
    assert "Daycare at the OR" not in html
    # The private group is not offered, and asking for it by id is refused.
    assert "Surgeons" not in page(client_for(bob), community)
    html = page(client_for(bob), community, q="daycare", group=private_subgroup.pk)
    assert "Select a valid choice" in html
    assert "Daycare at the OR" not in html


def test_the_group_list_offers_the_members_groups_and_the_one_asked_for(
    member, owner, client_for, bob, community
):
    groups = [actions.do_create_subgroup(owner, name=f"Region {n}") for n in range(5)]
    actions.do_join_subgroup(member, groups[0])
    offered = page(client_for(bob), community)
    assert "Region 0" in offered
    assert "Region 1" not in offered  # hundreds of groups would make an unusable list
    asked = page(client_for(bob), community, q="anything", group=groups[3].pk)
    assert f'<option value="{groups[3].pk}" selected>Region 3</option>' in asked
    assert "Region 2" not in asked
    # From a group's "Search this group": the group is chosen before any search.
    opened = page(client_for(bob), community, group=groups[4].pk)
    assert f'<option value="{groups[4].pk}" selected>Region 4</option>' in opened


def test_moderators_search_private_groups(owner, private_subgroup, member):
    post = actions.do_post(owner, title="Call rooms", body="Night call.", subgroup=private_subgroup)
    assert found(owner, "call") == [post.pk]
    assert found(member, "call") == []


def test_paging_with_more_results(community, member, client_for, bob):
    community.posts_per_hour = 100
    community.save()
    posts = [
        actions.do_post(member, title=f"Burnout {n}", body="Notes on burnout.")
        for n in range(PAGE_SIZE + 3)
    ]
    client = client_for(bob)
    first = page(client, community, q="burnout")
    assert first.count('class="thread-row"') == PAGE_SIZE
    assert "More results" in first
    second = page(client, community, q="burnout", page=2)
    assert second.count('class="thread-row"') == 3
    assert "More results" not in second
    assert "Previous results" in second
    shown = {result.post.pk for result in search_posts(member, "burnout", limit=100)}
    assert shown == {post.pk for post in posts}
    # A page number that is not one is the first page.
    for nonsense in ["0", "-1", "x", "²", "9" * 5000]:
        assert page(client, community, q="burnout", page=nonsense).count('thread-row"') == 20


# --- What the results show ---------------------------------------------------------------


def test_snippets_mark_matches_and_escape_everything_else(member, client_for, bob, community):
    actions.do_post(
        member,
        title="Tents",
        body='<script>alert("x")</script> Our <b>tents</b> & <img src=x onerror=alert(1)>',
    )
    [result] = search_posts(member, "tents")
    assert "<mark>tents</mark>" in result.snippet
    assert "<script" not in result.snippet
    assert "<img" not in result.snippet
    assert "<b>" not in result.snippet
    assert "&lt;img src=x" in result.snippet
    html = page(client_for(bob), community, q="tents")
    assert "<mark>tents</mark>" in html
    assert "<script>alert" not in html
    assert "onerror=alert(1)>" not in html


def test_marks_typed_into_a_post_cannot_unbalance_the_html():
    assert highlighted("a\x03b\x02c") == "ab<mark>c</mark>"
    assert highlighted("<\x02x\x02>\x03\x03") == "&lt;<mark>x&gt;</mark>"


# --- Bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   ", "?!", "...", "—", '"*"', "___", "()"])
def test_a_query_without_words_is_not_searched(member, query):
    with pytest.raises(SearchError, match="Type a word to search for"):
        search_posts(member, query)


def test_a_query_that_is_too_long_is_refused(member):
    with pytest.raises(SearchError, match=f"at most {MAX_QUERY_LENGTH} characters"):
        search_posts(member, "tent " * 41)
    assert search_posts(member, "x" * MAX_QUERY_LENGTH) == []


def test_the_page_says_what_to_do_with_bad_queries(community, member, client_for, bob):
    client = client_for(bob)
    opened = page(client, community)
    assert "Type a word" not in opened
    assert "Posts matching" not in opened
    assert "Type a word to search for." in page(client, community, q="")
    assert "Type a word to search for." in page(client, community, q="?!&")
    assert "at most 200 characters; this search has 201" in page(client, community, q="a" * 201)


@pytest.mark.parametrize(
    "query",
    [
        '"tent',
        'tent"',
        "tent*",
        "NEAR(tent",
        "NEAR(tent heated, 2)",
        "-tent",
        "tent -heated",
        "title:tent",
        "body : tent",
        "tent AND OR NOT",
        "(tent",
        "^tent",
        "tent'); DROP TABLE communities_post; --",
        "tent\x00",
        "{tent}",
        "tent + heated",
        "<tent>",
        "tent|heated",
        "!tent & heated",
    ],
)
def test_query_syntax_in_member_input_never_errors(member, query):
    post = actions.do_post(member, title="Heated tent", body="A heated tent for screening.")
    results = search_posts(member, query)
    assert all(result.post.pk == post.pk for result in results)
    assert Post.objects.filter(pk=post.pk).exists()


def test_plain_words_with_syntax_around_them_still_match(member):
    post = actions.do_post(member, title="Heated tent", body="A heated tent for screening.")
    for query in ['"tent', "tent*", "(tent)", "tent!", "tent:", "TENT"]:
        assert found(member, query) == [post.pk], query


# --- The index follows every write -------------------------------------------------------


def test_edits_and_deletes_update_the_index(member):
    post = actions.do_post(member, title="Parking permits", body="Ask facilities.")
    assert found(member, "facilities") == [post.pk]
    actions.do_edit_post(post, member, title="Parking passes", body="Ask security instead.")
    assert found(member, "facilities") == []
    assert found(member, "permits") == []
    assert found(member, "security") == [post.pk]
    assert found(member, "passes") == [post.pk]
    # Counters change without touching the text; the post stays findable.
    Post.objects.filter(pk=post.pk).update(reply_count=5)
    assert found(member, "security") == [post.pk]
    Post.objects.filter(pk=post.pk).delete()
    assert found(member, "security") == []
    if connection.vendor == "sqlite":
        # The FTS5 index itself agrees with its content table.
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO communities_post_fts(communities_post_fts, rank) "
                "VALUES ('integrity-check', 1)"
            )


def test_hidden_posts_leave_the_results(member, owner):
    post = actions.do_post(member, title="Locum work", body="Any agencies?")
    assert found(member, "agencies") == [post.pk]
    Post.objects.filter(pk=post.pk).update(state=Post.State.HIDDEN)
    assert found(member, "agencies") == []
    assert found(owner, "agencies") == []


# --- Canaries: a unique word where the member must not find it ---------------------------


CANARY = "zanzibarcanary"


def plant_canaries(community, member, owner, private_subgroup, carol, dana):
    """The canary word in every place bob may not see, and once where he may."""
    # (a) another community, which bob belongs to as well: membership there is no way in here.
    elsewhere = start_community(dana, name="Endocrine Network")
    actions.do_post(join(elsewhere, member.user), title=f"{CANARY} a", body=f"{CANARY} a")
    # (b) a private sub-group bob is not in.
    actions.do_post(owner, title=f"{CANARY} b", body=f"{CANARY} b", subgroup=private_subgroup)
    # (c) a post held for a moderator.
    community.hold_first_posts = 1
    community.save(update_fields=["hold_first_posts"])
    held = actions.do_post(join(community, carol), title=f"{CANARY} c", body=f"{CANARY} c")
    assert held.state == Post.State.HELD
    # (d) a removed post.
    removed = actions.do_post(owner, title=f"{CANARY} d", body=f"{CANARY} d")
    Post.objects.filter(pk=removed.pk).update(state=Post.State.REMOVED)
    # (e) a published reply in a removed thread.
    thread = actions.do_post(owner, title="Gone thread", body="Soon removed.")
    actions.do_post(owner, parent=thread, body=f"{CANARY} e")
    Post.objects.filter(pk=thread.pk).update(state=Post.State.REMOVED)
    # The control: the same word where bob may see it.
    return actions.do_post(owner, title="Visible", body=f"The {CANARY} sings here.")


def test_canaries_are_never_returned(
    community, member, owner, private_subgroup, carol, dana, client_for, bob
):
    visible = plant_canaries(community, member, owner, private_subgroup, carol, dana)
    assert found(member, CANARY) == [visible.pk]
    assert found(member, CANARY, limit=100, offset=0) == [visible.pk]
    for kind in Post.Kind.values:
        assert set(found(member, CANARY, kind=kind)) <= {visible.pk}
    html = page(client_for(bob), community, q=CANARY)
    assert html.count(f"<mark>{CANARY}</mark>") == 1
    assert f"{CANARY} a" not in html
    assert "Gone thread" not in html


def test_outsiders_and_site_staff_cannot_search(community, member, client_for, carol, sam):
    actions.do_post(member, title="Mentors", body="Mentors wanted.")
    url = reverse("communities:search", args=[community.pk])
    assert client_for(carol).get(url, {"q": "mentors"}).status_code == 404
    assert client_for(sam).get(url, {"q": "mentors"}).status_code == 404


# --- Query count -------------------------------------------------------------------------


def test_query_count_does_not_grow_with_results(
    community, member, owner, subgroup, client_for, bob, django_assert_num_queries
):
    community.posts_per_hour = 100
    community.save()
    client = client_for(bob)
    actions.do_post(member, title="Sabbatical plans", body="Sabbatical?", subgroup=subgroup)
    page(client, community, q="sabbatical")  # warm the session
    with django_assert_num_queries(10):
        one = page(client, community, q="sabbatical")
    assert one.count('class="thread-row"') == 1
    thread = Post.objects.get(title="Sabbatical plans")
    for n in range(12):
        actions.do_post(owner, title=f"Sabbatical {n}", body="Sabbatical.", subgroup=subgroup)
        actions.do_post(owner, parent=thread, body=f"My sabbatical {n}.")
    with django_assert_num_queries(10):
        many = page(client, community, q="sabbatical")
    assert many.count('class="thread-row"') == PAGE_SIZE
