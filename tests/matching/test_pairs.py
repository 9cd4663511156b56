from __future__ import annotations

import numpy as np

from peerhaven.matching import People, parse_policy
from peerhaven.matching.encode import encode
from peerhaven.matching.pairs import exact_relaxation_bound, form_pairs
from tests.matching.populations import full_policy, make_people


def test_pairs_respect_window_apart_and_slots():
    people, policy = make_people(150, seed=4), full_policy()
    result = form_pairs(people, policy, seed=0)
    assert result.violations == 0
    years = {p: float(y) for p, y in zip(people.ids, people.column("years"), strict=True)}
    bosses = dict(zip(people.ids, people.column("supervisor"), strict=True))
    slots = {p: set(s.split(";")) for p, s in zip(people.ids, people.column("slots"), strict=True)}
    for a, b in result.pairs:
        assert abs(years[a] - years[b]) <= 3
        assert bosses[a] != b
        assert bosses[b] != a
        assert slots[a] & slots[b]
    assert len(result.pairs) * 2 + len(result.unpaired) == len(people)


def test_pair_score_is_close_to_the_exact_assignment_bound():
    people, policy = make_people(300, seed=6), full_policy()
    result = form_pairs(people, policy, seed=0)
    enc = encode(people, policy)
    window = np.array([float(v) for v in people.column("years")])
    bound = exact_relaxation_bound(enc, window, 3)
    assert result.score <= bound + 1e-9
    assert result.score >= 0.97 * bound


def test_mentor_mode_pairs_each_mentee_with_a_mentor():
    records = [
        {"id": f"m{k}", "role": "mentor", "dept": f"d{k % 3}", "rank": 10 + k % 5} for k in range(6)
    ] + [
        {"id": f"e{k}", "role": "mentee", "dept": f"d{k % 4}", "rank": 5 + k % 5} for k in range(10)
    ]
    policy = parse_policy(
        '[[criteria]]\ncolumn = "dept"\n[pairs]\nmentor = { column = "role", capacity = 2 }\n'
        'window = { column = "rank", max_difference = 9 }\n'
    )
    result = form_pairs(People.from_records(records), policy)
    assert len(result.pairs) == 10
    mentors = [b for _, b in result.pairs]
    assert all(a.startswith("e") and b.startswith("m") for a, b in result.pairs)
    assert max(mentors.count(m) for m in set(mentors)) <= 2
