"""Local search over groups: many disjoint pairs of groups improved at once.

Each step pairs groups up (A_p, B_p), builds the full distance block of the
two groups' members for every pair in one numpy pass, and scores every swap
(one person from each side trades places) and every move (one person changes
side, when both sizes stay within bounds). The best change of each pair is
applied if it gains. Because pairs are disjoint, all those changes can be
applied together, which is what lets 100,000 people be optimised in seconds.

Rules enter in two ways. Moves that would leave a group without a common slot,
or move a pinned person, are never considered. Conflicts (`apart`) and lone
members (`no_lone`) are penalised with a weight larger than any objective gain
a single change can bring, so the search first repairs, then never breaks them.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .encode import Encoded, block_distances
from .layout import Layout

GAIN_EPSILON = 1e-9


@dataclass
class Limits:
    min_size: int
    max_size: int


@dataclass
class Budget:
    """When to stop: a deadline, an optional cancel check, and progress reports."""

    deadline: float
    cancel: Callable[[], bool] | None = None
    progress: Callable[[float, str], None] | None = None

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline or bool(self.cancel and self.cancel())


class GroupSearch:
    """Holds the derived per-group state (slot masks, lone counts) in step with a Layout."""

    def __init__(self, enc: Encoded, layout: Layout, limits: Limits, pinned: np.ndarray) -> None:
        self.enc = enc
        self.layout = layout
        self.limits = limits
        self.pinned = pinned
        self.penalty = _penalty_weight(enc, layout.members.shape[1])
        self.all_slots = np.full(enc.slot_masks.shape[1], np.uint64(~np.uint64(0)))
        self.conflicted = (enc.partners >= 0).any(axis=1)

    # -- one step over a set of disjoint group pairs -------------------------

    def improve_pairs(self, first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, float]:
        """Apply each pair's best gaining change: (indices of changed pairs, total gain)."""
        members = np.concatenate([self.layout.members[first], self.layout.members[second]], axis=1)
        gains = self._gains(first, second, members)
        best = gains.argmax(axis=1)
        value = gains[np.arange(len(first)), best]
        chosen = np.flatnonzero(value > GAIN_EPSILON)
        for p in chosen:
            self._apply(int(first[p]), int(second[p]), members[p], int(best[p]))
        return chosen, float(value[chosen].sum())

    def shake_pairs(self, first: np.ndarray, second: np.ndarray, rng: np.random.Generator):
        """One random rule-keeping change per pair, to leave a local optimum."""
        members = np.concatenate([self.layout.members[first], self.layout.members[second]], axis=1)
        gains = self._gains(first, second, members)
        harmless = gains > -self.penalty / 2
        for p in np.flatnonzero(harmless.any(axis=1)):
            choice = rng.choice(np.flatnonzero(harmless[p]))
            self._apply(int(first[p]), int(second[p]), members[p], int(choice))

    def optimise(
        self, rng: np.random.Generator, budget: Budget, patience: int | None = None
    ) -> None:
        """Improve until no pairing gains for `patience` rounds, or the budget runs out."""
        groups = len(self.layout.names)
        if groups < 2:
            return
        patience = patience or _default_patience(groups)
        quiet = 0
        for round_number in itertools.count():
            if quiet >= patience or budget.expired():
                return
            first, second = self.pairing(rng, round_number)
            quiet = 0 if self._descend(first, second, budget) else quiet + 1

    def _descend(self, first: np.ndarray, second: np.ndarray, budget: Budget) -> bool:
        """Repeat best changes on a pairing until its pairs stop gaining."""
        improved = False
        for _ in range(4 * self.layout.members.shape[1]):
            changed, _gain = self.improve_pairs(first, second)
            if not len(changed) or budget.expired():
                break
            improved = True
            first, second = first[changed], second[changed]
        return improved

    def pairing(self, rng: np.random.Generator, round_number: int) -> tuple[np.ndarray, np.ndarray]:
        """Disjoint group pairs: random, or on odd rounds neighbours by common slot.

        Pairing groups that share a slot matters when availability splits
        people into regions; random pairs still mix everything else.
        """
        groups = len(self.layout.names)
        order = rng.permutation(groups)
        if round_number % 2 and self.enc.has_slots:
            order = order[np.argsort(self._slot_key()[order], kind="stable")]
            order = np.roll(order, -int(rng.integers(2)))
        half = groups // 2
        return order[0 : 2 * half : 2], order[1 : 2 * half : 2]

    def _slot_key(self) -> np.ndarray:
        members = self.layout.members
        masks = np.where(
            (members >= 0)[..., None], self.enc.slot_masks[np.maximum(members, 0)], self.all_slots
        )
        common = np.bitwise_and.reduce(masks, axis=1)[:, 0]
        lowest = common & (~common + np.uint64(1))
        return lowest

    def _gains(self, first, second, members):
        width = self.layout.members.shape[1]
        present = members >= 0
        safe = np.where(present, members, 0)
        block = block_distances(self.enc, members)
        if self.conflicted.any():
            block -= self.penalty * self._conflicts(first, second, members, present, safe)
        to_a = block[:, :, :width].sum(axis=2)
        to_b = block[:, :, width:].sum(axis=2)
        cross = block[:, :width, width:]
        swap = (to_b[:, :width, None] - cross - to_a[:, :width, None]) + (
            to_a[:, None, width:] - cross - to_b[:, None, width:]
        )
        move_ab = to_b[:, :width] - to_a[:, :width]
        move_ba = to_a[:, width:] - to_b[:, width:]
        lone = self._lone_deltas(first, second, present, safe, width)
        if lone is not None:
            swap -= self.penalty * lone[0]
            move_ab -= self.penalty * lone[1]
            move_ba -= self.penalty * lone[2]
        allowed = self._allowed(first, second, present, safe, width)
        swap = np.where(allowed[0], swap, -np.inf)
        move_ab = np.where(allowed[1], move_ab, -np.inf)
        move_ba = np.where(allowed[2], move_ba, -np.inf)
        return np.concatenate([swap.reshape(len(first), -1), move_ab, move_ba], axis=1)

    def _conflicts(self, first, second, members, present, safe) -> np.ndarray:
        """(P, m, m) 1 where the two seated people must be kept apart."""
        width = self.layout.members.shape[1]
        partners = self.enc.partners[safe]  # (P, m, k)
        p, m, k = np.nonzero((partners >= 0) & present[..., None])
        partner = partners[p, m, k]
        group = self.layout.group_of[partner]
        on_a, on_b = group == first[p], group == second[p]
        keep = on_a | on_b
        # A partner seated in this pair of groups is found through their seat.
        seat = self.layout.seat_of[partner[keep]] + np.where(on_b[keep], width, 0)
        hits = np.zeros(members.shape + members.shape[-1:], dtype=np.float64)
        hits[p[keep], m[keep], seat] = 1.0
        return hits

    def _lone_deltas(self, first, second, present, safe, width):
        rules = self.enc.lone_holders.shape[1]
        if rules == 0:
            return None
        holders = (self.enc.lone_holders[safe] & present[..., None]).astype(np.int32)
        count_a = holders[:, :width].sum(axis=1)  # (P, R)
        count_b = holders[:, width:].sum(axis=1)
        h_a, h_b = holders[:, :width], holders[:, width:]
        before = (count_a == 1).sum(axis=1) + (count_b == 1).sum(axis=1)  # (P,)
        new_a = count_a[:, None, None, :] - h_a[:, :, None, :] + h_b[:, None, :, :]
        new_b = count_b[:, None, None, :] - h_b[:, None, :, :] + h_a[:, :, None, :]
        swap = (new_a == 1).sum(axis=3) + (new_b == 1).sum(axis=3) - before[:, None, None]
        move_ab = (
            ((count_a[:, None, :] - h_a) == 1).sum(axis=2)
            + ((count_b[:, None, :] + h_a) == 1).sum(axis=2)
            - before[:, None]
        )
        move_ba = (
            ((count_a[:, None, :] + h_b) == 1).sum(axis=2)
            + ((count_b[:, None, :] - h_b) == 1).sum(axis=2)
            - before[:, None]
        )
        return swap, move_ab, move_ba

    def _allowed(self, first, second, present, safe, width):
        free = present & ~self.pinned[safe]
        masks = np.where(present[..., None], self.enc.slot_masks[safe], self.all_slots)
        without_a, whole_a = _and_without_each(masks[:, :width])
        without_b, whole_b = _and_without_each(masks[:, width:])
        mask_a, mask_b = masks[:, :width], masks[:, width:]
        fits_swap = _overlaps(without_a[:, :, None], mask_b[:, None, :]) & _overlaps(
            without_b[:, None, :], mask_a[:, :, None]
        )
        swap = free[:, :width, None] & free[:, None, width:] & fits_swap
        sizes = self.layout.sizes
        size_a, size_b = sizes[first], sizes[second]
        low, high = self.limits.min_size, self.limits.max_size
        move_ab = free[:, :width] & _overlaps(whole_b[:, None], mask_a)
        move_ab &= ((size_a > low) & (size_b < high))[:, None]
        move_ba = free[:, width:] & _overlaps(whole_a[:, None], mask_b)
        move_ba &= ((size_b > low) & (size_a < high))[:, None]
        return swap, move_ab, move_ba

    # -- applying a change ---------------------------------------------------

    def _apply(self, a: int, b: int, seated: np.ndarray, choice: int) -> None:
        """Carry out change number `choice` of the flattened (swaps, a->b, b->a) list."""
        layout = self.layout
        width = layout.members.shape[1]
        swaps = width * width
        if choice < swaps:
            x, y = int(seated[choice // width]), int(seated[width + choice % width])
            layout.remove(x)
            layout.remove(y)
            layout.place(x, b)
            layout.place(y, a)
        elif choice < swaps + width:
            x = int(seated[choice - swaps])
            layout.remove(x)
            layout.place(x, b)
        else:
            y = int(seated[width + choice - swaps - width])
            layout.remove(y)
            layout.place(y, a)


def _and_without_each(masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For (P, m, words) masks: AND of all but seat k, for each k; and AND of all."""
    ones = np.full_like(masks[:, :1], np.uint64(~np.uint64(0)))
    before = np.bitwise_and.accumulate(np.concatenate([ones, masks[:, :-1]], axis=1), axis=1)
    after = np.bitwise_and.accumulate(np.concatenate([ones, masks[:, :0:-1]], axis=1), axis=1)[
        :, ::-1
    ]
    whole = np.bitwise_and.reduce(masks, axis=1)
    return before & after, whole


def _overlaps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a & b).any(axis=-1)


def _default_patience(groups: int) -> int:
    # Small instances: enough random pairings to have likely tried every pair
    # of groups; large ones: a few quiet rounds mean the gains have dried up.
    return max(3, min(groups * 2, 12))


def _penalty_weight(enc: Encoded, seats: int) -> float:
    """Larger than any objective change one swap or move can make."""
    largest = sum(abs(f.criterion.signed_weight) for f in enc.features)
    return 4.0 * seats * largest + 1.0
