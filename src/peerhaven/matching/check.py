"""Score and audit a grouping independently of how it was found.

Kept deliberately plain (loops over groups, no solver state) so that tests and
the benchmark can trust it as the referee of every solver, ours included.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .encode import Encoded, block_distances
from .policy import Policy

RULES = ("size", "shared_slot", "apart", "together", "no_lone", "fixed")


@dataclass
class RuleCheck:
    """Violations per hard rule (all 0 when every rule holds) and who is involved."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RULES, 0))
    details: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, rule: str, detail: str) -> None:
        self.counts[rule] += 1
        self.details.setdefault(rule, []).append(detail)


def members_matrix(group_of: np.ndarray, groups: int) -> np.ndarray:
    """(groups, largest size) member indices, -1 padded, from a group_of array."""
    placed = np.flatnonzero(group_of >= 0)
    if groups == 0:
        return np.full((0, 1), -1, dtype=np.int32)
    order = placed[np.argsort(group_of[placed], kind="stable")]
    sizes = np.bincount(group_of[placed], minlength=groups)
    width = max(int(sizes.max(initial=0)), 1)
    matrix = np.full((groups, width), -1, dtype=np.int32)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    seat = np.arange(len(order)) - np.repeat(starts, sizes)
    matrix[group_of[order], seat] = order
    return matrix


def objective(enc: Encoded, group_of: np.ndarray, groups: int) -> float:
    """Sum of d(i, j) over unordered pairs i, j in the same group."""
    members = members_matrix(group_of, groups)
    return float(block_distances(enc, members).sum() / 2)


def contributions(enc: Encoded, group_of: np.ndarray, groups: int) -> dict[str, float]:
    """Each criterion's weighted part of the objective, keyed by column."""
    members = members_matrix(group_of, groups)
    parts: dict[str, float] = {}
    for feature in enc.features:
        total = block_distances(enc, members, feature).sum() / 2
        parts[feature.criterion.column] = float(feature.criterion.signed_weight * total)
    return parts


def check_rules(
    enc: Encoded, policy: Policy, group_of: np.ndarray, names: list[str], ids: list[str]
) -> RuleCheck:
    """Count every hard-rule violation of a grouping (unplaced people break none)."""
    result = RuleCheck()
    members = members_matrix(group_of, len(names))
    present = members >= 0
    sizes = present.sum(axis=1)
    for g in np.flatnonzero((sizes < policy.min_size) | (sizes > policy.max_size)):
        result.add("size", f"group {names[g]} has {sizes[g]} members")
    all_slots = np.uint64(~np.uint64(0))
    masks = np.where(present[..., None], enc.slot_masks[np.maximum(members, 0)], all_slots)
    for g in np.flatnonzero(~np.bitwise_and.reduce(masks, axis=1).any(axis=1)):
        result.add("shared_slot", f"group {names[g]} has no slot common to all members")
    person, k = np.nonzero(enc.partners >= 0)
    other = enc.partners[person, k]
    clash = (person < other) & (group_of[person] >= 0) & (group_of[person] == group_of[other])
    for a, b in zip(person[clash], other[clash], strict=True):
        result.add("apart", f"{ids[a]} and {ids[b]} share group {names[group_of[a]]}")
    _check_lone(enc, policy, members, present, names, result)
    for a, b in enc.together:
        if group_of[a] != group_of[b]:
            result.add("together", f"{ids[a]} and {ids[b]} are in different groups")
    for person in np.flatnonzero(enc.fixed_group >= 0):
        label = enc.fixed_labels[enc.fixed_group[person]]
        if group_of[person] < 0 or names[group_of[person]] != label:
            result.add("fixed", f"{ids[person]} is not in their group {label!r}")
    return result


def _check_lone(enc, policy, members, present, names, result) -> None:
    holders = (enc.lone_holders[np.maximum(members, 0)] & present[..., None]).sum(axis=1)
    for g, r in zip(*np.nonzero(holders == 1), strict=True):
        rule = policy.rules.no_lone[r]
        result.add("no_lone", f"group {names[g]} has one member with {rule.column}={rule.value}")
