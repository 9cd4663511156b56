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

from .blocks import BlockDistances
from .encode import Encoded
from .layout import Layout

# Gains are summed in float32; anything smaller is rounding noise, not improvement.
GAIN_EPSILON = 1e-4
STALL_ROUNDS = 10
STALL_SHARE = 1e-4  # large instances: time is what matters
STALL_SHARE_SMALL = 1e-5  # up to STALL_SMALL_PEOPLE, where a tighter stop is cheap
STALL_SMALL_PEOPLE = 20_000


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
        self.degree = (enc.partners >= 0).sum(axis=1)
        self.partner_start = np.concatenate([[0], np.cumsum(self.degree)[:-1]])
        self.partner_list = enc.partners[enc.partners >= 0]  # row-major: each person's run
        self.blocks = BlockDistances(enc)
        self.home: np.ndarray | None = None  # incremental mode: each person's earlier group
        self.move_cost = 0.0

    # -- one step over a set of disjoint group pairs -------------------------

    def improve_pairs(self, first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, float]:
        """Apply each pair's best gaining change: (indices of changed pairs, total gain)."""
        members = np.concatenate([self.layout.members[first], self.layout.members[second]], axis=1)
        gains = self._gains(first, second, members)
        best = gains.argmax(axis=1)
        value = gains[np.arange(len(first)), best]
        chosen = np.flatnonzero(value > GAIN_EPSILON)
        self._apply(first[chosen], second[chosen], members[chosen], best[chosen])
        return chosen, float(value[chosen].sum())

    def shake_pairs(self, first: np.ndarray, second: np.ndarray, rng: np.random.Generator):
        """One random rule-keeping change per pair, to leave a local optimum."""
        members = np.concatenate([self.layout.members[first], self.layout.members[second]], axis=1)
        gains = self._gains(first, second, members)
        # Harmless: breaks no rule and, in incremental mode, moves no existing member.
        worst = self.penalty / 2 if self.home is None else min(self.penalty, self.move_cost) / 2
        harmless = gains > -worst
        some = np.flatnonzero(harmless.any(axis=1))
        noise = np.where(harmless[some], rng.random(harmless[some].shape), -1.0)
        self._apply(first[some], second[some], members[some], noise.argmax(axis=1))

    def optimise(self, rng: np.random.Generator, budget: Budget, patience: int | None = None):
        """Improve until gains dry up, or the budget runs out.

        Stops after `patience` rounds without any change (small instances), or
        when the last STALL_ROUNDS rounds together gained less than
        STALL_SHARE of the objective (large ones, where some pair always
        finds a tiny gain).
        """
        groups = len(self.layout.names)
        if groups < 2:
            return
        patience = patience or _default_patience(groups)
        quiet = 0
        recent: list[float] = []
        scale = max(1.0, abs(self.estimate()))
        share = STALL_SHARE_SMALL if self.enc.n <= STALL_SMALL_PEOPLE else STALL_SHARE
        for round_number in itertools.count():
            if quiet >= patience or budget.expired():
                return
            first, second = self.pairing(rng, round_number)
            gain = self._descend(first, second, budget)
            quiet = 0 if gain > 0 else quiet + 1
            recent = [*recent[-(STALL_ROUNDS - 1) :], gain]
            if len(recent) == STALL_ROUNDS and sum(recent) < share * scale:
                return
            if budget.progress and round_number % 10 == 0:
                budget.progress(0.15 + 0.7 * min(1.0, round_number / 200), "improving groups")

    def estimate(self) -> float:
        """The current objective (float32 blocks; for scale, not for reporting)."""
        return float(self.blocks(self.layout.members).sum() / 2)

    def _descend(self, first: np.ndarray, second: np.ndarray, budget: Budget) -> float:
        """Repeat best changes on a pairing until its pairs stop gaining; total gain."""
        total = 0.0
        for _ in range(4 * self.layout.members.shape[1]):
            changed, gain = self.improve_pairs(first, second)
            total += gain
            if not len(changed) or budget.expired():
                break
            first, second = first[changed], second[changed]
        return total

    def pairing(self, rng: np.random.Generator, round_number: int) -> tuple[np.ndarray, np.ndarray]:
        """Disjoint group pairs: random on even rounds, complementary on odd ones."""
        groups = len(self.layout.names)
        if round_number % 2:
            return self._complementary_pairs(rng)
        order = rng.permutation(groups)
        half = groups // 2
        return order[0 : 2 * half : 2], order[1 : 2 * half : 2]

    def _complementary_pairs(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Pair groups that can trade: same common slot, opposite surpluses.

        Each group's surplus of every category value (over its fair share) is
        projected on a random direction; within a slot, the group furthest on
        one side is paired with the group furthest on the other, so a group
        with two professors and no assistant meets one with the reverse.
        """
        slot_key = self._slot_key()
        order = np.lexsort((self._surplus_projection(rng), slot_key))
        keys = slot_key[order]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        first, second, spare = [], [], []
        for begin, end in zip(starts, np.r_[starts[1:], len(order)], strict=True):
            block = order[begin:end]
            half = len(block) // 2
            first.append(block[:half])
            second.append(block[::-1][:half])
            if len(block) % 2:
                spare.append(block[half : half + 1])
        spare_groups = rng.permutation(np.concatenate(spare)) if spare else np.zeros(0, dtype=int)
        half = len(spare_groups) // 2
        first.append(spare_groups[0 : 2 * half : 2])
        second.append(spare_groups[1 : 2 * half : 2])
        return np.concatenate(first).astype(np.int64), np.concatenate(second).astype(np.int64)

    def _surplus_projection(self, rng: np.random.Generator) -> np.ndarray:
        layout = self.layout
        groups = len(layout.names)
        placed = np.flatnonzero(layout.group_of >= 0)
        where = layout.group_of[placed]
        sizes = np.bincount(where, minlength=groups)
        projection = np.zeros(groups)
        for feature in self.enc.features:
            if feature.criterion.kind != "category" or feature.criterion.signed_weight <= 0:
                continue
            codes = feature.values[placed]
            known = codes >= 0
            values = len(feature.labels)
            if not 2 <= values <= 32:
                continue  # many-valued columns rarely pile up; skip their cost
            counts = np.bincount(where[known] * values + codes[known], minlength=groups * values)
            counts = counts.reshape(groups, values)
            share = counts.sum(axis=0) / max(1, known.sum())
            surplus = counts - sizes[:, None] * share
            projection += feature.criterion.signed_weight * (surplus @ rng.standard_normal(values))
        return projection

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
        block = self.blocks(members)
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
        if self.home is not None:
            away = self._away_deltas(first, second, present, safe, width)
            swap -= self.move_cost * away[0]
            move_ab -= self.move_cost * away[1]
            move_ba -= self.move_cost * away[2]
        allowed = self._allowed(first, second, present, safe, width)
        swap = np.where(allowed[0], swap, -np.inf)
        move_ab = np.where(allowed[1], move_ab, -np.inf)
        move_ba = np.where(allowed[2], move_ba, -np.inf)
        return np.concatenate([swap.reshape(len(first), -1), move_ab, move_ba], axis=1)

    def _conflicts(self, first, second, members, present, safe) -> np.ndarray:
        """(P, m, m) 1 where the two seated people must be kept apart."""
        width = self.layout.members.shape[1]
        seats = np.flatnonzero(present & self.conflicted[safe])  # flat (P, m) positions
        people = members.ravel()[seats]
        degree = self.degree[people]
        seat = np.repeat(seats, degree)
        run = np.arange(degree.sum()) - np.repeat(np.cumsum(degree) - degree, degree)
        partner = self.partner_list[np.repeat(self.partner_start[people], degree) + run]
        pair, position = np.divmod(seat, members.shape[1])
        group = self.layout.group_of[partner]
        on_a, on_b = group == first[pair], group == second[pair]
        keep = on_a | on_b
        # A partner seated in this pair of groups is found through their seat.
        column = self.layout.seat_of[partner[keep]] + np.where(on_b[keep], width, 0)
        hits = np.zeros(members.shape + members.shape[-1:], dtype=np.float32)
        hits[pair[keep], position[keep], column] = 1.0
        return hits

    def _away_deltas(self, first, second, present, safe, width):
        """Change in how many people sit outside their earlier group, per change."""
        home = np.where(present, self.home[safe], -1)
        has_home = home >= 0
        out_a = (has_home & (home != first[:, None])).astype(np.int32)
        out_b = (has_home & (home != second[:, None])).astype(np.int32)
        # Person seated on side A: out_a now; out_b if they crossed to B. Likewise for B.
        cross_a = out_b[:, :width] - out_a[:, :width]
        cross_b = out_a[:, width:] - out_b[:, width:]
        return cross_a[:, :, None] + cross_b[:, None, :], cross_a, cross_b

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

    def _apply(self, first, second, members, choices) -> None:
        """Carry out each pair's change `choices[p]` of the flat (swaps, a->b, b->a) list.

        Pairs are disjoint, so all changes are written at once.
        """
        layout = self.layout
        width = layout.members.shape[1]
        swaps = width * width
        is_swap = choices < swaps
        to_b = ~is_swap & (choices < swaps + width)
        to_a = choices >= swaps + width
        seat_a = np.where(is_swap, choices // width, np.where(to_b, choices - swaps, -1))
        seat_b = np.where(is_swap, choices % width, np.where(to_a, choices - swaps - width, -1))
        rows = np.arange(len(choices))
        leaving_a = np.where(seat_a >= 0, members[rows, np.maximum(seat_a, 0)], -1)
        leaving_b = np.where(seat_b >= 0, members[rows, width + np.maximum(seat_b, 0)], -1)
        # Movers take the seat the other side freed, or a free seat in their new group.
        free_a = np.argmax(layout.members[first] < 0, axis=1)
        free_b = np.argmax(layout.members[second] < 0, axis=1)
        into_a = np.where(is_swap, seat_a, free_a)
        into_b = np.where(is_swap, seat_b, free_b)
        layout.members[first[to_b], seat_a[to_b]] = -1
        layout.members[second[to_a], seat_b[to_a]] = -1
        _seat(layout, leaving_a, second, into_b, is_swap | to_b)
        _seat(layout, leaving_b, first, into_a, is_swap | to_a)


def _seat(layout: Layout, people, groups, seats, which) -> None:
    people, groups, seats = people[which], groups[which], seats[which]
    layout.members[groups, seats] = people
    layout.group_of[people] = groups
    layout.seat_of[people] = seats


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
