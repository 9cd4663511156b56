"""An attacker who reads a published report and tries to work out its hidden figures.

What the attacker knows: every relation between the report's counts (a table's total is
the sum of its parts, and the same total appears in several tables); every shown value;
that a hidden *displayed* count is at least 1 (the report always shows zeros) and a count
that is never displayed (people who skipped a question, say) at least 0; that counts are
whole numbers. Nothing else: no upper bounds, no knowledge of which hidden cells were
hidden for being small.

For each hidden count the attacker solves two integer programs (scipy's HiGHS through
``linprog`` with integrality) for its smallest and largest possible values. Built from the
page alone, not from the disclosure engine's own arithmetic."""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import linprog

BIG = 10**6


def feasible_ranges(published: dict, implicit: set[str], relations) -> dict[str, tuple[int, int]]:
    """``published``: displayed cell id -> number, or None if hidden. Relation cells that
    are neither published nor implicit are treated as unknown (>= 0). ``relations``:
    (total, parts) pairs."""
    relations = [(r.total, tuple(r.parts)) if hasattr(r, "total") else r for r in relations]
    ids = {cid for total, parts in relations for cid in (total, *parts)}
    unknown = sorted(cid for cid in ids if published.get(cid) is None)
    if not unknown:
        return {}
    index = {cid: i for i, cid in enumerate(unknown)}
    a_eq, b_eq = [], []
    for total, parts in relations:
        row, constant = np.zeros(len(unknown)), 0.0
        for cid, sign in [(total, 1)] + [(p, -1) for p in parts]:
            if cid in index:
                row[index[cid]] += sign
            else:
                constant += sign * published[cid]
        if row.any():
            a_eq.append(row)
            b_eq.append(-constant)
        elif constant != 0:
            raise AssertionError(f"published figures break the relation of {total}")
    low = [1 if cid in published else 0 for cid in unknown]
    bounds = [(lo, BIG) for lo in low]
    ranges = {}
    for cid in unknown:
        ends = []
        for sign in (1, -1):
            c = np.zeros(len(unknown))
            c[index[cid]] = sign
            result = linprog(
                c,
                A_eq=np.array(a_eq) if a_eq else None,
                b_eq=b_eq or None,
                bounds=bounds,
                integrality=np.ones(len(unknown)),
                method="highs",
            )
            assert result.status == 0, result.message
            ends.append(round(result.x[index[cid]]))
        ranges[cid] = tuple(ends)
    return ranges


def brute_force_ranges(published: dict, implicit: set[str], relations, limit: int) -> dict:
    """The same, by trying every value up to ``limit`` for each unknown: for small tables,
    to check the solver-based attacker."""
    ids = sorted({cid for total, parts in relations for cid in (total, *parts)})
    unknown = [cid for cid in ids if published.get(cid) is None]
    seen: dict[str, set[int]] = {cid: set() for cid in unknown}
    choices = [range(1 if cid in published else 0, limit + 1) for cid in unknown]
    for values in itertools.product(*choices):
        guess = {
            **{k: v for k, v in published.items() if v is not None},
            **dict(zip(unknown, values, strict=True)),
        }
        if all(guess[total] == sum(guess[p] for p in parts) for total, parts in relations):
            for cid, value in zip(unknown, values, strict=True):
                seen[cid].add(value)
    return {cid: (min(v), max(v)) for cid, v in seen.items() if v}
