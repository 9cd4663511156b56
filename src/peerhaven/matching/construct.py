"""A first grouping that already respects the hard rules wherever it can.

1. People who must be together become units; fixed people stay in their named
   groups, which keep their labels.
2. Each free unit picks one slot it can attend, favouring popular slots, so that
   each slot gathers a number of people that can be split into groups of
   allowed sizes and never exactly one holder of a no_lone value; a small local
   search over slot choices repairs the counts that do not work out.
3. Within a slot, no_lone holders are dealt in twos, then everyone else is
   sorted by the criteria and dealt in snake order, which spreads each value
   evenly over the groups, a good start for the diversity objective.

Whoever cannot be placed without breaking a rule is left unplaced, with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .encode import Encoded
from .layout import Layout
from .policy import Policy


@dataclass
class Start:
    layout: Layout
    pinned: np.ndarray
    unplaced: dict[int, str] = field(default_factory=dict)


@dataclass
class Unit:
    people: list[int]
    mask: np.ndarray  # slots all its people can attend
    holders: np.ndarray  # (rules,) count of no_lone holders
    fixed: str | None = None


def build_start(enc: Encoded, policy: Policy, ids: list[str], rng: np.random.Generator) -> Start:
    width = max(policy.max_size, _largest_fixed(enc))
    start = Start(Layout.empty(enc.n, width), np.zeros(enc.n, dtype=bool))
    units = _units(enc, policy, start)
    free = _seat_fixed(enc, units, start)
    classes = SlotClasses(enc, policy, free, start)
    classes.repair(rng)
    classes.trim(ids)
    for slot, members in classes.members_by_slot().items():
        _deal(enc, policy, slot, members, classes.fixed_by_slot.get(slot, []), start, rng)
    return start


def _largest_fixed(enc: Encoded) -> int:
    known = enc.fixed_group[enc.fixed_group >= 0]
    return int(np.bincount(known).max()) if known.size else 0


# -- units: people who must share a group -------------------------------------


def _units(enc: Encoded, policy: Policy, start: Start) -> list[Unit]:
    parent = list(range(enc.n))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in enc.together:
        parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for person in range(enc.n):
        groups.setdefault(root(person), []).append(person)
    units = []
    for people in groups.values():
        unit = _unit(enc, people)
        if _unit_is_placeable(enc, policy, unit, start):
            units.append(unit)
    return units


def _unit(enc: Encoded, people: list[int]) -> Unit:
    labels = {enc.fixed_labels[enc.fixed_group[p]] for p in people if enc.fixed_group[p] >= 0}
    return Unit(
        people=people,
        mask=np.bitwise_and.reduce(enc.slot_masks[people], axis=0),
        holders=enc.lone_holders[people].sum(axis=0),
        fixed=min(labels) if labels else None,
    )


def _unit_is_placeable(enc: Encoded, policy: Policy, unit: Unit, start: Start) -> bool:
    if unit.fixed is not None:
        return True  # fixed people stay where they are whatever else fails
    reason = None
    if not unit.mask.any():
        reason = (
            "gave no availability slot"
            if len(unit.people) == 1
            else "must be grouped with people who share no slot with them"
        )
    elif len(unit.people) > policy.max_size:
        reason = f"'together' links {len(unit.people)} people, more than max_size"
    for person in unit.people if reason else []:
        start.unplaced[person] = reason
    return reason is None


def _seat_fixed(enc: Encoded, units: list[Unit], start: Start) -> list[Unit]:
    """Place fixed units in their labelled groups; return the free units."""
    index = {label: g for g, label in enumerate(enc.fixed_labels)}
    start.layout.add_groups(list(enc.fixed_labels))
    free = []
    for unit in units:
        if unit.fixed is None:
            free.append(unit)
            continue
        for person in unit.people:
            start.layout.place(person, index[unit.fixed])
            start.pinned[person] = True
    return free


# -- slot classes ------------------------------------------------------------


class SlotClasses:
    """Which slot each free unit meets in, chosen so every slot's count works out."""

    def __init__(self, enc: Encoded, policy: Policy, units: list[Unit], start: Start) -> None:
        self.enc, self.policy, self.units, self.start = enc, policy, units, start
        words = enc.slot_masks.shape[1]
        self.slots = words * 64
        popularity = np.zeros(self.slots)
        for unit in units:
            popularity[_bits(unit.mask)] += len(unit.people)
        self.popularity = popularity
        self.fixed_by_slot = self._fixed_groups_by_slot()
        self.choice = [self._favourite(unit.mask) for unit in units]
        self.load = np.zeros(self.slots, dtype=np.int64)
        self.holders = np.zeros((self.slots, enc.lone_holders.shape[1]), dtype=np.int64)
        for unit, slot in zip(units, self.choice, strict=True):
            self._count(unit, slot, +1)
        for slot, groups in self.fixed_by_slot.items():
            for g in groups:
                self.holders[slot] += enc.lone_holders[start.layout.group(g)].sum(axis=0)

    def _favourite(self, mask: np.ndarray) -> int:
        bits = _bits(mask)
        return int(bits[np.argmax(self.popularity[bits])])

    def _fixed_groups_by_slot(self) -> dict[int, list[int]]:
        by_slot: dict[int, list[int]] = {}
        for g in range(len(self.start.layout.names)):
            people = self.start.layout.group(g)
            common = np.bitwise_and.reduce(self.enc.slot_masks[people], axis=0)
            bits = _bits(common)
            if bits.size:  # a fixed group without a common slot is reported by the check
                by_slot.setdefault(int(bits[np.argmax(self.popularity[bits])]), []).append(g)
        return by_slot

    def _count(self, unit: Unit, slot: int, sign: int) -> None:
        self.load[slot] += sign * len(unit.people)
        self.holders[slot] += sign * unit.holders

    def badness(self, slot: int) -> int:
        """How far a slot's count is from working: people to add or remove, plus lone values."""
        fixed = [len(self.start.layout.group(g)) for g in self.fixed_by_slot.get(slot, [])]
        load = int(self.load[slot])
        lone = int((self.holders[slot] == 1).sum())
        return _distance_to_feasible(load, fixed, self.policy) + lone

    def repair(self, rng: np.random.Generator, sample: int = 64) -> None:
        """Move units between slots while that lowers the total badness.

        Sideways moves (no change) are allowed too, at random: counts such as
        11 and 5 for groups of 6 to 8 only reach 8 and 8 through 10 and 6.
        """
        for _ in range(8 * self.slots + 32):
            bad = [s for s in range(self.slots) if self.badness(s) > 0]
            if not bad:
                return
            moved = [self._fix(s, rng, sample) for s in bad]
            if not any(moved):
                return

    def _fix(self, slot: int, rng: np.random.Generator, sample: int) -> bool:
        inside = [u for u, s in enumerate(self.choice) if s == slot]
        outside = [
            u
            for u, s in enumerate(self.choice)
            if s not in (slot, -1) and _has(self.units[u].mask, slot)
        ]
        candidates = [
            (u, int(t))
            for u in _sampled(inside, rng, sample)
            for t in _bits(self.units[u].mask)
            if t != slot
        ]
        candidates += [(u, slot) for u in _sampled(outside, rng, sample)]
        if not candidates:
            return False
        deltas = np.array([self._move_delta(unit, target) for unit, target in candidates])
        lowest = deltas.min()
        if lowest > 0:
            return False
        options = np.flatnonzero(deltas == lowest)
        self._move(*candidates[int(rng.choice(options))])
        return True

    def _move_delta(self, u: int, target: int) -> int:
        source = self.choice[u]
        before = self.badness(source) + self.badness(target)
        self._move(u, target)
        after = self.badness(source) + self.badness(target)
        self._move(u, source)
        return after - before

    def _move(self, u: int, target: int) -> None:
        self._count(self.units[u], self.choice[u], -1)
        self.choice[u] = target
        self._count(self.units[u], target, +1)

    def trim(self, ids: list[str]) -> None:
        """Unplace the fewest people so that every slot's count works out."""
        for slot in range(self.slots):
            self._trim_lone(slot)
            while self.badness(slot) > 0 and self.load[slot] > 0:
                unit = max(u for u, s in enumerate(self.choice) if s == slot)
                self._drop(unit, self._too_few_reason(slot))

    def _trim_lone(self, slot: int) -> None:
        for r, rule in enumerate(self.policy.rules.no_lone):
            if self.holders[slot, r] != 1:
                continue
            holder = [
                u for u, s in enumerate(self.choice) if s == slot and self.units[u].holders[r]
            ]
            for u in holder:  # empty when the lone holder sits in a fixed group
                self._drop(
                    u, f"would be the only {rule.column}={rule.value} in any group they can join"
                )

    def _too_few_reason(self, slot: int) -> str:
        label = self.enc.slot_labels[slot] if self.enc.has_slots else "any"
        return f"too few people share a slot ({label}) to form a group of allowed size"

    def _drop(self, u: int, reason: str) -> None:
        self._count(self.units[u], self.choice[u], -1)
        self.choice[u] = -1
        for person in self.units[u].people:
            self.start.unplaced[person] = reason

    def members_by_slot(self) -> dict[int, list[Unit]]:
        by_slot: dict[int, list[Unit]] = {slot: [] for slot in self.fixed_by_slot}
        for unit, slot in zip(self.units, self.choice, strict=True):
            if slot >= 0:
                by_slot.setdefault(slot, []).append(unit)
        return by_slot


def _distance_to_feasible(load: int, fixed: list[int], policy: Policy) -> int:
    low, high = policy.min_size, policy.max_size
    need = sum(max(0, low - size) for size in fixed)
    room = sum(max(0, high - size) for size in fixed)
    if load >= need and _splittable(load, need, room, low, high):
        return 0
    if load < need:
        return need - load
    for step in range(1, high + 1):
        if _splittable(load - step, need, room, low, high) or _splittable(
            load + step, need, room, low, high
        ):
            return step
    return high


def _splittable(load: int, need: int, room: int, low: int, high: int) -> bool:
    """Can `load` people fill fixed groups' needs (need..room seats) and new groups of low..high?"""
    if load < need:
        return False
    for into_fixed in range(min(room, load), need - 1, -1):
        rest = load - into_fixed
        if rest == 0 or -(-rest // high) * low <= rest:
            return True
    return False


def _bits(mask: np.ndarray) -> np.ndarray:
    bits = np.unpackbits(mask.view(np.uint8), bitorder="little")
    return np.flatnonzero(bits)


def _has(mask: np.ndarray, slot: int) -> bool:
    return bool((int(mask[slot // 64]) >> (slot % 64)) & 1)


def _sampled(items: list[int], rng: np.random.Generator, size: int) -> list[int]:
    if len(items) <= size:
        return items
    return [items[k] for k in rng.choice(len(items), size, replace=False)]


# -- dealing people into groups within one slot -------------------------------


def _deal(enc, policy, slot, units, fixed_groups, start: Start, rng) -> None:
    layout = start.layout
    load = sum(len(u.people) for u in units)
    targets = _group_targets(load, [len(layout.group(g)) for g in fixed_groups], policy)
    if targets is None:
        return
    into_fixed, new_sizes = targets
    first_new = len(layout.names)
    layout.add_groups([""] * len(new_sizes))
    groups = list(fixed_groups) + list(range(first_new, first_new + len(new_sizes)))
    room = np.array(into_fixed + new_sizes, dtype=np.int64)
    singles = [u.people[0] for u in units if len(u.people) == 1]
    for unit in (u for u in units if len(u.people) > 1):
        k = int(np.argmax(room))
        for person in unit.people:
            layout.place(person, groups[k])
            start.pinned[person] = True
        room[k] -= len(unit.people)
    singles = _deal_lone_holders(enc, singles, groups, room, layout)
    _deal_snake(enc, singles, groups, room, layout, rng)


def _group_targets(load: int, fixed: list[int], policy: Policy):
    """Seats to fill in each fixed group, and the sizes of new groups."""
    low, high = policy.min_size, policy.max_size
    need = [max(0, low - size) for size in fixed]
    room = [max(0, high - size) for size in fixed]
    for into_fixed in range(min(sum(room), load), sum(need) - 1, -1):
        rest = load - into_fixed
        count = -(-rest // high)
        if rest == 0 or count * low <= rest:
            seats = list(need)
            spare = into_fixed - sum(need)
            while spare > 0:  # open seats are shared out one at a time
                for k in range(len(seats)):
                    if spare and seats[k] < room[k]:
                        seats[k] += 1
                        spare -= 1
            sizes = [rest // count + (k < rest % count) for k in range(count)] if rest else []
            return seats, sizes
    return None


def _deal_lone_holders(enc, singles, groups, room, layout) -> list[int]:
    """Put no_lone holders into groups two (or more) at a time; return who is left."""
    remaining = list(singles)
    for r in range(enc.lone_holders.shape[1]):
        holders = [p for p in remaining if enc.lone_holders[p, r]]
        if not holders:
            continue
        taken = set(holders)
        remaining = [p for p in remaining if p not in taken]
        present = [int(enc.lone_holders[layout.group(g), r].sum()) for g in groups]
        # Groups already holding one holder (fixed groups) need a second first.
        order = sorted(range(len(groups)), key=lambda k: (present[k] != 1, -room[k]))
        receiving = [k for k in order if room[k] >= (1 if present[k] == 1 else 2)]
        receiving = receiving[: max(1, len(holders) // 2)]
        for index, person in enumerate(holders):
            k = receiving[index % len(receiving)] if receiving else int(np.argmax(room))
            layout.place(person, groups[k])
            room[k] -= 1
    return remaining


def _deal_snake(enc, singles, groups, room, layout, rng) -> None:
    """Sort people by the criteria, then deal round by round, reversing each round."""
    if not singles:
        return
    people = np.array(singles)
    people = people[_criteria_order(enc, people, rng)]
    seats = []
    for round_number in range(int(room.max(initial=0))):
        open_groups = [groups[k] for k in range(len(groups)) if room[k] > round_number]
        seats.extend(open_groups if round_number % 2 == 0 else open_groups[::-1])
    for person, g in zip(people, seats, strict=False):
        layout.place(int(person), int(g))


def _criteria_order(enc: Encoded, people: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Lexicographic order by the diversity criteria, heaviest first, ties random."""
    keys = [rng.random(len(people))]
    ranked = sorted(enc.features, key=lambda f: f.criterion.signed_weight)
    for feature in ranked:
        if feature.criterion.signed_weight <= 0 or feature.values.ndim != 1:
            continue
        keys.append(feature.values[people])
    return np.lexsort(keys)
