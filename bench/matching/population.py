"""Seeded, realistic populations for the matching benchmark.

Shaped like the programs Peerhaven serves: a department-sized pool at one
institution up to a national society spread over hundreds of institutions and
four time zones. Every rule kind appears: shared slots (2-4 of 10, correlated
with time zone), supervisors (30% have one at their institution), conflict
pairs (1%), no_lone on under-represented status (~12%), together pairs, and a
few people already fixed in existing circles.
"""

from __future__ import annotations

import numpy as np

from peerhaven.matching import People, parse_policy

SLOTS = [f"{day}-{hour}:00Z" for day in ("Tue", "Thu") for hour in (13, 15, 17, 19, 21)]
ZONES = ("ET", "CT", "MT", "PT")
# Which of the 10 UTC slots fall in each zone's working day, most convenient first.
ZONE_SLOTS = {
    "ET": (0, 5, 1, 6, 2, 7, 3, 8),
    "CT": (1, 6, 2, 7, 3, 8, 0, 5),
    "MT": (2, 7, 3, 8, 4, 9, 1, 6),
    "PT": (3, 8, 4, 9, 2, 7),
}
STAGES = ("instructor", "assistant", "associate", "professor")
TRACKS = ("clinician-educator", "physician-scientist", "clinician", "educator", "investigator")

POLICY = """
[groups]
min_size = 6
max_size = 8

[[criteria]]
column = "department"
weight = 2.0

[[criteria]]
column = "institution"
weight = 1.0

[[criteria]]
column = "career_stage"
weight = 1.0

[[criteria]]
column = "track"
weight = 0.5

[[criteria]]
column = "gender"
weight = 0.5

[[criteria]]
column = "years_in_rank"
type = "number"
goal = "similar"
weight = 0.5

[rules]
shared_slot = "slots"
apart = ["supervisor_id"]
conflicts = []
no_lone = [{ column = "urm", value = "yes" }]
together = ["together_with"]
fixed = "current_group"

[pairs]
window = { column = "rank_year", max_difference = 3 }
"""


def institutions_for(n: int) -> int:
    """One institution for a department-sized pool, hundreds for a society."""
    if n <= 100:
        return 1
    return int(min(400, max(5, n // 40)))


def generate(n: int, seed: int = 0, *, fixed_share: float = 0.02, together_share: float = 0.01):
    """(People, Policy) for n people; same seed, same population."""
    rng = np.random.default_rng(seed)
    institution = rng.integers(institutions_for(n), size=n)
    zone_of_institution = rng.choice(len(ZONES), size=institutions_for(n), p=[0.45, 0.25, 0.1, 0.2])
    zone = zone_of_institution[institution]
    department = _skewed(rng, 30, n, exponent=1.1)
    stage = rng.choice(len(STAGES), size=n, p=[0.15, 0.45, 0.25, 0.15])
    years = np.clip(rng.poisson(2 + 3 * stage), 0, 30)
    records = [
        {
            "id": f"p{k:06d}",
            "department": f"dept-{department[k]:02d}",
            "institution": f"inst-{institution[k]:03d}",
            "career_stage": STAGES[stage[k]],
            "years_in_rank": int(years[k]),
            "rank_year": 2026 - int(years[k]),
            "track": TRACKS[rng.choice(len(TRACKS), p=[0.35, 0.2, 0.25, 0.1, 0.1])],
            "gender": rng.choice(["woman", "man", "nonbinary"], p=[0.53, 0.45, 0.02]),
            "urm": "yes" if rng.random() < 0.12 else "no",
            "slots": _slots(rng, ZONES[zone[k]]),
            "supervisor_id": "",
            "together_with": "",
            "current_group": "",
        }
        for k in range(n)
    ]
    _supervisors(rng, records, institution, stage)
    _together(rng, records, together_share)
    _fixed_circles(rng, records, fixed_share)
    policy = parse_policy(
        POLICY.replace("conflicts = []", f"conflicts = {_conflicts(rng, records)}")
    )
    return People.from_records(records), policy


def _skewed(rng: np.random.Generator, kinds: int, n: int, exponent: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, kinds + 1) ** exponent
    return rng.choice(kinds, size=n, p=weights / weights.sum())


def _slots(rng: np.random.Generator, zone: str) -> list[str]:
    convenient = ZONE_SLOTS[zone]
    count = int(rng.integers(2, 5))
    weights = np.linspace(2.0, 0.5, len(convenient))
    chosen = rng.choice(convenient, size=count, replace=False, p=weights / weights.sum())
    return [SLOTS[s] for s in sorted(chosen)]


def _supervisors(rng, records, institution, stage) -> None:
    """30% have a supervisor: a more senior colleague at the same institution."""
    by_institution: dict[int, list[int]] = {}
    for k, inst in enumerate(institution):
        by_institution.setdefault(int(inst), []).append(k)
    for k in np.flatnonzero(rng.random(len(records)) < 0.3):
        colleagues = by_institution[int(institution[k])]
        senior = [c for c in colleagues[:50] if stage[c] > stage[k]]
        if senior:
            records[k]["supervisor_id"] = records[int(rng.choice(senior))]["id"]


def _together(rng, records, share: float) -> None:
    """A few people ask to be with a colleague they can meet with."""
    n = len(records)
    for k in rng.choice(n, size=int(n * share), replace=False):
        other = int(rng.integers(n))
        if other != k and not records[other]["together_with"] and not records[k]["together_with"]:
            records[other]["slots"] = list(records[k]["slots"])
            records[k]["together_with"] = records[other]["id"]
            for a, b in ((k, other), (other, k)):
                if records[a]["supervisor_id"] == records[b]["id"]:
                    records[a]["supervisor_id"] = ""


def _fixed_circles(rng, records, share: float) -> None:
    """Existing circles of 3-5 people who share a slot and stay together."""
    n = len(records)
    left = int(n * share)
    circle = 0
    used: set[int] = set()
    while left >= 3:
        size = int(min(left, rng.integers(3, 6)))
        seed = int(rng.integers(n))
        slot = records[seed]["slots"][0]
        members = [k for k in rng.choice(n, size=min(n, 40 * size), replace=False) if k not in used]
        members = [k for k in members if slot in records[k]["slots"]][:size]
        if len(members) < 3:
            break
        for k in members:
            records[k]["current_group"] = f"circle-{circle:04d}"
            records[k]["together_with"] = ""
            used.add(int(k))
        _drop_inner_conflicts(records, members)
        circle += 1
        left -= len(members)


def _drop_inner_conflicts(records, members) -> None:
    ids = {records[k]["id"] for k in members}
    for k in members:
        if records[k]["supervisor_id"] in ids:
            records[k]["supervisor_id"] = ""
    urm = [k for k in members if records[k]["urm"] == "yes"]
    if len(urm) == 1:  # an existing circle already meets the rule
        records[urm[0]]["urm"] = "no"


def _conflicts(rng, records) -> str:
    """1% of people have a listed conflict with someone (not in their circle)."""
    n = len(records)
    pairs = []
    for _ in range(max(1, n // 100)):
        a, b = (int(x) for x in rng.choice(n, size=2, replace=False))
        same_circle = (
            records[a]["current_group"]
            and records[a]["current_group"] == records[b]["current_group"]
        )
        linked = (
            records[a]["together_with"] == records[b]["id"]
            or records[b]["together_with"] == records[a]["id"]
        )
        if not same_circle and not linked:
            pairs.append(f'["{records[a]["id"]}", "{records[b]["id"]}"]')
    return "[" + ", ".join(pairs) + "]"
