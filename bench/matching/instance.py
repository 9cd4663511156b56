"""One benchmark size, run in its own process; prints its table rows as JSON.

python instance.py N [--seed S] [--anchor-python PY] [--anchor-time T] [--smoke]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from population import generate
from run import ANCHORS_UP_TO, EXACT_UP_TO, GREEDY_UP_TO, run_anchor

from peerhaven.matching import People, form_groups
from peerhaven.matching.bounds import diversity_bounds
from peerhaven.matching.check import check_rules, objective
from peerhaven.matching.encode import encode, numbers, pair_distance
from peerhaven.matching.pairs import exact_relaxation_bound, form_pairs
from peerhaven.matching.policy import Rules

EXACT_PAIRS_UP_TO = 3000


def main() -> None:
    args = _arguments()
    people, policy = generate(args.n, seed=args.seed)
    rows = [_ours(people, policy, args.n)]
    best = rows[0]
    enc = encode(people, policy)
    rows.append(_score_row("random", enc, policy, people, _random(enc, policy, args.seed), 0.0))
    if args.n <= GREEDY_UP_TO and not args.smoke:
        started = time.monotonic()
        group_of = _greedy(enc, policy, args.seed)
        rows.append(_score_row("greedy", enc, policy, people, group_of, time.monotonic() - started))
    if args.anchor_python and args.n <= ANCHORS_UP_TO:
        rows += _anchors(args, enc, policy, people)
    if args.n >= 1000 and not args.smoke:
        rows.append(_no_rules(people, policy, args.n))
    _ratios(rows)
    if args.n >= 240:
        rows += _incremental(people, policy, args)
    rows += _pairs(people, policy, args.n)
    del best
    print(json.dumps(rows))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--anchor-python")
    parser.add_argument("--anchor-time", type=float, default=60.0)
    parser.add_argument("--smoke", action="store_true")
    return parser.parse_args()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ours(people: People, policy, n: int) -> dict:
    result = form_groups(people, policy, seed=0)
    enc = encode(people, policy)
    sizes = np.bincount(result.group_of[result.group_of >= 0])
    bounds = diversity_bounds(enc, sizes, result.group_of >= 0)
    worst = min(result.contributions[c] / b for c, b in bounds.items() if b > 0)
    return {
        "n": n,
        "method": "ours",
        "objective": result.objective,
        "violations": result.check.total,
        "lone": result.check.counts["no_lone"],
        "unplaced": len(result.unplaced),
        "seconds": result.seconds,
        "peak_mb": _peak_mb(),
        "note": f"min diversity/bound {worst:.4f}",
        "valid": result.check.total == 0,
    }


def _no_rules(people: People, policy, n: int) -> dict:
    """The same people, diversity criteria only, no hard rules: how close the search
    gets to each criterion's bound when nothing else pulls against it."""
    diverse = tuple(c for c in policy.criteria if c.goal == "diverse")
    free = dataclasses.replace(policy, criteria=diverse, rules=Rules())
    result = form_groups(people, free, seed=0)
    enc = encode(people, free)
    sizes = np.bincount(result.group_of[result.group_of >= 0])
    bounds = diversity_bounds(enc, sizes, result.group_of >= 0)
    ratios = {c: result.contributions[c] / b for c, b in bounds.items() if b > 0}
    text = " ".join(f"{c}={r:.4f}" for c, r in ratios.items())
    return {
        "n": n,
        "method": "ours (diversity only)",
        "objective": result.objective,
        "violations": None,
        "seconds": result.seconds,
        "peak_mb": _peak_mb(),
        "note": f"per-criterion/bound: {text}",
    }


def _score_row(method, enc, policy, people, group_of, seconds, note="") -> dict:
    group_of = np.asarray(group_of)
    labels = sorted(set(group_of[group_of >= 0].tolist()))
    renumber = {g: k for k, g in enumerate(labels)}
    dense = np.array([renumber.get(g, -1) for g in group_of], dtype=np.int32)
    names = [f"g{k}" for k in range(len(labels))]
    for k in np.flatnonzero(enc.fixed_group >= 0):  # keep circle labels for the fixed check
        if dense[k] >= 0:
            names[dense[k]] = enc.fixed_labels[enc.fixed_group[k]]
    audit = check_rules(enc, policy, dense, names, people.ids)
    return {
        "n": enc.n,
        "method": method,
        "objective": objective(enc, dense, len(names)),
        "violations": audit.total,
        "lone": audit.counts["no_lone"],
        "unplaced": int((dense < 0).sum()),
        "seconds": seconds,
        "note": note,
        "valid": audit.total == 0,
    }


def _random(enc, policy, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    groups = -(-enc.n // policy.max_size)
    return rng.permutation(np.arange(enc.n) % groups)


def _greedy(enc, policy, seed: int) -> np.ndarray:
    """Each person, in random order, joins the open group they add most to without
    breaking the slot or apart rules (else the emptiest group)."""
    rng = np.random.default_rng(seed)
    groups = -(-enc.n // policy.max_size)
    capacity = np.full(groups, policy.max_size)
    members = np.full((groups, policy.max_size), -1)
    common = np.tile(np.uint64(~np.uint64(0)), (groups, enc.slot_masks.shape[1]))
    group_of = np.full(enc.n, -1)
    for person in rng.permutation(enc.n):
        room = capacity > 0
        fits = room & (common & enc.slot_masks[person]).any(axis=1)
        partners = enc.partners[person][enc.partners[person] >= 0]
        fits[group_of[partners][group_of[partners] >= 0]] = False
        present = members >= 0
        gain = (pair_distance(enc, np.int64(person), np.maximum(members, 0)) * present).sum(axis=1)
        gain = np.where(fits, gain, -np.inf)
        g = int(np.argmax(gain)) if fits.any() else int(np.argmax(capacity))
        members[g, policy.max_size - capacity[g]] = person
        capacity[g] -= 1
        common[g] &= enc.slot_masks[person]
        group_of[person] = g
    return group_of


def _anchors(args, enc, policy, people) -> list[dict]:
    instance = _instance(enc, policy, people, args)
    rows = []
    methods = [("exact", "exact CP-SAT")] if args.n <= EXACT_UP_TO else []
    methods += [("anticlust", "anti-clustering exchange"), ("teamform", "team-formation CP-SAT")]
    for method, label in methods:
        started = time.monotonic()
        done = run_anchor(args.anchor_python, method, instance, timeout=3 * args.anchor_time + 30)
        if not done or done.get("group_of") is None:
            rows.append(
                {
                    "n": args.n,
                    "method": label,
                    "seconds": time.monotonic() - started,
                    "note": "did not finish" if not done else done["status"],
                }
            )
            continue
        note = done["status"]
        if method == "exact":
            note = f"{done['status']}, proven bound {done['bound']:.1f}"
        rows.append(_score_row(label, enc, policy, people, done["group_of"], done["seconds"], note))
    return rows


def _instance(enc, policy, people, args) -> dict:
    index = np.arange(enc.n)
    distance = pair_distance(enc, index[:, None], index[None, :])
    slot_column = policy.rules.shared_slot
    slots = [cell.split(";") if cell else [] for cell in people.column(slot_column)]
    fixed = [enc.fixed_labels[g] if g >= 0 else "" for g in enc.fixed_group]
    apart = sorted(
        {(min(a, b), max(a, b)) for a in range(enc.n) for b in enc.partners[a] if b >= 0}
    )
    categories = {
        c.column: people.column(c.column) for c in policy.criteria if c.kind == "category"
    }
    weights = {c.column: c.weight for c in policy.criteria if c.kind == "category"}
    return {
        "n": enc.n,
        "min_size": policy.min_size,
        "max_size": policy.max_size,
        "distance": distance.tolist(),
        "has_slots": True,
        "slots": slots,
        "apart": [list(map(int, pair)) for pair in apart],
        "together": [list(map(int, pair)) for pair in enc.together],
        "lone": [
            np.flatnonzero(enc.lone_holders[:, r]).tolist()
            for r in range(enc.lone_holders.shape[1])
        ],
        "fixed": fixed,
        "categories": categories,
        "weights": weights,
        "time_limit": args.anchor_time,
        "seed": args.seed,
    }


def _ratios(rows: list[dict]) -> None:
    """ratio = objective / best objective among rule-keeping solutions that place as many."""
    valid = [r for r in rows if r.get("valid") and r.get("objective") is not None]
    most = max((-r["unplaced"], r["objective"]) for r in valid) if valid else None
    best = most[1] if most else None
    for row in rows:
        if best and row.get("objective") is not None and row.get("violations") is not None:
            row["ratio"] = row["objective"] / best


def _incremental(people: People, policy, args) -> list[dict]:
    rows = []
    before = form_groups(people, policy, seed=0)
    for churn in (0.01, 0.05):
        changed, existing, unaffected = _churn(people, before, churn, args.seed)
        kept_policy = _without_conflicts_of(policy, set(changed.ids))
        scratch = form_groups(changed, kept_policy, seed=0)
        started = time.monotonic()
        after = form_groups(changed, kept_policy, seed=0, existing=existing)
        kept = after.objective / scratch.objective
        index = changed.index_of
        moved = sum(1 for p in unaffected if after.group_label(index[p]) != existing[p])
        moved_share = moved / max(1, len(unaffected))
        rows.append(
            {
                "n": args.n,
                "method": f"ours incremental {churn:.0%} churn",
                "objective": after.objective,
                "violations": after.check.total,
                "lone": after.check.counts["no_lone"],
                "unplaced": len(after.unplaced),
                "seconds": time.monotonic() - started,
                "peak_mb": _peak_mb(),
                "note": f"moved {after.moved}; {moved_share:.2%} of unaffected moved; "
                f"{kept:.4f} of from-scratch objective",
                "valid": after.check.total == 0,
            }
        )
    return rows


def _without_conflicts_of(policy, present: set[str]):
    conflicts = tuple(p for p in policy.rules.conflicts if set(p) <= present)
    return dataclasses.replace(policy, rules=dataclasses.replace(policy.rules, conflicts=conflicts))


def _churn(people: People, before, share: float, seed: int):
    """Remove `share` of people, add as many newcomers; existing = everyone else's group."""
    rng = np.random.default_rng(seed + 99)
    count = max(1, int(len(people) * share))
    leaving = set(rng.choice(len(people), count, replace=False).tolist())
    staying = [k for k in range(len(people)) if k not in leaving]
    newcomers, _ = generate(count, seed=seed + 7)
    merged_ids = [people.ids[k] for k in staying] + [f"new-{p}" for p in newcomers.ids]
    columns = {}
    for name, cells in people.columns.items():
        extra = newcomers.columns.get(name, [""] * count)
        if name in ("supervisor_id", "together_with", "current_group"):
            extra = [""] * count  # newcomers' references point into their own population
        columns[name] = [cells[k] for k in staying] + list(extra)
    gone = {people.ids[k] for k in leaving}
    for name in ("supervisor_id", "together_with"):  # references to people who left
        columns[name] = ["" if cell in gone else cell for cell in columns[name]]
    changed = People(merged_ids, columns)
    existing = {people.ids[k]: before.group_label(k) for k in staying}
    left_groups = {before.group_label(k) for k in leaving}
    unaffected = {people.ids[k] for k in staying if before.group_label(k) not in left_groups}
    return changed, existing, unaffected


def _pairs(people: People, policy, n: int) -> list[dict]:
    result = form_pairs(people, policy, seed=0)
    enc = encode(people, policy)
    note = f"sparse relaxation bound {result.bound:.1f}"
    ratio = result.score / result.bound if result.bound else None
    if n <= EXACT_PAIRS_UP_TO:
        window = numbers(people, policy.pairs.window.column)
        exact = exact_relaxation_bound(enc, window, policy.pairs.window.max_difference)
        ratio = result.score / exact if exact else None
        note = f"exact assignment bound {exact:.1f}"
    return [
        {
            "n": n,
            "method": "ours pairs",
            "objective": result.score,
            "ratio": ratio,
            "violations": result.violations,
            "unplaced": len(result.unpaired),
            "seconds": result.seconds,
            "peak_mb": _peak_mb(),
            "note": note,
        }
    ]


if __name__ == "__main__":
    main()
