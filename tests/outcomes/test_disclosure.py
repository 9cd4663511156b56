"""The disclosure engine: primary suppression of figures about fewer than 5 people, and
complementary suppression until an attacker who knows every relation cannot recover any
hidden figure (``attacker.py`` says what the attacker knows)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerhaven.lib import disclosure as dc
from tests.outcomes.attacker import brute_force_ranges, feasible_ranges

COUNTS = st.one_of(st.integers(0, 6), st.integers(0, 40))


def test_small_counts_are_hidden_zeros_and_large_counts_shown():
    cells = [dc.count("all", 10), dc.count("a", 3), dc.count("b", 7), dc.count("c", 0)]
    result = dc.protect(cells, [dc.Relation("all", ("a", "b", "c"))])
    assert result.published() == {"all": 10, "a": None, "b": None, "c": 0}
    assert result.primary == {"a"}
    assert result.complementary == {"b"}  # else 10 - 7 - 0 gives a away


def test_a_total_of_two_ones_is_hidden_too():
    # With the total shown, 1 + 1 = 2 and "hidden counts are at least 1" give both away.
    cells = [dc.count("all", 2), dc.count("a", 1), dc.count("b", 1)]
    result = dc.protect(cells, [dc.Relation("all", ("a", "b"))])
    assert result.published() == {"all": None, "a": None, "b": None}


def test_an_implicit_small_count_is_protected():
    # 12 members, 7 invited: the 5 not invited are fine. 9 invited: 3 not invited is not.
    for invited, hidden in [(7, set()), (9, {"invited"})]:
        cells = [
            dc.count("members", 12),
            dc.count("invited", invited),
            dc.count("not_invited", 12 - invited, displayed=False),
        ]
        result = dc.protect(cells, [dc.Relation("members", ("invited", "not_invited"))])
        assert set(result.hidden) - {"members"} == hidden
        assert "not_invited" not in result.published()


def test_statistics_over_fewer_than_five_are_hidden_and_figures_never():
    cells = [
        dc.statistic("mean4", 3.2, 4),
        dc.statistic("mean5", 3.4, 5),
        dc.statistic("nothing", None, 0),
        dc.figure("circles", 2),
    ]
    result = dc.protect(cells, [])
    assert result.published() == {"mean4": None, "mean5": 3.4, "nothing": None, "circles": 2}
    assert result.hidden == {"mean4"}


def test_relations_must_add_up_and_join_counts_only():
    with pytest.raises(ValueError, match="does not add up"):
        dc.protect([dc.count("t", 5), dc.count("a", 3)], [dc.Relation("t", ("a",))])
    with pytest.raises(ValueError, match="not a count"):
        dc.protect([dc.count("t", 5), dc.statistic("m", 5.0, 9)], [dc.Relation("t", ("m",))])
    with pytest.raises(ValueError, match="two cells"):
        dc.protect([dc.count("t", 5), dc.count("t", 6)], [])


@st.composite
def partitions(draw, total: int, size: int) -> list[int]:
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=size - 1, max_size=size - 1)))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


@st.composite
def systems(draw):
    """Cells and relations like a report's: a table with a total, maybe a second table
    splitting the same total another way, maybe a part split further, some counts never
    displayed."""
    parts = draw(st.lists(COUNTS, min_size=2, max_size=5))
    values = {"t": sum(parts)} | {f"a{i}": v for i, v in enumerate(parts)}
    relations = [("t", tuple(f"a{i}" for i in range(len(parts))))]
    if draw(st.booleans()):
        other = draw(partitions(values["t"], draw(st.integers(2, 4))))
        values |= {f"b{i}": v for i, v in enumerate(other)}
        relations.append(("t", tuple(f"b{i}" for i in range(len(other)))))
    if draw(st.booleans()):
        nested = draw(partitions(values["a0"], draw(st.integers(2, 3))))
        values |= {f"c{i}": v for i, v in enumerate(nested)}
        relations.append(("a0", tuple(f"c{i}" for i in range(len(nested)))))
    implicit = {cid for cid in values if cid != "t" and draw(st.integers(0, 5)) == 0}
    return values, implicit, relations


def protect(values, implicit, relations):
    cells = [dc.count(cid, v, displayed=cid not in implicit) for cid, v in values.items()]
    return dc.protect(cells, [dc.Relation(total, parts) for total, parts in relations])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems())
def test_no_hidden_count_can_be_recovered(system):
    values, implicit, relations = system
    published = protect(values, implicit, relations).published()
    for cid, value in published.items():
        assert value is None or value == values[cid]  # shown figures are true
        if value is None:
            assert values[cid] > 0  # zeros are always shown
        if 0 < values[cid] < dc.SMALLEST_SHOWN:
            assert value is None  # small counts never shown
    ranges = feasible_ranges(published, implicit, relations)
    for cid, (low, high) in ranges.items():
        assert low <= values[cid] <= high
        # Every hidden count, small or not, has more than one possible value; a count
        # never displayed may be worked out if it is not small (0 or 5 and more).
        if cid in published or 0 < values[cid] < dc.SMALLEST_SHOWN:
            assert low < high, f"{cid}={values[cid]} recovered from {published}"


@settings(max_examples=100, deadline=None)
@given(systems())
def test_the_solver_attacker_agrees_with_trying_every_value(system):
    values, implicit, relations = system
    if max(values.values()) > 8:
        return
    published = protect(values, implicit, relations).published()
    unknown = [cid for cid in values if published.get(cid) is None]
    if len(unknown) > 4:
        return
    solved = feasible_ranges(published, implicit, relations)
    tried = brute_force_ranges(published, implicit, relations, limit=14)
    for cid, (low, high) in solved.items():
        assert tried[cid][0] == low
        if high < 14:  # else the search was cut short at 14
            assert tried[cid][1] == high
