"""Posting, editing, reading, deleting and following an opportunity: each audience, the
choices a poster is offered and forged ones, bad input (nothing half-saved), and who may
do what (404 to outsiders, 403 to viewers without the right)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from peerhaven.circles.models import Membership
from peerhaven.orgs.models import Organization, StaffRole
from peerhaven.sponsorship.models import Follow, Nomination, Opportunity
from peerhaven.sponsorship.opportunity_actions import (
    CIRCLE_NOT_ON_BEHALF,
    OpportunityError,
    do_post_opportunity,
)
from tests.conftest import make_circle

pytestmark = pytest.mark.django_db

NEW = reverse("sponsorship:opportunity_new")


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def form_data(**overrides) -> dict:
    data = {
        "kind": "award",
        "title": "Early Career Award",
        "offered_by": "Society of Academic Medicine",
        "description": "For someone who built something.\n\nTwo paragraphs.",
        "eligibility": "Within 10 years of training.",
        "deadline": in_days(20).isoformat(),
        "how_to_apply": "A letter and a CV.",
        "link": "https://example.org/award",
        "audience": "everyone",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def post_new(client, **overrides):
    return client.post(NEW, form_data(**overrides))


def errors_of(response) -> dict:
    assert response.status_code == 200, response.status_code
    return response.context["form"].errors


def url(name, opportunity) -> str:
    return reverse(f"sponsorship:{name}", args=[opportunity.pk])


# Posting each audience --------------------------------------------------------


def test_a_member_posts_for_everyone(client_for, alice):
    response = post_new(
        client_for(alice), career_stages=["fellow", "professor"], self_nomination_allowed="on"
    )
    opportunity = Opportunity.objects.get()
    assert response["Location"] == url("opportunity", opportunity)
    assert opportunity.title == "Early Career Award"
    assert opportunity.posted_by == alice
    assert opportunity.audience == "everyone"
    assert opportunity.career_stages == ["fellow", "professor"]
    assert opportunity.self_nomination_allowed is True
    assert (opportunity.organization, opportunity.community, opportunity.circle) == (
        None,
        None,
        None,
    )


def test_a_member_posts_for_a_circle_they_read(client_for, alice, sample_circle):
    circle = sample_circle["circle"]
    post_new(client_for(alice), audience=f"circle:{circle.pk}")
    opportunity = Opportunity.objects.get()
    assert opportunity.audience == "circle"
    assert opportunity.circle == circle
    assert opportunity.organization is None


def test_a_member_posts_for_their_community(client_for, bob, sample_community):
    community = sample_community["community"]
    post_new(client_for(bob), audience=f"community:{community.pk}")
    opportunity = Opportunity.objects.get()
    assert opportunity.audience == "community"
    assert opportunity.community == community


def test_staff_post_for_their_organizations_people(client_for, dana, lakeshore):
    post_new(client_for(dana), audience=f"organization:{lakeshore.pk}")
    opportunity = Opportunity.objects.get()
    assert opportunity.audience == "organization"
    assert opportunity.organization == lakeshore


def test_staff_post_for_everyone_on_their_organizations_behalf(client_for, dana, lakeshore):
    post_new(client_for(dana), on_behalf=str(lakeshore.pk))
    opportunity = Opportunity.objects.get()
    assert opportunity.audience == "everyone"
    assert opportunity.organization == lakeshore
    post_new(client_for(dana), title="As myself", on_behalf="")
    assert Opportunity.objects.get(pk__gt=opportunity.pk).organization is None


def test_the_choices_are_built_for_the_poster(
    client_for, alice, dana, carol, lakeshore, sample_circle, sample_community
):
    def offered(user):
        form = client_for(user).get(NEW).context["form"]
        return set(form.audiences), "on_behalf" in form.fields

    circle, community = sample_circle["circle"], sample_community["community"]
    assert offered(alice) == (
        {"everyone", f"circle:{circle.pk}", f"community:{community.pk}"},
        False,
    )
    assert offered(dana) == ({"everyone", f"organization:{lakeshore.pk}"}, True)
    assert offered(carol) == ({"everyone"}, False)
    page = client_for(alice).get(NEW).content.decode()
    assert "Members of Thursday Circle" in page
    assert "Members of Lakeshore Faculty Network" in page
    assert "Everyone signed in to Peerhaven" in page


def test_a_researcher_or_facilitator_does_not_post_for_the_organization(
    client_for, rhea, lakeshore
):
    response = post_new(client_for(rhea), audience=f"organization:{lakeshore.pk}")
    assert "audience" in errors_of(response)
    assert not Opportunity.objects.exists()


# Forged and stale choices -----------------------------------------------------


@pytest.mark.parametrize(
    "audience",
    ["circle:999999", "community:999999", "organization:999999", "circle:abc", "nobody", ""],
)
def test_a_forged_audience_is_a_field_error(client_for, alice, audience):
    response = post_new(client_for(alice), audience=audience)
    assert "audience" in errors_of(response)
    assert not Opportunity.objects.exists()


def test_someone_elses_circle_community_or_organization_is_refused(
    client_for, carol, lakeshore, sample_circle, sample_community
):
    client = client_for(carol)
    for audience in (
        f"circle:{sample_circle['circle'].pk}",
        f"community:{sample_community['community'].pk}",
        f"organization:{lakeshore.pk}",
    ):
        assert errors_of(post_new(client, audience=audience))["audience"] == [
            "Choose who can see it from the list."
        ]
    assert not Opportunity.objects.exists()


def test_a_circle_one_has_left_is_refused(client_for, alice, bob):
    circle = make_circle(alice, [bob])
    Membership.objects.filter(circle=circle, user=bob).update(state=Membership.State.LEFT)
    response = post_new(client_for(bob), audience=f"circle:{circle.pk}")
    assert "audience" in errors_of(response)
    assert not Opportunity.objects.exists()


def test_a_member_who_has_not_agreed_to_the_charter_cannot_post_to_the_circle(
    client_for, erin, sample_circle
):
    response = post_new(client_for(erin), audience=f"circle:{sample_circle['circle'].pk}")
    assert "audience" in errors_of(response)


def test_on_behalf_of_is_ignored_for_members_and_checked_for_staff(
    client_for, alice, dana, lakeshore
):
    other = Organization.objects.create(name="Other University", slug="other")
    post_new(client_for(alice), on_behalf=str(lakeshore.pk))
    assert Opportunity.objects.get().organization is None
    response = post_new(client_for(dana), on_behalf=str(other.pk))
    assert "on_behalf" in errors_of(response)
    assert Opportunity.objects.count() == 1


def test_an_organizations_audience_and_another_on_behalf_of_conflict(client_for, dana, lakeshore):
    other = Organization.objects.create(name="Other University", slug="other")
    StaffRole.objects.create(organization=other, user=dana, role=StaffRole.Role.ADMIN)
    response = post_new(
        client_for(dana), audience=f"organization:{lakeshore.pk}", on_behalf=str(other.pk)
    )
    assert "on_behalf" in errors_of(response)
    assert not Opportunity.objects.exists()


def test_a_circle_only_opportunity_is_never_posted_for_an_organization(client_for, dana, lakeshore):
    """Staff in a circle post to it as themselves: no organization counts a circle's
    nominations. The form says so; the action and the database refuse it too."""
    circle = make_circle(dana, [], name="Coordinators' circle", organization=lakeshore)
    response = post_new(
        client_for(dana), audience=f"circle:{circle.pk}", on_behalf=str(lakeshore.pk)
    )
    assert errors_of(response)["on_behalf"] == [CIRCLE_NOT_ON_BEHALF]
    opportunity = Opportunity(kind="award", title="For the circle", deadline=in_days(3))
    with pytest.raises(OpportunityError, match="stays the circle's own"):
        do_post_opportunity(
            opportunity,
            audience_key=f"circle:{circle.pk}",
            on_behalf=lakeshore,
            acting_user=dana,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.create(
            kind="award",
            title="Forged",
            deadline=in_days(3),
            audience="circle",
            circle=circle,
            organization=lakeshore,
        )
    assert not Opportunity.objects.exists()
    post_new(client_for(dana), audience=f"circle:{circle.pk}", on_behalf="")
    assert Opportunity.objects.get().organization is None


def test_the_action_checks_the_audience_itself(carol, sample_circle):
    opportunity = Opportunity(kind="award", title="Sneaky", deadline=in_days(3))
    with pytest.raises(OpportunityError):
        do_post_opportunity(
            opportunity,
            audience_key=f"circle:{sample_circle['circle'].pk}",
            on_behalf=None,
            acting_user=carol,
        )
    assert not Opportunity.objects.exists()


# Bad input --------------------------------------------------------------------


def test_a_past_deadline_is_refused_and_today_accepted(client_for, alice):
    client = client_for(alice)
    response = post_new(client, deadline=in_days(-1).isoformat())
    assert errors_of(response)["deadline"] == ["The deadline must be today or later."]
    assert not Opportunity.objects.exists()
    post_new(client, deadline=in_days(0).isoformat())
    assert Opportunity.objects.get().deadline == timezone.localdate()


@pytest.mark.parametrize("deadline", ["", "not a date", "2026-02-30"])
def test_a_missing_or_nonsense_deadline_is_refused(client_for, alice, deadline):
    assert "deadline" in errors_of(post_new(client_for(alice), deadline=deadline))
    assert not Opportunity.objects.exists()


def test_a_100_kb_description_is_refused_with_the_limit(client_for, alice):
    response = post_new(client_for(alice), description="x" * 100_000)
    assert errors_of(response)["description"] == [
        "Keep this to 5,000 characters or fewer; it has 100000."
    ]
    assert "Nothing was saved yet" in response.content.decode()
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize(
    ("field", "limit"),
    [("title", 200), ("offered_by", 200), ("eligibility", 2000), ("how_to_apply", 3000)],
)
def test_length_errors_name_the_limit(client_for, alice, field, limit):
    response = post_new(client_for(alice), **{field: "y" * (limit + 1)})
    assert f"Keep this to {limit:,} characters or fewer" in errors_of(response)[field][0]
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.org/file",
        "http://",
    ],
)
def test_only_web_links_are_accepted(client_for, alice, link):
    response = post_new(client_for(alice), link=link)
    assert errors_of(response)["link"] == ["Give a web address starting with https:// or http://."]
    assert not Opportunity.objects.exists()


def test_a_link_without_a_scheme_is_taken_as_https(client_for, alice):
    post_new(client_for(alice), link="example.org/award")
    assert Opportunity.objects.get().link == "https://example.org/award"


def test_a_title_is_required_and_a_forged_stage_or_kind_refused(client_for, alice):
    client = client_for(alice)
    assert "title" in errors_of(post_new(client, title="  "))
    assert "career_stages" in errors_of(post_new(client, career_stages=["wizard"]))
    assert "kind" in errors_of(post_new(client, kind="bribe"))
    assert not Opportunity.objects.exists()


# Editing ----------------------------------------------------------------------


@pytest.fixture
def alices(alice, sample_circle):
    return Opportunity.objects.create(
        kind="award",
        title="Alice's award",
        deadline=in_days(10),
        audience=Opportunity.Audience.CIRCLE,
        circle=sample_circle["circle"],
        posted_by=alice,
    )


def test_the_poster_edits_and_the_form_starts_from_what_is_saved(client_for, alice, alices):
    client = client_for(alice)
    form = client.get(url("opportunity_edit", alices)).context["form"]
    assert form.initial["audience"] == f"circle:{alices.circle_id}"
    response = client.post(url("opportunity_edit", alices), form_data(title="Renamed"))
    assert response["Location"] == url("opportunity", alices)
    alices.refresh_from_db()
    assert alices.title == "Renamed"
    assert alices.audience == "everyone"
    assert alices.circle is None
    assert alices.posted_by == alice


def test_edit_by_a_viewer_who_did_not_post_it_is_403(client_for, bob, alices):
    assert client_for(bob).get(url("opportunity_edit", alices)).status_code == 403
    response = client_for(bob).post(url("opportunity_edit", alices), form_data(title="Mine"))
    assert response.status_code == 403
    alices.refresh_from_db()
    assert alices.title == "Alice's award"


@pytest.mark.parametrize("who", ["carol", "dana", "sam"])
def test_edit_by_an_outsider_is_404(client_for, alices, who, request):
    client = client_for(request.getfixturevalue(who))
    assert client.get(url("opportunity_edit", alices)).status_code == 404
    assert client.post(url("opportunity_edit", alices), form_data()).status_code == 404


def test_another_poster_of_the_organization_may_edit_and_a_researcher_may_not(
    client_for, sample_sponsorship, rhea, lakeshore
):
    opportunity = sample_sponsorship["opportunity"]
    colleague = rhea.__class__.objects.create_user("cora@example.org", "pw-pw-pw-pw-pw")
    StaffRole.objects.create(organization=lakeshore, user=colleague, role=StaffRole.Role.ADMIN)
    assert client_for(rhea).get(url("opportunity_edit", opportunity)).status_code == 403
    assert client_for(colleague).get(url("opportunity_edit", opportunity)).status_code == 200


def test_an_unchanged_past_deadline_may_stay_but_not_move_to_another_past_day(
    client_for, alice, alices
):
    Opportunity.objects.filter(pk=alices.pk).update(deadline=in_days(-5))
    client = client_for(alice)
    audience = f"circle:{alices.circle_id}"
    kept = form_data(deadline=in_days(-5).isoformat(), audience=audience, title="Fixed typo")
    assert client.post(url("opportunity_edit", alices), kept).status_code == 302
    moved = form_data(deadline=in_days(-3).isoformat(), audience=audience)
    assert "deadline" in errors_of(client.post(url("opportunity_edit", alices), moved))
    alices.refresh_from_db()
    assert alices.deadline == in_days(-5)
    assert alices.title == "Fixed typo"


def test_a_poster_who_left_the_circle_may_keep_its_audience_but_not_choose_another(
    client_for, bob, sample_circle
):
    circle = sample_circle["circle"]
    opportunity = Opportunity.objects.create(
        kind="award", title="Bob's", deadline=in_days(9), audience="circle", circle=circle,
        posted_by=bob,
    )  # fmt: skip
    Membership.objects.filter(circle=circle, user=bob).update(state=Membership.State.LEFT)
    other = make_circle(sample_circle["circle"].memberships.first().user, name="Other")
    client = client_for(bob)
    keep = form_data(audience=f"circle:{circle.pk}", title="Bob's, corrected")
    assert client.post(url("opportunity_edit", opportunity), keep).status_code == 302
    move = form_data(audience=f"circle:{other.pk}")
    assert "audience" in errors_of(client.post(url("opportunity_edit", opportunity), move))
    opportunity.refresh_from_db()
    assert opportunity.circle == circle
    assert opportunity.title == "Bob's, corrected"


# The detail page --------------------------------------------------------------


def test_the_detail_page_shows_everything_and_escapes_the_text(client_for, alice, bob):
    client_for(alice).post(
        NEW,
        form_data(
            description="<script>alert(1)</script>\nSecond line",
            career_stages=["fellow"],
            self_nomination_allowed="on",
        ),
    )
    opportunity = Opportunity.objects.get()
    page = client_for(bob).get(url("opportunity", opportunity)).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Second line" in page
    assert '<a href="https://example.org/award" rel="noopener noreferrer">' in page
    assert "Within 10 years of training." in page
    assert "A letter and a CV." in page
    assert "Society of Academic Medicine" in page
    assert "Fellow" in page
    assert "Everyone signed in to Peerhaven" in page
    assert "Alice Adams" in page
    assert "Nominate a peer or yourself" in page
    assert url("nominate", opportunity) in page
    # Bob did not post it: no edit link, no delete form.
    assert url("opportunity_edit", opportunity) not in page
    assert url("opportunity_delete", opportunity) not in page


def test_a_closed_opportunity_says_so_and_offers_no_nomination(client_for, alice):
    opportunity = Opportunity.objects.create(
        kind="award", title="Gone", deadline=in_days(-2), audience="everyone", posted_by=alice
    )
    page = client_for(alice).get(url("opportunity", opportunity)).content.decode()
    closed = in_days(-2)
    assert f"Closed on {closed.day} {closed:%B %Y}" in page
    assert url("nominate", opportunity) not in page
    assert "Nominate a peer" not in page
    assert url("opportunity_edit", opportunity) in page


def test_self_nomination_is_not_mentioned_where_not_allowed(client_for, alice):
    post_new(client_for(alice))
    page = client_for(alice).get(url("opportunity", Opportunity.objects.get())).content.decode()
    assert "Nominate a peer<" in page
    assert "or yourself" not in page


def test_the_viewers_own_nominations_are_listed_and_no_one_elses(
    client_for, sample_sponsorship, alice, bob, dana, carol
):
    opportunity = sample_sponsorship["opportunity"]
    nomination = sample_sponsorship["nomination"]
    for viewer in (alice, bob):
        page = client_for(viewer).get(url("opportunity", opportunity)).content.decode()
        assert "Alice Adams nominated Bob Baker" in page
        assert reverse("sponsorship:nomination", args=[nomination.pk]) in page
        assert "Submitted" in page
    # Dana posted it, but the nomination is between Alice and Bob.
    page = client_for(dana).get(url("opportunity", opportunity)).content.decode()
    assert "Bob Baker" not in page
    # A declined nomination disappears for the nominator.
    Nomination.objects.filter(pk=nomination.pk).update(response=Nomination.Response.DECLINED)
    page = client_for(alice).get(url("opportunity", opportunity)).content.decode()
    assert "Bob Baker" not in page


@pytest.mark.parametrize("who", ["carol", "dana", "sam"])
def test_outsiders_get_404_for_a_circle_only_opportunity(
    client_for, sample_sponsorship, who, request
):
    circle_only = sample_sponsorship["circle_opportunity"]
    client = client_for(request.getfixturevalue(who))
    for name in ("opportunity", "opportunity_edit"):
        assert client.get(url(name, circle_only)).status_code == 404
    for name in ("opportunity_delete", "opportunity_follow"):
        assert client.post(url(name, circle_only)).status_code == 404
    assert Opportunity.objects.filter(pk=circle_only.pk).exists()
    assert not Follow.objects.exists()


def test_the_detail_page_query_count(
    client_for, sample_sponsorship, alice, django_assert_max_num_queries
):
    client = client_for(alice)
    opportunity = sample_sponsorship["opportunity"]
    client.get(url("opportunity", opportunity))
    with django_assert_max_num_queries(10):
        assert client.get(url("opportunity", opportunity)).status_code == 200


# Deleting ---------------------------------------------------------------------


def test_delete_is_refused_once_a_nominee_has_accepted(client_for, sample_sponsorship, dana):
    opportunity = sample_sponsorship["opportunity"]
    response = client_for(dana).post(url("opportunity_delete", opportunity), follow=True)
    assert "has nominations in progress: edit it instead" in response.content.decode()
    assert Opportunity.objects.filter(pk=opportunity.pk).exists()
    assert Nomination.objects.filter(pk=sample_sponsorship["nomination"].pk).exists()


def test_delete_takes_pending_and_declined_nominations_with_it(
    client_for, sample_sponsorship, dana
):
    opportunity = sample_sponsorship["opportunity"]
    Nomination.objects.filter(opportunity=opportunity).update(response=Nomination.Response.DECLINED)
    response = client_for(dana).post(url("opportunity_delete", opportunity))
    assert response["Location"] == reverse("sponsorship:board")
    assert not Opportunity.objects.filter(pk=opportunity.pk).exists()
    assert not Nomination.objects.filter(opportunity_id=opportunity.pk).exists()


def test_delete_is_post_only_and_for_those_who_may_edit(client_for, alice, bob, alices):
    assert client_for(alice).get(url("opportunity_delete", alices)).status_code == 405
    assert client_for(bob).post(url("opportunity_delete", alices)).status_code == 403
    assert Opportunity.objects.filter(pk=alices.pk).exists()
    assert client_for(alice).post(url("opportunity_delete", alices)).status_code == 302
    assert not Opportunity.objects.filter(pk=alices.pk).exists()


# Following --------------------------------------------------------------------


def test_follow_twice_is_one_follow_and_unfollow_twice_is_none(client_for, bob, alices):
    client = client_for(bob)
    for _ in range(2):
        response = client.post(url("opportunity_follow", alices), {"state": "on"})
        assert response["Location"] == url("opportunity", alices)
    assert Follow.objects.filter(opportunity=alices, user=bob).count() == 1
    page = client.get(url("opportunity", alices)).content.decode()
    assert "Unfollow" in page
    for _ in range(2):
        client.post(url("opportunity_follow", alices), {"state": "off"})
    assert not Follow.objects.exists()


def test_follow_without_a_state_toggles(client_for, bob, alices):
    client = client_for(bob)
    client.post(url("opportunity_follow", alices))
    assert Follow.objects.filter(user=bob).exists()
    client.post(url("opportunity_follow", alices), {"state": "sideways"})
    assert not Follow.objects.filter(user=bob).exists()


def test_follow_is_post_only(client_for, bob, alices):
    assert client_for(bob).get(url("opportunity_follow", alices)).status_code == 405
    assert not Follow.objects.exists()


def test_follow_returns_to_a_page_of_the_site_only(client_for, bob, alices):
    client = client_for(bob)
    board = reverse("sponsorship:board") + "?kind=award"
    response = client.post(url("opportunity_follow", alices), {"state": "on", "next": board})
    assert response["Location"] == board
    for elsewhere in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.post(
            url("opportunity_follow", alices), {"state": "on", "next": elsewhere}
        )
        assert response["Location"] == url("opportunity", alices)
