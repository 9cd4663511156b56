"""Small populations and policies built in code for the matching tests."""

from __future__ import annotations

import numpy as np

from peerhaven.matching import People, parse_policy

FULL_POLICY = """
[groups]
min_size = {min_size}
max_size = {max_size}

[[criteria]]
column = "department"
weight = 2.0

[[criteria]]
column = "stage"

[[criteria]]
column = "years"
type = "number"
goal = "similar"

[[criteria]]
column = "interests"
type = "multi"
weight = 0.5

[rules]
shared_slot = "slots"
apart = ["supervisor"]
no_lone = [{{ column = "urm", value = "yes" }}]
together = ["buddy"]
fixed = "circle"

[pairs]
window = {{ column = "years", max_difference = 3 }}
"""


def make_people(n: int, seed: int = 0, *, slots: int = 4, circles: int = 0) -> People:
    """n people with every kind of column the rules read; circles > 0 fixes a few."""
    rng = np.random.default_rng(seed)
    records = []
    for k in range(n):
        records.append(
            {
                "id": f"p{k}",
                "department": f"dept{min(rng.geometric(0.3), 9)}",
                "stage": rng.choice(["assistant", "associate", "professor"]),
                "years": int(rng.integers(0, 15)),
                "interests": list(
                    rng.choice(["ed", "research", "lead", "clinic"], 2, replace=False)
                ),
                "slots": list(
                    rng.choice([f"S{s}" for s in range(slots)], min(2, slots), replace=False)
                ),
                "supervisor": f"p{rng.integers(k)}" if k and rng.random() < 0.3 else "",
                "urm": "yes" if rng.random() < 0.15 else "no",
                "buddy": "",
                "circle": "",
            }
        )
    for c in range(circles):
        for k in range(c * 3, c * 3 + 3):
            records[k]["circle"] = f"circle-{c}"
            records[k]["slots"] = ["S0"]
            records[k]["supervisor"] = ""
    return People.from_records(records)


def full_policy(min_size: int = 6, max_size: int = 8):
    return parse_policy(FULL_POLICY.format(min_size=min_size, max_size=max_size))
