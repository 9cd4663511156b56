"""The equity view of an organization's opportunities: who may open it, what it counts
(people, not nominations; only nominations put forward; gender and under-represented status
only with the member's equity consent), its layout, and its fixed number of queries. The
disclosure of small figures is tested in test_equity_disclosure.py."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.urls import reverse

from peerhaven.accounts.models import Profile, SelfDescription, SensitiveConsent, User
from peerhaven.orgs.models import Organization, StaffRole
from peerhaven.sponsorship.equity import build
from peerhaven.sponsorship.models import Nomination, Opportunity
from tests.accounts.test_private_profile import URL
from tests.accounts.test_private_profile import answers as private_answers
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

YEAR = 2025
CELL = re.compile(r'data-cell="([^"]+)"[^>]*>([^<]*)<')
serial = itertools.count()


# ---- building nominations ------------------------------------------------------------


def person(stage="assistant_professor", *, gender="", urim="", equity=True, **flags) -> User:
    """A nominee with a profile and, when given, self-descriptions (counted in equity
    reports when ``equity``)."""
    n = next(serial)
    user = User.objects.create(email=f"nominee{n}@example.org")
    Profile.objects.create(user=user, display_name=f"Nominee {n}", career_stage=stage)
    answers = {"gender": gender, "under_represented": urim}
    if any(answers.values()):
        SensitiveConsent.objects.create(user=user)
    for attribute, value in answers.items():
        if value:
            SelfDescription.objects.create(
                user=user, attribute=attribute, value=value, equity_allowed=equity, **flags
            )
    return user


def opportunity(organization, year=YEAR, **fields) -> Opportunity:
    fields.setdefault("audience", Opportunity.Audience.ORGANIZATION)
    return Opportunity.objects.create(
        kind=Opportunity.Kind.AWARD,
        title=f"Award {next(serial)}",
        deadline=dt.date(year, 6, 1),
        organization=organization,
        **fields,
    )


def nominate(opportunity, nominee, status="submitted", response="accepted") -> Nomination:
    return Nomination.objects.create(
        opportunity=opportunity,
        nominee=nominee,
        nominator=nominee,
        status=status,
        response=response,
    )


def organization(name: str) -> Organization:
    return Organization.objects.create(
        name=name, slug=f"org-{next(serial)}", kind=Organization.Kind.SOCIETY
    )


def published_on(page: str) -> dict:
    """data-cell id -> the number the page shows (None: suppressed, or a share of nobody)."""
    found = {}
    for cid, text in CELL.findall(page):
        text = text.strip()
        if text in ("suppressed", "–"):
            found[cid] = None
        elif text.endswith("%"):
            found[cid] = int(text[:-1]) / 100
        else:
            found[cid] = int(text)
    return found


def equity_page(client, org) -> str:
    response = client.get(reverse("sponsorship:equity", args=[org.pk]))
    assert response.status_code == 200
    return response.content.decode()


# ---- who may open it -----------------------------------------------------------------


def test_staff_who_run_or_study_programs_open_it_and_nobody_else(
    client_for, dana, rhea, carol, sam, lakeshore
):
    url = reverse("sponsorship:equity", args=[lakeshore.pk])
    facilitator = make_member("fay@example.org", "Fay Facilitator")
    StaffRole.objects.create(
        organization=lakeshore, user=facilitator, role=StaffRole.Role.FACILITATOR
    )
    assert client_for(dana).get(url).status_code == 200
    assert client_for(rhea).get(url).status_code == 200
    assert client_for(facilitator).get(url).status_code == 403
    assert client_for(carol).get(url).status_code == 404
    assert client_for(sam).get(url).status_code == 404  # site admins hold no role there


def test_a_coordinator_elsewhere_gets_404_and_so_does_a_missing_organization(
    client_for, dana, lakeshore
):
    other = organization("Riverside Society")
    client = client_for(dana)
    assert client.get(reverse("sponsorship:equity", args=[other.pk])).status_code == 404
    assert client.get(reverse("sponsorship:equity", args=[other.pk + 99])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, lakeshore):
    response = client.get(reverse("sponsorship:equity", args=[lakeshore.pk]))
    assert response.status_code == 302
    assert "login" in response.url


# ---- what it counts ------------------------------------------------------------------


@pytest.fixture
def example(lakeshore):
    """Twenty people put forward in 2025, every figure 0 or at least 5:

    - 5 women, assistant professors, under-represented: selected
    - 5 women, associate professors, not under-represented: not selected
    - 5 men, assistant professors, not under-represented: selected
    - 5 with no career stage and nothing shared: not selected

    and nominations that must not count, of people who would change every figure."""
    first, second = opportunity(lakeshore), opportunity(lakeshore)
    opportunity(lakeshore, audience=Opportunity.Audience.EVERYONE)  # no nominations
    groups = [
        ({"gender": "woman", "urim": "yes"}, "assistant_professor", "selected"),
        ({"gender": "woman", "urim": "no"}, "associate_professor", "not_selected"),
        ({"gender": "man", "urim": "no"}, "assistant_professor", "selected"),
        ({}, "", "not_selected"),
    ]
    people = []
    for answers, stage, status in groups:
        group = [person(stage, **answers) for _ in range(5)]
        for nominee in group:
            nominate(first, nominee, status)
        people.append(group)
    # Several nominations of one person in a year are one person; one selected is enough.
    nominate(second, people[0][0], "not_selected")
    nominate(second, people[1][0], "not_selected")
    nominate(second, people[2][0], "draft")
    _nominations_that_do_not_count(lakeshore, first)
    return people


def _nominations_that_do_not_count(lakeshore, first) -> None:
    def outsider():
        return person("resident", gender="non_binary", urim="yes")

    nominate(first, outsider(), "submitted", "declined")
    nominate(first, outsider(), "submitted", "pending")
    nominate(first, outsider(), "draft", "accepted")
    nominate(first, outsider(), "withdrawn", "accepted")
    elsewhere = opportunity(organization("Riverside Society"))
    nominate(elsewhere, outsider(), "selected", "accepted")
    # Lakeshore's people see it, but Lakeshore did not post it: not Lakeshore's to count.
    nominate(opportunity(None, audience=Opportunity.Audience.EVERYONE), outsider(), "selected")


EXPECTED = {
    "opportunities": 3,
    "2025.put_forward.total": 20,
    "2025.selected.total": 10,
    "2025.share.total": 0.5,
    "2025.put_forward.stage.assistant_professor": 10,
    "2025.selected.stage.assistant_professor": 10,
    "2025.share.stage.assistant_professor": 1.0,
    "2025.put_forward.stage.associate_professor": 5,
    "2025.selected.stage.associate_professor": 0,
    "2025.share.stage.associate_professor": 0.0,
    "2025.put_forward.stage.not_given": 5,
    "2025.put_forward.stage.resident": 0,
    "2025.share.stage.resident": None,
    "2025.put_forward.gender.woman": 10,
    "2025.selected.gender.woman": 5,
    "2025.share.gender.woman": 0.5,
    "2025.put_forward.gender.man": 5,
    "2025.selected.gender.man": 5,
    "2025.put_forward.gender.non_binary": 0,
    "2025.put_forward.gender.not_shared": 5,
    "2025.selected.gender.not_shared": 0,
    "2025.put_forward.urim.yes": 5,
    "2025.selected.urim.yes": 5,
    "2025.share.urim.yes": 1.0,
    "2025.put_forward.urim.no": 10,
    "2025.selected.urim.no": 5,
    "2025.put_forward.urim.not_shared": 5,
}


def test_people_put_forward_and_selected_are_counted_by_group(client_for, dana, example, lakeshore):
    page = equity_page(client_for(dana), lakeshore)
    shown = published_on(page)
    for cid, value in EXPECTED.items():
        assert shown[cid] == value, cid
    assert "suppressed" not in re.sub(r"How figures are protected.*", "", page, flags=re.S)
    assert "Nominee " not in page
    assert "@example.org" not in page


def test_the_page_has_a_table_per_breakdown_that_scrolls_on_a_phone(
    client_for, rhea, example, lakeshore
):
    page = equity_page(client_for(rhea), lakeshore)
    assert '<h2 id="year-2025-heading">2025</h2>' in page
    for caption in ("career stage", "gender", "under-represented status"):
        assert f"2025: people put forward and selected, by {caption}" in page
    assert page.count('class="table-scroll" tabindex="0" role="region"') == 3
    for text in ("What is counted", "How figures are protected", "Not shared", "Not given"):
        assert text in page


def test_gender_given_without_equity_consent_is_not_shared(lakeshore):
    first = opportunity(lakeshore)
    # Consent to matching and research is not consent to equity reports.
    nominate(
        first,
        person(
            gender="woman", urim="yes", equity=False, research_allowed=True, matching_allowed=True
        ),
    )
    nominate(first, person(gender="man", urim="no"))
    cells = build(lakeshore).disclosure.cells
    values = {cid: cells[cid].value for cid in cells}
    assert values["2025.put_forward.gender.woman"] == 0
    assert values["2025.put_forward.urim.yes"] == 0
    assert values["2025.put_forward.gender.not_shared"] == 1
    assert values["2025.put_forward.urim.not_shared"] == 1
    assert values["2025.put_forward.gender.man"] == 1
    assert values["2025.put_forward.stage.assistant_professor"] == 2


def test_answers_without_sensitive_consent_are_not_counted(lakeshore):
    nominee = person(gender="woman")
    SensitiveConsent.objects.filter(user=nominee).delete()  # as withdrawing would leave it
    nominate(opportunity(lakeshore), nominee)
    cells = build(lakeshore).disclosure.cells
    assert cells["2025.put_forward.gender.not_shared"].value == 1


def test_the_five_newest_years_with_nominations_are_shown_newest_first(client_for, dana, lakeshore):
    nominee = person()
    for year in (2018, 2019, 2020, 2022, 2023, 2024, 2026):
        nominate(opportunity(lakeshore, year), nominee)
    page = equity_page(client_for(dana), lakeshore)
    headings = re.findall(r'<h2 id="year-(\d+)-heading">', page)
    assert headings == ["2026", "2024", "2023", "2022", "2020"]
    assert "2019." not in page
    assert "2018." not in page


def test_with_nothing_put_forward_it_says_so_and_offers_to_post(client_for, dana, lakeshore):
    first = opportunity(lakeshore)
    nominate(first, person(), "submitted", "pending")
    page = equity_page(client_for(dana), lakeshore)
    assert "No nominations for Lakeshore University's opportunities yet." in page
    assert f'href="{reverse("sponsorship:opportunity_new")}"' in page
    assert published_on(page) == {"opportunities": 1}


# ---- queries -------------------------------------------------------------------------


def bulk_nominations(org, people: int, years: int = 5) -> None:
    """``people`` nominees, each put forward for two opportunities a year, some selected:
    built in bulk, as the page must cope with thousands."""
    users = User.objects.bulk_create(
        User(email=f"bulk{next(serial)}@example.org") for _ in range(people)
    )
    stages = ["resident", "fellow", "assistant_professor", "professor", ""]
    Profile.objects.bulk_create(
        Profile(user=u, display_name="Bulk", career_stage=stages[i % 5])
        for i, u in enumerate(users)
    )
    SensitiveConsent.objects.bulk_create(SensitiveConsent(user=u) for u in users[::2])
    SelfDescription.objects.bulk_create(
        SelfDescription(
            user=u, attribute="gender", value=["woman", "man"][i % 2], equity_allowed=True
        )
        for i, u in enumerate(users[::2])
    )
    opportunities = [opportunity(org, 2026 - y) for y in range(years) for _ in range(2)]
    Nomination.objects.bulk_create(
        Nomination(
            opportunity=o,
            nominee=u,
            nominator=u,
            response="accepted",
            status="selected" if (i + j) % 3 == 0 else "not_selected",
        )
        for i, u in enumerate(users)
        for j, o in enumerate(opportunities)
    )


def test_queries_do_not_grow_with_the_nominations(
    client_for, dana, lakeshore, django_assert_num_queries
):
    client = client_for(dana)
    # Session, user and profile; the role check and the organization; three for the
    # figures (the nominations put forward, the shared answers, the opportunities); the
    # session saved on every request (three, with its savepoint).
    with django_assert_num_queries(11):
        equity_page(client, lakeshore)
    bulk_nominations(lakeshore, 3)
    with django_assert_num_queries(11):
        equity_page(client, lakeshore)
    bulk_nominations(lakeshore, 200)  # 2,000 more nominations
    assert Nomination.objects.count() > 2000
    with django_assert_num_queries(11):
        page = equity_page(client, lakeshore)
    assert published_on(page)["2026.put_forward.total"] == 203


# ---- the consent, on the private self-description ------------------------------------

LABEL = "Count me, in aggregates of five or more, in equity reports"


def test_the_equity_choice_is_offered_for_gender_and_under_represented_status_only(
    client_for, alice
):
    client = client_for(alice)
    client.post(URL, {"agree": "on"})
    body = client.get(URL).content.decode()
    assert body.count(LABEL) == 2
    assert 'name="gender_equity"' in body
    assert 'name="under_represented_equity"' in body
    assert 'name="caregiver_equity"' not in body


def test_the_equity_choice_is_off_unless_ticked_and_can_be_withdrawn(client_for, alice):
    client = client_for(alice)
    client.post(URL, {"agree": "on"})
    client.post(
        URL,
        private_answers(
            gender_value="woman",
            gender_research="on",
            caregiver_equity="on",
            caregiver_value="children",
        ),
    )
    assert not SelfDescription.objects.filter(equity_allowed=True).exists()

    client.post(
        URL,
        private_answers(gender_value="woman", under_represented_value="yes", gender_equity="on"),
    )
    stored = {d.attribute: d for d in SelfDescription.objects.filter(user=alice)}
    assert stored["gender"].equity_allowed is True
    assert stored["gender"].research_allowed is False
    assert stored["under_represented"].equity_allowed is False
    assert client.get(URL).context["form"]["gender_equity"].value() is True

    client.post(URL, private_answers(gender_value="woman"))
    assert SelfDescription.objects.get(user=alice).equity_allowed is False


def test_an_equity_choice_without_an_answer_stores_nothing(client_for, alice):
    client = client_for(alice)
    client.post(URL, {"agree": "on"})
    client.post(URL, private_answers(gender_equity="on"))
    assert not SelfDescription.objects.filter(user=alice).exists()
