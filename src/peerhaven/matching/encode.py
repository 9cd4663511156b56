"""Turn people + policy into arrays the solvers work on, and define d(i, j).

The pair distance is the documented objective's building block:

    d(i, j) = sum over criteria c of w_c * delta_c(i, j)

with w_c negative for `similar` criteria and delta_c

* category: 1 if the two values differ, 0 if equal;
* number:   |x_i - x_j| / (max - min over everyone);
* multi:    Jaccard distance 1 - |A & B| / |A | B| of the two value sets.

A missing value (empty cell) makes delta_c zero for every pair it is in, so
people are neither rewarded nor punished for what they did not say.
Sets (multi values, availability slots) are bit masks in uint64 words so that
intersections are a bitwise AND and sizes a popcount.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .people import People, split_multi
from .policy import Criterion, Policy

WORD = 64


@dataclass
class Feature:
    """One criterion's encoded values; `values` row k belongs to person k."""

    criterion: Criterion
    values: np.ndarray  # int32 codes | float64 scaled numbers | uint64 masks (n, words)
    labels: list[str]  # category or multi value labels, for explanations


@dataclass
class Encoded:
    """Everything the solvers need, in person-index space 0..n-1."""

    n: int
    features: list[Feature]
    slot_masks: np.ndarray  # (n, words) uint64; one shared virtual slot when no rule
    slot_labels: list[str]
    partners: np.ndarray  # (n, k) int32 people kept apart from each person, -1 padded
    together: list[tuple[int, int]]
    lone_holders: np.ndarray  # (n, rules) bool: person's value triggers no_lone rule r
    fixed_group: np.ndarray  # (n,) int32 index into fixed_labels, -1 when free
    fixed_labels: list[str]

    @property
    def has_slots(self) -> bool:
        return bool(self.slot_labels)


def encode(people: People, policy: Policy) -> Encoded:
    """Validate every cell the policy reads and encode it (InputError on bad cells)."""
    policy.check_against(people)
    rules = policy.rules
    slot_masks, slot_labels = _slots(people, rules.shared_slot)
    fixed_group, fixed_labels = _codes(
        people.column(rules.fixed) if rules.fixed else None, len(people)
    )
    return Encoded(
        n=len(people),
        features=[_feature(people, criterion) for criterion in policy.criteria],
        slot_masks=slot_masks,
        slot_labels=slot_labels,
        partners=_padded(_symmetric(_apart_pairs(people, policy), len(people))),
        together=_id_links(people, policy, rules.together, rules.together_pairs),
        lone_holders=_lone_holders(people, policy),
        fixed_group=fixed_group,
        fixed_labels=fixed_labels,
    )


# -- the pair distance -------------------------------------------------------


def delta(feature: Feature, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """delta_c for gathered values a and b of broadcastable shapes (see module doc)."""
    kind = feature.criterion.kind
    if kind == "category":
        return ((a != b) & (a >= 0) & (b >= 0)).astype(np.float64)
    if kind == "number":
        return np.nan_to_num(np.abs(a - b), nan=0.0)
    inter = popcount(a & b)
    union = popcount(a | b)
    known = (popcount(a) > 0) & (popcount(b) > 0)
    return np.where(known, 1.0 - inter / np.maximum(union, 1), 0.0)


def popcount(masks: np.ndarray) -> np.ndarray:
    """Set sizes of uint64 word masks (last axis is the words)."""
    return np.bitwise_count(masks).sum(axis=-1, dtype=np.int64)


def pair_distance(enc: Encoded, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """d(i, j) for index arrays of broadcastable shapes."""
    total = np.zeros(np.broadcast_shapes(np.shape(i), np.shape(j)), dtype=np.float64)
    for feature in enc.features:
        weight = feature.criterion.signed_weight
        if weight:
            total += weight * delta(feature, feature.values[i], feature.values[j])
    return total


def block_distances(
    enc: Encoded, members: np.ndarray, feature: Feature | None = None
) -> np.ndarray:
    """d within each row of `members` (P, m), -1 padded: a (P, m, m) array.

    With `feature`, only that criterion's unweighted delta. Padding rows and
    columns and the diagonal are zero.
    """
    present = members >= 0
    safe = np.where(present, members, 0)
    chosen = [feature] if feature else [f for f in enc.features if f.criterion.signed_weight]
    total = np.zeros(members.shape + members.shape[-1:], dtype=np.float64)
    for item in chosen:
        gathered = item.values[safe]
        weight = 1.0 if feature else item.criterion.signed_weight
        if gathered.ndim == members.ndim:
            total += weight * delta(item, gathered[..., :, None], gathered[..., None, :])
        else:
            total += weight * delta(item, gathered[..., :, None, :], gathered[..., None, :, :])
    keep = present[..., :, None] & present[..., None, :]
    keep &= ~np.eye(members.shape[-1], dtype=bool)
    return np.where(keep, total, 0.0)


# -- encoding each kind of column --------------------------------------------


def _feature(people: People, criterion: Criterion) -> Feature:
    cells = people.column(criterion.column)
    if criterion.kind == "number":
        return Feature(criterion, _scaled_numbers(people, criterion.column), [])
    if criterion.kind == "multi":
        masks, labels = _masks([split_multi(cell) for cell in cells])
        return Feature(criterion, masks, labels)
    codes, labels = _codes(cells, len(people))
    return Feature(criterion, codes, labels)


def numbers(people: People, column: str) -> np.ndarray:
    """The column as floats, NaN where empty; InputError at the first non-number."""
    values = np.full(len(people), np.nan)
    for row, cell in enumerate(people.column(column)):
        if not cell:
            continue
        try:
            values[row] = float(cell)
        except ValueError:
            raise people.error(row, column, f"{column}: {cell!r} is not a number") from None
        if not math.isfinite(values[row]):
            raise people.error(row, column, f"{column}: {cell!r} is not a finite number")
    return values


def _scaled_numbers(people: People, column: str) -> np.ndarray:
    values = numbers(people, column)
    known = values[~np.isnan(values)]
    spread = float(known.max() - known.min()) if known.size else 0.0
    # A constant column separates nobody: every delta is then zero, not 0/0.
    return (values - (known.min() if known.size else 0.0)) / spread if spread else values * 0.0


def _codes(cells: list[str] | None, n: int) -> tuple[np.ndarray, list[str]]:
    """Integer code per cell (-1 when empty) and the labels in first-seen order."""
    if cells is None:
        return np.full(n, -1, dtype=np.int32), []
    labels: dict[str, int] = {}
    codes = np.array(
        [labels.setdefault(cell, len(labels)) if cell else -1 for cell in cells], dtype=np.int32
    )
    return codes, list(labels)


def _masks(value_lists: list[list[str]]) -> tuple[np.ndarray, list[str]]:
    labels: dict[str, int] = {}
    rows = [row for row, values in enumerate(value_lists) for _ in values]
    bits = np.array(
        [labels.setdefault(value, len(labels)) for values in value_lists for value in values],
        dtype=np.int64,
    )
    words = max(1, -(-len(labels) // WORD))
    masks = np.zeros((len(value_lists), words), dtype=np.uint64)
    ones = np.left_shift(np.uint64(1), (bits % WORD).astype(np.uint64))
    np.bitwise_or.at(masks, (np.array(rows, dtype=np.int64), bits // WORD), ones)
    return masks, list(labels)


def _slots(people: People, column: str | None) -> tuple[np.ndarray, list[str]]:
    if column is None:
        return np.ones((len(people), 1), dtype=np.uint64), []
    return _masks([split_multi(cell) for cell in people.column(column)])


def _referenced_ids(people: People, column: str) -> list[tuple[int, int]]:
    """(row, referenced row) for each id named in an id column; unknown ids are errors."""
    links = []
    for row, cell in enumerate(people.column(column)):
        for named in split_multi(cell):
            other = people.index_of.get(named)
            if other is None:
                raise people.error(row, column, f"{column}: no person has id {named!r}")
            if other == row:
                raise people.error(row, column, f"{column}: a person cannot name themselves")
            links.append((row, other))
    return links


def _listed_pairs(people: People, policy: Policy, pairs: tuple[tuple[str, str], ...]) -> list:
    links = []
    for first, second in pairs:
        for named in (first, second):
            if named not in people.index_of:
                raise policy.error(f"no person has id {named!r}", near=f'"{named}"')
        links.append((people.index_of[first], people.index_of[second]))
    return links


def _apart_pairs(people: People, policy: Policy) -> list[tuple[int, int]]:
    links = [link for column in policy.rules.apart for link in _referenced_ids(people, column)]
    return links + _listed_pairs(people, policy, policy.rules.conflicts)


def _id_links(people: People, policy: Policy, columns: tuple[str, ...], pairs) -> list:
    links = [link for column in columns for link in _referenced_ids(people, column)]
    return links + _listed_pairs(people, policy, pairs)


def _symmetric(links: list[tuple[int, int]], n: int) -> list[list[int]]:
    neighbours: list[set[int]] = [set() for _ in range(n)]
    for a, b in links:
        if a != b:
            neighbours[a].add(b)
            neighbours[b].add(a)
    return [sorted(found) for found in neighbours]


def _padded(lists: list[list[int]]) -> np.ndarray:
    width = max((len(found) for found in lists), default=0)
    padded = np.full((len(lists), max(width, 1)), -1, dtype=np.int32)
    for row, found in enumerate(lists):
        padded[row, : len(found)] = found
    return padded


def _lone_holders(people: People, policy: Policy) -> np.ndarray:
    rules = policy.rules.no_lone
    holders = np.zeros((len(people), len(rules)), dtype=bool)
    for r, rule in enumerate(rules):
        holders[:, r] = [cell == rule.value for cell in people.column(rule.column)]
    return holders
