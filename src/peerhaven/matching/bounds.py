"""Upper bounds on each diversity criterion's part of the objective.

For given group sizes, no grouping can do better on a criterion alone, so
objective_c / bound_c measures how close a grouping comes, criterion by
criterion, whatever the other criteria and rules demand.

* category: the pairs with both values known minus the fewest same-value pairs
  possible, which is each value spread as evenly as it can be over the groups
  (same-value pairs are convex in the per-group count). The known people are
  placed to maximise pairs: filling the largest groups first.
* number: sum |x_i - x_j| over a group of sorted values is sum_k (2k - g - 1) x_(k);
  pairing the sorted values with the sorted multiset of all groups' coefficients
  (rearrangement inequality) bounds every grouping.
"""

from __future__ import annotations

import numpy as np

from .encode import Encoded


def diversity_bounds(
    enc: Encoded, sizes: np.ndarray, placed: np.ndarray | None = None
) -> dict[str, float]:
    """Bound on w_c * (sum of delta_c within groups) for each diverse category/number criterion.

    `placed` (a boolean mask) restricts the bound to the people actually grouped.
    """
    bounds = {}
    for feature in enc.features:
        criterion = feature.criterion
        if criterion.goal != "diverse" or criterion.kind == "multi":
            continue
        bound = _category_bound if criterion.kind == "category" else _number_bound
        values = feature.values if placed is None else feature.values[placed]
        bounds[criterion.column] = criterion.weight * bound(values, sizes)
    return bounds


def _pairs(count: np.ndarray) -> np.ndarray:
    return count * (count - 1) / 2


def _even_spread_pairs(total: int, sizes: np.ndarray) -> float:
    """Fewest same-value pairs for `total` people over groups of these sizes.

    Water-filling: spread as evenly as possible, no group holding more than its size.
    """
    pairs = 0.0
    caps = np.sort(sizes)
    for k, cap in enumerate(caps):
        share = total // (len(caps) - k)
        if cap <= share:  # a small group fills up entirely
            pairs += _pairs(cap)
            total -= cap
            continue
        rest = len(caps) - k
        each, extra = divmod(total, rest)
        return float(pairs + extra * _pairs(each + 1) + (rest - extra) * _pairs(each))
    return float(pairs)


def _category_bound(codes: np.ndarray, sizes: np.ndarray) -> float:
    known = int((codes >= 0).sum())
    groups = len(sizes)
    if groups == 0:
        return 0.0
    filled = np.zeros(groups, dtype=np.int64)
    remaining = known
    for g in np.argsort(-sizes, kind="stable"):
        filled[g] = min(sizes[g], remaining)
        remaining -= filled[g]
    counts = np.bincount(codes[codes >= 0])
    same = sum(_even_spread_pairs(int(c), sizes) for c in counts)
    return float(_pairs(filled).sum() - same)


def _number_bound(values: np.ndarray, sizes: np.ndarray) -> float:
    values = np.sort(values[~np.isnan(values)])
    coefficients = np.sort(np.concatenate([2 * np.arange(1, g + 1) - g - 1 for g in sizes if g]))
    # Missing values sit out: only the largest coefficients matter for the bound.
    top = (
        coefficients[len(coefficients) - len(values) :]
        if len(values) <= len(coefficients)
        else coefficients
    )
    return float(np.dot(values[-len(top) :], top)) if len(top) else 0.0
