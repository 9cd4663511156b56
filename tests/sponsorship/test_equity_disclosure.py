"""The equity view publishes nothing about fewer than five people, not even by subtraction:
an attacker who reads only the page, and works out for themself how its figures relate,
cannot pin any hidden figure to one value. The page shows exactly the engine's figures."""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerhaven.lib import disclosure as dc
from peerhaven.orgs.models import StaffRole
from peerhaven.sponsorship.equity import PersonYear, RawEquity, build, compose
from tests.outcomes.attacker import feasible_ranges
from tests.sponsorship.test_equity import (
    equity_page,
    nominate,
    opportunity,
    organization,
    person,
    published_on,
)

MEASURES = ("put_forward", "selected")
STAGES = ["resident", "assistant_professor", "professor", ""]
GENDERS = ["woman", "man", "non_binary", ""]
URIM = ["yes", "no", ""]
serial = itertools.count()


# ---- the attacker --------------------------------------------------------------------


def relations_from_page(ids) -> list[tuple[str, tuple[str, ...]]]:
    """What a reader can tell from the tables alone, without the engine's own list: in
    each year's tables every breakdown adds up to the "All people" row, and the people put
    forward in a group are those selected plus those not (never shown, at least 0)."""
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    relations = []
    for cid in ids:
        year, measure, *rest = cid.split(".")
        if measure in MEASURES and rest != ["total"]:
            groups[(year, measure, rest[0])].append(cid)
        if measure == "put_forward":
            suffix = ".".join(rest)
            implicit = f"{year}.not_selected.{suffix}"
            relations.append((cid, (f"{year}.selected.{suffix}", implicit)))
    for (year, measure, _), parts in groups.items():
        relations.append((f"{year}.{measure}.total", tuple(sorted(parts))))
    return relations


def assert_nothing_recoverable(report, published: dict) -> None:
    """``published``: every figure a reader sees (None when suppressed)."""
    counts = {
        cid: v
        for cid, v in published.items()
        if cid.split(".")[1:2] in (["put_forward"], ["selected"])
    }
    relations = relations_from_page(counts)
    implicit = {part for _, parts in relations for part in parts if part not in counts}
    truth = report.disclosure.cells
    for cid, (low, high) in feasible_ranges(counts, implicit, relations).items():
        true = truth[cid].value
        assert low <= true <= high, cid
        if cid in counts or 0 < true < dc.SMALLEST_SHOWN:
            assert low < high, f"{cid} = {true} can be worked out from the page"


def assert_primary_rules(report, published: dict) -> None:
    """No shown count of 1-4; a share only beside both its counts, over five or more."""
    for cid, value in published.items():
        if value is None or cid == "opportunities":
            continue
        year, measure, suffix = cid.split(".", 2)
        if measure in MEASURES:
            assert not 0 < value < dc.SMALLEST_SHOWN, cid
        else:
            put = published[f"{year}.put_forward.{suffix}"]
            assert put is not None, cid
            assert put >= dc.SMALLEST_SHOWN, cid
            assert published[f"{year}.selected.{suffix}"] is not None, cid


def published_by_engine(report) -> dict:
    cells = report.disclosure.cells
    return {cid: report.value(cid) for cid, cell in cells.items() if cell.displayed}


# ---- composing generated people (no database) -----------------------------------------

people_rows = st.lists(
    st.tuples(
        st.sampled_from([*STAGES[:-1], "not_given"]),
        st.sampled_from(["woman", "man", "non_binary", "not_shared"]),
        st.sampled_from(["yes", "no", "not_shared"]),
        st.booleans(),
    ),
    min_size=1,
    max_size=30,
)


@st.composite
def raw_figures(draw) -> RawEquity:
    years = draw(st.lists(st.integers(2020, 2026), min_size=1, max_size=2, unique=True))
    people = [
        PersonYear(year, chosen, {"stage": stage, "gender": gender, "urim": urim})
        for year in years
        for stage, gender, urim, chosen in draw(people_rows)
    ]
    return RawEquity("Generated", draw(st.integers(0, 9)), sorted(years, reverse=True), people)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_figures())
def test_no_hidden_figure_of_generated_people_can_be_worked_out(raw):
    report = compose(raw)
    published = published_by_engine(report)
    assert_primary_rules(report, published)
    assert_nothing_recoverable(report, published)


def test_the_published_cells_keep_their_relations():
    # Group sizes 5 and more only: nothing hidden, and every breakdown adds up.
    people = [
        PersonYear(2025, i % 2 == 0, {"stage": "resident", "gender": g, "urim": "not_shared"})
        for i, g in enumerate(["woman"] * 10 + ["man"] * 10)
    ]
    report = compose(RawEquity("Plain", 2, [2025], people))
    assert report.hidden == set()
    value = report.value
    assert value("2025.put_forward.total") == 20
    assert value("2025.put_forward.gender.woman") + value("2025.put_forward.gender.man") == 20
    assert value("2025.selected.total") == 10
    assert value("2025.share.gender.woman") == 0.5
    assert value("2025.share.stage.professor") is None  # nobody: no share to show


# ---- the page, for nominations in the database ----------------------------------------


def check_page(report, page: str) -> None:
    shown = published_on(page)
    engine = published_by_engine(report)
    assert set(shown) == set(engine), "the page shows every figure, and only those"
    for cid, value in shown.items():
        if value is None:
            assert engine[cid] is None, cid
        else:
            assert value == pytest.approx(engine[cid]), cid
    for cid in report.hidden:
        assert shown.get(cid) is None, cid
    assert_primary_rules(report, shown)
    assert_nothing_recoverable(report, shown)


@pytest.mark.django_db
def test_three_women_are_suppressed_and_cannot_be_worked_out(client_for, dana, lakeshore):
    first = opportunity(lakeshore)
    for gender, number in (("woman", 3), ("man", 10), ("", 7)):
        for _ in range(number):
            nominate(first, person(gender=gender, urim="no" if gender else ""), "submitted")
    page = equity_page(client_for(dana), lakeshore)
    shown = published_on(page)
    assert 'data-cell="2025.put_forward.gender.woman">suppressed' in page
    assert shown["2025.share.gender.woman"] is None
    # The total less the other genders would give the three away: one of those is hidden.
    others = ["total", "gender.man", "gender.not_shared"]
    assert any(shown[f"2025.put_forward.{suffix}"] is None for suffix in others)
    assert shown["2025.put_forward.gender.non_binary"] == 0
    report = build(lakeshore)
    assert report.disclosure.cells["2025.put_forward.gender.woman"].value == 3
    check_page(report, page)


nomination_sets = st.lists(
    st.tuples(
        st.sampled_from(STAGES),
        st.sampled_from(GENDERS),
        st.sampled_from(URIM),
        st.sampled_from(["submitted", "selected", "not_selected", "draft", "withdrawn"]),
        st.sampled_from(["accepted", "accepted", "accepted", "declined", "pending"]),
        st.sampled_from([2024, 2025]),
    ),
    max_size=24,
)


@pytest.mark.django_db
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(nominations=nomination_sets)
def test_the_page_publishes_the_engines_figures_and_nothing_recoverable(
    nominations, client_for, dana
):
    org = organization(f"Generated {next(serial)}")
    StaffRole.objects.create(organization=org, user=dana, role=StaffRole.Role.COORDINATOR)
    opportunities = {year: opportunity(org, year) for year in (2024, 2025)}
    for stage, gender, urim, status, response, year in nominations:
        nominee = person(stage, gender=gender, urim=urim)
        nominate(opportunities[year], nominee, status, response)
    response = client_for(dana).get(reverse("sponsorship:equity", args=[org.pk]))
    page = response.content.decode()
    report = build(org)
    if not report.blocks:
        assert "No nominations for Generated" in page
    check_page(report, page)
    assert "Nominee " not in page


def test_protecting_each_year_alone_hides_what_protecting_all_together_would():
    from peerhaven.sponsorship import equity

    rows = [
        ("resident", "woman", "yes"),
        ("professor", "man", "no"),
        ("not_given", "man", "not_shared"),
    ]
    people = [
        PersonYear(
            year, i % 3 == 0, dict(zip(("stage", "gender", "urim"), rows[i % 3], strict=True))
        )
        for year, size in ((2025, 13), (2024, 8))
        for i in range(size)
    ]
    cells, relations = [], []
    for year in (2025, 2024):
        equity._year_cells(cells, relations, year, [p for p in people if p.year == year])
    together = dc.protect(cells, relations)
    report = compose(RawEquity("Two years", 1, [2025, 2024], people))
    assert report.disclosure.hidden == together.hidden
    assert together.hidden  # the example has something to hide
