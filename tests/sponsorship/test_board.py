"""The opportunities board: what each person sees on it, the filters (on SQLite and
PostgreSQL alike), the rows, paging, bad filter values and the query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from peerhaven.orgs.models import StaffRole
from peerhaven.sponsorship.board import deadline_note, for_career_stage
from peerhaven.sponsorship.models import Follow, Opportunity
from tests.conftest import make_circle

pytestmark = pytest.mark.django_db

BOARD = reverse("sponsorship:board")


def opportunity(title="An award", days=10, **fields) -> Opportunity:
    fields.setdefault("kind", Opportunity.Kind.AWARD)
    fields.setdefault("audience", Opportunity.Audience.EVERYONE)
    deadline = timezone.localdate() + dt.timedelta(days=days)
    return Opportunity.objects.create(title=title, deadline=deadline, **fields)


def listed(client, **params) -> list[str]:
    """Titles on the board's first page, in order."""
    response = client.get(BOARD, params)
    assert response.status_code == 200
    return [row.title for row in response.context["page"]]


# Who sees what ----------------------------------------------------------------


def test_an_outsider_never_sees_an_organizations_or_a_circles_opportunity(
    sample_sponsorship, client_for, carol
):
    opportunity("Open to all")
    response = client_for(carol).get(BOARD)
    page = response.content.decode()
    assert [row.title for row in response.context["page"]] == ["Open to all"]
    assert "Lakeshore Early Career Award" not in page
    assert "Canary circle-only plenary" not in page


@pytest.mark.parametrize("who", ["dana", "sam"])
def test_staff_and_site_admins_do_not_see_a_circle_only_opportunity(
    sample_sponsorship, client_for, who, request
):
    titles = listed(client_for(request.getfixturevalue(who)))
    assert "Canary circle-only plenary" not in titles


def test_staff_see_their_organizations_opportunity_and_members_their_circles(
    sample_sponsorship, client_for, dana, alice
):
    assert listed(client_for(dana)) == ["Lakeshore Early Career Award"]
    page = client_for(alice).get(BOARD).content.decode()
    assert "Canary circle-only plenary" in page
    assert "Your circle: Thursday Circle" in page
    assert "People of Lakeshore University" in page  # the organization's badge


def test_the_board_is_for_signed_in_members_only(client, sample_sponsorship):
    response = client.get(BOARD)
    assert response.status_code == 302
    assert "login" in response["Location"]


# Filters ----------------------------------------------------------------------


def test_by_kind(client_for, alice):
    opportunity("An award")
    opportunity("A keynote", kind=Opportunity.Kind.PLENARY)
    assert listed(client_for(alice), kind="plenary") == ["A keynote"]


def test_by_career_stage_matches_any_stage_and_the_exact_stage_only(client_for, alice):
    opportunity("Anyone", days=1)
    opportunity("Professors", days=2, career_stages=["professor"])
    opportunity("Assistants", days=3, career_stages=["assistant_professor"])
    opportunity("Both", days=4, career_stages=["fellow", "assistant_professor", "professor"])
    client = client_for(alice)
    assert listed(client, stage="professor") == ["Anyone", "Professors", "Both"]
    assert listed(client, stage="assistant_professor") == ["Anyone", "Assistants", "Both"]
    assert listed(client, stage="resident") == ["Anyone"]


def test_career_stage_lookup_on_this_database(db):
    """The JSON match itself, without the page: run on SQLite and on PostgreSQL."""
    any_stage = opportunity("Anyone")
    professor = opportunity("Professors", career_stages=["professor"])
    opportunity("Associates", career_stages=["associate_professor"])

    def matching(stage):
        return set(Opportunity.objects.filter(for_career_stage(stage)))

    assert matching("professor") == {any_stage, professor}
    assert matching("staff_other") == {any_stage}


def test_by_deadline_windows(client_for, alice):
    opportunity("Today", days=0)
    opportunity("Two weeks", days=14)
    opportunity("Three weeks", days=21)
    opportunity("Five months", days=150)
    opportunity("Yesterday", days=-1)
    opportunity("Last month", days=-30)
    client = client_for(alice)
    assert listed(client) == ["Today", "Two weeks", "Three weeks", "Five months"]
    assert listed(client, deadline="open") == listed(client)
    assert listed(client, deadline="2w") == ["Today", "Two weeks"]
    assert listed(client, deadline="3m") == ["Today", "Two weeks", "Three weeks"]
    # Past ones: the most recently closed first.
    assert listed(client, deadline="past") == ["Yesterday", "Last month"]


def test_only_followed_and_only_mine_combine_with_the_others(client_for, alice, bob):
    followed = opportunity("Followed award")
    followed_talk = opportunity("Followed talk", kind=Opportunity.Kind.PLENARY)
    opportunity("Mine", posted_by=alice)
    opportunity("Bob's", posted_by=bob)
    Follow.objects.create(opportunity=followed, user=alice)
    Follow.objects.create(opportunity=followed_talk, user=alice)
    Follow.objects.create(opportunity=followed, user=bob)
    client = client_for(alice)
    assert listed(client, following="on") == ["Followed award", "Followed talk"]
    assert listed(client, following="on", kind="plenary") == ["Followed talk"]
    assert listed(client, mine="on") == ["Mine"]
    assert listed(client, mine="on", following="on") == []


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "banana"},
        {"stage": "'; DROP TABLE x; --"},
        {"deadline": "tomorrow"},
        {"page": "abc"},
        {"page": "99999"},
        {"kind": ["plenary", "banana"]},
        {"stage": '"professor'},
    ],
)
def test_bad_filter_values_are_ignored(client_for, alice, params):
    opportunity("Still listed")
    response = client_for(alice).get(BOARD, params)
    assert response.status_code == 200
    assert "Still listed" in response.content.decode()


def test_an_ignored_value_is_dropped_and_the_good_ones_kept(client_for, alice):
    opportunity("An award")
    opportunity("A keynote", kind=Opportunity.Kind.PLENARY)
    response = client_for(alice).get(BOARD, {"kind": "plenary", "stage": "wizard"})
    assert [row.title for row in response.context["page"]] == ["A keynote"]
    assert response.context["form"].initial["kind"] == "plenary"
    assert 'class="field__errors"' not in response.content.decode()


def test_the_filter_form_has_labels_and_a_clear_link(client_for, alice):
    client = client_for(alice)
    page = client.get(BOARD).content.decode()
    for label in ("Kind", "Career stage", "Deadline", "Only ones I follow", "Posted by me"):
        assert f">{label}" in page
    assert ">Clear</a>" not in page
    assert ">Clear</a>" in client.get(BOARD, {"kind": "award"}).content.decode()


# Rows -------------------------------------------------------------------------


def test_a_row_says_what_it_is_when_it_closes_and_for_whom(
    client_for, alice, sample_community, lakeshore
):
    today = opportunity("Closing now", days=0, offered_by="Society of Medicine")
    opportunity(
        "For fellows",
        days=5,
        career_stages=["fellow", "professor"],
        audience=Opportunity.Audience.COMMUNITY,
        community=sample_community["community"],
    )
    Follow.objects.create(opportunity=today, user=alice)
    page = client_for(alice).get(BOARD).content.decode()
    assert "closes today" in page
    assert "in 5 days" in page
    assert "Society of Medicine" in page
    assert "Award or honour" in page
    assert "Any career stage" in page
    assert "Fellow, Professor" in page
    assert "Community: Lakeshore Faculty Network" in page
    assert "Everyone on Peerhaven" in page
    assert page.count(">Following</span>") == 1


def test_deadline_notes():
    today = dt.date(2026, 5, 10)
    assert deadline_note(today, today) == "closes today"
    assert deadline_note(dt.date(2026, 5, 11), today) == "closes tomorrow"
    assert deadline_note(dt.date(2026, 5, 20), today) == "in 10 days"
    assert deadline_note(dt.date(2026, 5, 3), today) == "Closed on 3 May 2026"


def test_titles_are_escaped(client_for, alice):
    opportunity("<script>alert(1)</script>")
    page = client_for(alice).get(BOARD).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page


# The top of the page and the empty board --------------------------------------


def test_staff_with_an_equity_role_get_a_link_to_each_equity_view(
    client_for, dana, rhea, alice, lakeshore
):
    from peerhaven.orgs.models import Organization

    society = Organization.objects.create(name="Society of Surgeons", slug="sos")
    StaffRole.objects.create(organization=society, user=dana, role=StaffRole.Role.FACILITATOR)
    response = client_for(dana).get(BOARD)
    assert list(response.context["equity_organizations"]) == [lakeshore]
    page = response.content.decode()
    assert "Who gets put forward — Lakeshore University equity view" in page
    assert reverse("sponsorship:equity", args=[lakeshore.pk]) in page
    # A facilitator's role does not cover the equity view.
    assert "Society of Surgeons equity view" not in page
    assert list(client_for(rhea).get(BOARD).context["equity_organizations"]) == [lakeshore]
    assert list(client_for(alice).get(BOARD).context["equity_organizations"]) == []


def test_the_board_links_to_posting_and_to_ones_nominations(client_for, alice):
    page = client_for(alice).get(BOARD).content.decode()
    assert reverse("sponsorship:opportunity_new") in page
    assert reverse("sponsorship:nominations") in page
    assert "Your nominations" in page


def test_an_empty_board_says_what_to_do(client_for, alice):
    page = client_for(alice).get(BOARD).content.decode()
    assert "Nothing on the board for you yet" in page
    assert "Post an opportunity" in page
    filtered = client_for(alice).get(BOARD, {"kind": "grant"}).content.decode()
    assert "No opportunities you can see match these filters" in filtered


# Paging and the query count ---------------------------------------------------


@pytest.fixture
def thirty_mixed(alice, bob, lakeshore, sample_community):
    """30 opportunities alice can see: for everyone, Lakeshore's people, her community and
    two of her circles; a few followed, some with career stages."""
    StaffRole.objects.create(organization=lakeshore, user=alice, role=StaffRole.Role.ADMIN)
    circles = [make_circle(alice, [bob], name=f"Circle {n}") for n in (1, 2)]
    audiences = [
        {"audience": Opportunity.Audience.EVERYONE},
        {"audience": Opportunity.Audience.ORGANIZATION, "organization": lakeshore},
        {"audience": Opportunity.Audience.COMMUNITY, "community": sample_community["community"]},
        {"audience": Opportunity.Audience.CIRCLE, "circle": circles[0]},
        {"audience": Opportunity.Audience.CIRCLE, "circle": circles[1]},
    ]
    made = [
        opportunity(
            f"Opportunity {n:02d}",
            days=n,
            career_stages=["professor"] if n % 3 else [],
            posted_by=bob,
            **audiences[n % len(audiences)],
        )
        for n in range(30)
    ]
    for followed in made[::4]:
        Follow.objects.create(opportunity=followed, user=alice)
    return made


def test_the_board_pages_by_25(client_for, alice, thirty_mixed):
    client = client_for(alice)
    first = client.get(BOARD)
    assert len(first.context["page"]) == 25
    assert first.context["page"].paginator.count == 30
    second = listed(client, page=2)
    assert second == [f"Opportunity {n:02d}" for n in range(25, 30)]
    assert "page=2" in first.content.decode()


def test_the_board_makes_the_same_few_queries_for_30_opportunities_as_for_1(
    client_for, alice, thirty_mixed, django_assert_max_num_queries
):
    client = client_for(alice)
    client.get(BOARD)  # the session and the navigation's first look-ups
    # Session, user and profile; the count; the page (its audiences and follows joined
    # in); the equity links; saving the session (three, with its savepoint).
    with django_assert_max_num_queries(9):
        response = client.get(BOARD, {"stage": "professor", "deadline": "3m"})
    assert response.status_code == 200
    assert len(response.context["page"]) == 25
