from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerhaven.matching import InputError, People, form_groups, parse_policy
from peerhaven.matching.check import check_rules
from peerhaven.matching.encode import encode
from tests.matching.populations import full_policy, make_people


def recomputed_objective(people: People, policy, result) -> float:
    """The documented objective, recomputed from the raw cells with plain loops."""
    total = 0.0
    for members in result.members():
        for a, b in itertools.combinations([people.index_of[m] for m in members], 2):
            for criterion in policy.criteria:
                x, y = people.column(criterion.column)[a], people.column(criterion.column)[b]
                total += criterion.signed_weight * _delta(people, criterion, x, y)
    return total


def _delta(people, criterion, x, y) -> float:
    if not x or not y:
        return 0.0
    if criterion.kind == "category":
        return float(x != y)
    if criterion.kind == "number":
        values = [float(v) for v in people.column(criterion.column) if v]
        return abs(float(x) - float(y)) / (max(values) - min(values))
    first, second = set(x.split(";")), set(y.split(";"))
    return 1 - len(first & second) / len(first | second)


def test_every_hard_rule_holds_on_a_mixed_population():
    people, policy = make_people(120, seed=3), full_policy()
    result = form_groups(people, policy, seed=1)
    assert result.check.counts == dict.fromkeys(result.check.counts, 0)
    placed = int((result.group_of >= 0).sum())
    assert placed + len(result.unplaced) == len(people)
    assert placed >= 0.9 * len(people)


def test_objective_matches_the_documented_formula():
    people, policy = make_people(40, seed=5), full_policy()
    result = form_groups(people, policy, seed=2)
    assert result.objective == pytest.approx(recomputed_objective(people, policy, result))
    assert sum(result.contributions.values()) == pytest.approx(result.objective)


def test_same_seed_same_groups_and_search_beats_random():
    people, policy = make_people(60, seed=7), full_policy()
    first = form_groups(people, policy, seed=11)
    second = form_groups(people, policy, seed=11)
    assert np.array_equal(first.group_of, second.group_of)
    rng = np.random.default_rng(0)
    random_objective = form_groups(people, policy, seed=11, time_limit=1e-6).objective
    assert first.objective >= random_objective
    del rng


def test_fixed_people_stay_in_their_circle():
    people = make_people(50, seed=9, circles=2)
    result = form_groups(people, full_policy(), seed=0)
    for k in range(6):
        assert result.group_label(k) == f"circle-{k // 3}"
    assert result.check.total == 0


def test_together_pairs_share_a_group():
    people = make_people(48, seed=4)
    people.columns["buddy"][10] = "p11"
    people.columns["slots"][11] = people.columns["slots"][10]
    people.columns["supervisor"][11] = ""
    result = form_groups(people, full_policy(), seed=0)
    assert result.group_of[10] == result.group_of[11] >= 0


def test_person_without_slots_is_reported_not_hidden():
    people = make_people(30, seed=1)
    people.columns["slots"][4] = ""
    result = form_groups(people, full_policy(), seed=0)
    assert result.group_of[4] == -1
    assert "slot" in result.unplaced["p4"]
    assert result.check.total == 0


def test_sizes_that_cannot_partition_the_people_are_bad_input():
    with pytest.raises(InputError, match="cannot be split") as caught:
        form_groups(make_people(5), full_policy())
    assert caught.value.line == 3  # the min_size line of the policy


def test_single_lone_holder_is_unplaced_with_reason():
    people = make_people(24, seed=2)
    people.columns["urm"][:] = ["no"] * 24
    people.columns["urm"][0] = "yes"
    result = form_groups(people, full_policy(), seed=0)
    assert result.group_of[0] == -1
    assert "urm=yes" in result.unplaced["p0"] or "no_lone" in result.unplaced["p0"]


def test_progress_and_cancel_are_called():
    seen = []
    result = form_groups(
        make_people(80), full_policy(), progress=lambda f, m: seen.append(f), cancel=lambda: True
    )
    assert seen
    assert seen == sorted(seen)
    assert result.check.total == 0


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(min_value=8, max_value=70),
    seed=st.integers(min_value=0, max_value=10_000),
    sizes=st.sampled_from([(2, 3), (3, 5), (4, 4), (6, 8)]),
    slots=st.integers(min_value=1, max_value=6),
)
def test_no_hard_rule_is_ever_broken(n, seed, sizes, slots):
    people, policy = make_people(n, seed=seed, slots=slots), full_policy(*sizes)
    try:
        result = form_groups(people, policy, seed=seed)
    except InputError:
        return  # only the size arithmetic is bad input, checked above
    enc = encode(people, policy)
    audit = check_rules(enc, policy, result.group_of, result.names, people.ids)
    assert audit.total == 0, audit.details
    assert set(result.unplaced) == {people.ids[k] for k in np.flatnonzero(result.group_of < 0)}


def test_small_instance_reaches_the_brute_force_optimum():
    people = make_people(12, seed=8, slots=1)
    policy = parse_policy(
        '[groups]\nmin_size = 4\nmax_size = 4\n[[criteria]]\ncolumn = "department"\n'
        '[[criteria]]\ncolumn = "years"\ntype = "number"\n'
    )
    enc = encode(people, policy)
    best = _brute_force_three_fours(enc)
    assert form_groups(people, policy, seed=0).objective == pytest.approx(best)


def _brute_force_three_fours(enc) -> float:
    from peerhaven.matching.encode import pair_distance

    idx = np.arange(12)
    d = pair_distance(enc, idx[:, None], idx[None, :])
    best = -np.inf
    rest = list(range(1, 12))
    for a in itertools.combinations(rest, 3):
        left = [x for x in rest if x not in a]
        first = (0, *a)
        for b in itertools.combinations(left[1:], 3):
            second = (left[0], *b)
            third = [x for x in left if x not in second]
            value = sum(d[np.ix_(g, g)].sum() / 2 for g in (first, second, third))
            best = max(best, value)
    return float(best)


def test_incremental_mode_keeps_existing_members_and_fills_seats():
    people, policy = make_people(96, seed=12), full_policy()
    people.columns["urm"][:] = ["no"] * 96  # no rule can force a move
    people.columns["supervisor"][:] = [""] * 96
    before = form_groups(people, policy, seed=0)
    # Newcomers: one person from each full group, so every group keeps min_size.
    newcomers = {members[0] for members in before.members() if len(members) == 8}
    existing = {p: before.group_label(k) for k, p in enumerate(people.ids) if p not in newcomers}
    after = form_groups(people, policy, seed=0, existing=existing)
    assert after.unplaced == {}
    assert after.moved == 0
    assert after.check.total == 0
    for k, person in enumerate(people.ids):
        if existing.get(person):
            assert after.group_label(k) == existing[person]


def test_incremental_mode_moves_existing_members_only_to_keep_rules():
    people, policy = make_people(96, seed=12), full_policy()
    before = form_groups(people, policy, seed=0)
    existing = {p: before.group_label(k) for k, p in enumerate(people.ids) if k >= 8}
    after = form_groups(people, policy, seed=0, existing=existing)
    assert after.check.total == 0
    assert after.moved <= 0.05 * len(existing)


def test_incremental_mode_with_a_move_cost_moves_few():
    people, policy = make_people(96, seed=13), full_policy()
    before = form_groups(people, policy, seed=0)
    existing = {p: before.group_label(k) for k, p in enumerate(people.ids) if k >= 8}
    after = form_groups(people, policy, seed=0, existing=existing, move_cost=5.0)
    assert after.check.total == 0
    assert after.moved <= 0.1 * len(existing)


@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(min_value=24, max_value=90),
    seed=st.integers(min_value=0, max_value=10_000),
    churn=st.floats(min_value=0.02, max_value=0.3),
)
def test_incremental_mode_never_breaks_a_rule(n, seed, churn):
    people, policy = make_people(n, seed=seed), full_policy()
    before = form_groups(people, policy, seed=seed)
    rng = np.random.default_rng(seed)
    newcomers = set(rng.choice(people.ids, max(1, int(n * churn)), replace=False).tolist())
    existing = {p: before.group_label(k) for k, p in enumerate(people.ids) if p not in newcomers}
    after = form_groups(people, policy, seed=seed, existing=existing)
    assert after.check.total == 0, after.check.details
