"""Exact slot choice for small instances: an integer programme solved by HiGHS.

Which slot each unit meets in decides how many people can be placed at all.
The construction's repair search can stall one person short; for up to a few
hundred people (and no fixed groups) scipy's MILP solver finds, in a few
milliseconds, a choice that places the most people with the fewest groups:

    maximise  (n + 1) * placed - groups
    each unit picks at most one slot it can attend,
    a slot's head count splits into k_s groups: min_size * k_s <= load_s <= max_size * k_s,
    a slot holds no no_lone value exactly once: holders_s,r = 0 or >= 2.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

EXACT_UP_TO = 300  # people
SECONDS = 2.0


def exact_slot_choice(
    avail: np.ndarray, size: np.ndarray, holders: np.ndarray, low: int, high: int
):
    """Slot per unit (-1: unplaced), or None when the solver gives no answer in time."""
    units, slots = avail.shape
    rules = holders.shape[1]
    unit, slot = np.nonzero(avail)
    picks = len(unit)
    groups_at, flags_at = picks, picks + slots  # variable offsets: y, k, b
    variables = flags_at + slots * rules
    rows, cols, data, lower, upper = [], [], [], [], []

    def add(row_ids, col_ids, values):
        rows.append(np.asarray(row_ids)), cols.append(np.asarray(col_ids))
        data.append(np.asarray(values, dtype=float))

    # One slot at most per unit.
    add(unit, np.arange(picks), np.ones(picks))
    lower.append(np.zeros(units)), upper.append(np.ones(units))
    # Head counts split into groups of allowed size.
    base = units
    for bound, sign in ((low, 0), (high, 1)):
        add(base + slot, np.arange(picks), size[unit])
        add(base + np.arange(slots), groups_at + np.arange(slots), np.full(slots, -bound))
        lower.append(np.full(slots, 0.0 if sign == 0 else -np.inf))
        upper.append(np.full(slots, np.inf if sign == 0 else 0.0))
        base += slots
    # No value held exactly once in a slot: 2 * b <= holders <= units * b.
    for r in range(rules):
        held = holders[unit, r] > 0
        for factor, low_side in ((2, True), (units, False)):
            add(base + slot[held], np.flatnonzero(held), holders[unit[held], r])
            flag = flags_at + np.arange(slots) * rules + r
            add(base + np.arange(slots), flag, np.full(slots, -factor))
            lower.append(np.full(slots, 0.0 if low_side else -np.inf))
            upper.append(np.full(slots, np.inf if low_side else 0.0))
            base += slots
    matrix = coo_matrix(
        (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
        shape=(base, variables),
    ).tocsr()
    cost = np.zeros(variables)
    cost[:picks] = -(units * high + 1) * size[unit]
    cost[groups_at:flags_at] = 1.0
    upper_bounds = np.ones(variables)
    upper_bounds[groups_at:flags_at] = units
    result = milp(
        cost,
        constraints=LinearConstraint(matrix, np.concatenate(lower), np.concatenate(upper)),
        integrality=np.ones(variables),
        bounds=Bounds(np.zeros(variables), upper_bounds),
        options={"time_limit": SECONDS},
    )
    if result.x is None:
        return None
    choice = np.full(units, -1, dtype=np.int64)
    chosen = result.x[:picks] > 0.5
    choice[unit[chosen]] = slot[chosen]
    return choice
