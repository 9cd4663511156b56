"""A first grouping that already respects the hard rules wherever it can.

1. People who must be together become units; fixed people stay in their named
   groups, which keep their labels.
2. Each free unit picks one slot it can attend, favouring popular slots, so that
   each slot gathers a number of people that can be split into groups of
   allowed sizes, and never exactly one holder of a no_lone value; a small local
   search over slot choices repairs the counts that do not work out.
3. Within a slot, no_lone holders are dealt in twos, then everyone else is
   sorted by the criteria and dealt in snake order, which spreads each value
   evenly over the groups: a good start for the diversity objective.

Whoever cannot be placed without breaking a rule is left unplaced, with a reason.
Units are rows of arrays (most are single people), so 100,000 people take
a fraction of a second.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from .encode import Encoded
from .layout import Layout
from .policy import Policy
from .slot_plan import EXACT_UP_TO, exact_slot_choice


@dataclass
class Start:
    layout: Layout
    pinned: np.ndarray
    unplaced: dict[int, str] = field(default_factory=dict)


@dataclass
class Units:
    """Free units (people who move together): row u has people[u] and can attend avail[u]."""

    people: list[np.ndarray]
    size: np.ndarray  # (units,)
    avail: np.ndarray  # (units, slots) bool
    holders: np.ndarray  # (units, rules) count of no_lone holders


def build_start(enc: Encoded, policy: Policy, ids: list[str], rng: np.random.Generator) -> Start:
    width = max(policy.max_size, _largest_fixed(enc))
    start = Start(Layout.empty(enc.n, width), np.zeros(enc.n, dtype=bool))
    start.layout.add_groups(list(enc.fixed_labels))
    units = _free_units(enc, policy, start)
    classes = SlotClasses(enc, policy, units, start)
    if not classes.plan_exactly():
        classes.repair(rng)
    classes.consolidate()
    classes.trim()
    for slot in classes.slots_in_use():
        chosen = np.flatnonzero(classes.choice == slot)
        _deal(enc, policy, units, chosen, classes.fixed_by_slot.get(slot, []), start, rng)
    return start


def _largest_fixed(enc: Encoded) -> int:
    known = enc.fixed_group[enc.fixed_group >= 0]
    return int(np.bincount(known).max()) if known.size else 0


def slot_matrix(masks: np.ndarray) -> np.ndarray:
    """(rows, words * 64) bool from uint64 word masks: which slots each row has."""
    bits = np.unpackbits(masks.view(np.uint8), axis=-1, bitorder="little")
    return bits.astype(bool)


# -- units: people who must share a group -------------------------------------


def _components(enc: Encoded) -> list[list[int]]:
    """People joined by `together` links, as lists (single people excluded)."""
    parent: dict[int, int] = {}

    def root(k: int) -> int:
        parent.setdefault(k, k)
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in enc.together:
        parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for person in parent:
        groups.setdefault(root(person), []).append(person)
    return list(groups.values())


def _free_units(enc: Encoded, policy: Policy, start: Start) -> Units:
    """Seat fixed people (with anyone linked to them); return the units still to place."""
    avail = slot_matrix(enc.slot_masks)
    linked = np.zeros(enc.n, dtype=bool)
    multi: list[np.ndarray] = []
    for component in _components(enc):
        people = np.array(sorted(component))
        linked[people] = True
        if not _seat_if_fixed(enc, people, start) and _placeable(enc, policy, people, start):
            multi.append(people)
    singles = np.flatnonzero(~linked & (enc.fixed_group < 0))
    _seat_if_fixed_singles(enc, start)
    no_slot = singles[~avail[singles].any(axis=1)]
    for person in no_slot:
        start.unplaced[int(person)] = "gave no availability slot"
    singles = np.setdiff1d(singles, no_slot)
    people = [np.array([p]) for p in singles] + multi
    return Units(
        people=people,
        size=np.array([len(p) for p in people], dtype=np.int64),
        avail=np.concatenate([avail[singles]] + [avail[m].all(axis=0)[None] for m in multi])
        if people
        else np.zeros((0, avail.shape[1]), dtype=bool),
        holders=np.concatenate(
            [enc.lone_holders[singles].astype(np.int64)]
            + [enc.lone_holders[m].sum(axis=0)[None] for m in multi]
        )
        if people
        else np.zeros((0, enc.lone_holders.shape[1]), dtype=np.int64),
    )


def _seat_if_fixed(enc: Encoded, people: np.ndarray, start: Start) -> bool:
    fixed = enc.fixed_group[people]
    if not (fixed >= 0).any():
        return False
    # Linked to a fixed person: all join that circle (linked to two: the check reports it).
    circle = int(fixed[fixed >= 0].min())
    for person, own in zip(people, fixed, strict=True):
        start.layout.place(int(person), int(own) if own >= 0 else circle)
        start.pinned[person] = True
    return True


def _seat_if_fixed_singles(enc: Encoded, start: Start) -> None:
    for person in np.flatnonzero((enc.fixed_group >= 0) & (start.layout.group_of < 0)):
        start.layout.place(int(person), int(enc.fixed_group[person]))
        start.pinned[person] = True


def _placeable(enc: Encoded, policy: Policy, people: np.ndarray, start: Start) -> bool:
    reason = None
    if not np.bitwise_and.reduce(enc.slot_masks[people], axis=0).any():
        reason = "must be grouped with people who share no slot with them"
    elif len(people) > policy.max_size:
        reason = f"'together' links {len(people)} people, more than max_size"
    for person in people if reason else []:
        start.unplaced[int(person)] = reason
    return reason is None


# -- slot classes ------------------------------------------------------------


class SlotClasses:
    """Which slot each free unit meets in, chosen so every slot's count works out."""

    def __init__(self, enc: Encoded, policy: Policy, units: Units, start: Start) -> None:
        self.enc, self.policy, self.units, self.start = enc, policy, units, start
        self.slots = units.avail.shape[1]
        self.popularity = (units.avail * units.size[:, None]).sum(axis=0)
        self.fixed_by_slot = self._fixed_groups_by_slot()
        self.fixed_sizes = {
            s: [start.layout.group(g).size for g in gs] for s, gs in self.fixed_by_slot.items()
        }
        low, high = policy.min_size, policy.max_size
        # Seats fixed groups must get (to reach min_size) and may get (up to max_size).
        self.fixed_need = np.zeros(self.slots, dtype=np.int64)
        self.fixed_room = np.zeros(self.slots, dtype=np.int64)
        for s, sizes in self.fixed_sizes.items():
            self.fixed_need[s] = sum(max(0, low - size) for size in sizes)
            self.fixed_room[s] = sum(max(0, high - size) for size in sizes)
        scored = np.where(units.avail, self.popularity[None, :] + 1, 0)
        self.choice = np.where(units.avail.any(axis=1), scored.argmax(axis=1), -1)
        self._fill_open_seats_first()
        self.load = np.bincount(self.choice, weights=units.size, minlength=self.slots).astype(
            np.int64
        )
        self.holders = np.zeros((self.slots, units.holders.shape[1]), dtype=np.int64)
        np.add.at(self.holders, self.choice, units.holders)
        for slot, groups in self.fixed_by_slot.items():
            for g in groups:
                self.holders[slot] += enc.lone_holders[start.layout.group(g)].sum(axis=0)

    def _fill_open_seats_first(self) -> None:
        """Send people to the slots of fixed groups with open seats, until those are full.

        Existing circles take newcomers before new groups open: that is what
        incremental mode promises, and it keeps small circles from falling short.
        """
        open_seats = np.zeros(self.slots, dtype=np.int64)
        for slot, sizes in self.fixed_sizes.items():
            open_seats[slot] = sum(max(0, self.policy.max_size - size) for size in sizes)
        if not open_seats.any():
            return
        singles = np.flatnonzero(self.units.size == 1)
        for u in singles[self.units.avail[singles][:, open_seats > 0].any(axis=1)]:
            offered = self.units.avail[u] & (open_seats > 0)
            if not offered.any():
                continue
            slot = int(np.argmax(np.where(offered, open_seats, -1)))
            self.choice[u] = slot
            open_seats[slot] -= 1
            if not open_seats.any():
                return

    def _fixed_groups_by_slot(self) -> dict[int, list[int]]:
        by_slot: dict[int, list[int]] = {}
        layout = self.start.layout
        for g in range(len(layout.names)):
            people = layout.group(g)
            if not people.size:
                continue
            common = slot_matrix(np.bitwise_and.reduce(self.enc.slot_masks[people], axis=0)[None])[
                0
            ]
            if common.any():  # a fixed group without a common slot is reported by the check
                by_slot.setdefault(
                    int(np.argmax(np.where(common, self.popularity + 1, 0))), []
                ).append(g)
        return by_slot

    def slots_in_use(self) -> list[int]:
        return sorted(set(self.fixed_by_slot) | {int(s) for s in np.unique(self.choice) if s >= 0})

    def badness(self, slot: int) -> int:
        """How far a slot's count is from working: people to add or remove, plus lone values."""
        load = int(self.load[slot])
        lone = int((self.holders[slot] == 1).sum())
        need, room = int(self.fixed_need[slot]), int(self.fixed_room[slot])
        return _distance_to_feasible(load, need, room, self.policy) + lone

    def repair(self, rng: np.random.Generator, sample: int = 64) -> None:
        """Move units between slots while that lowers the total badness.

        Sideways moves (no change) are allowed too, at random: counts such as
        11 and 5 for groups of 6 to 8 only reach 8 and 8 through 10 and 6.
        """
        best, stale = None, 0
        while stale < 60:  # passes without a new lowest total badness
            badness = [self.badness(s) for s in range(self.slots)]
            bad = [s for s, value in enumerate(badness) if value > 0]
            if not bad or not any([self._fix(s, rng, sample) for s in bad]):  # noqa: C419
                return
            stale = 0 if best is None or sum(badness) < best else stale + 1
            best = sum(badness) if best is None else min(best, sum(badness))

    def _fix(self, slot: int, rng: np.random.Generator, sample: int) -> bool:
        avail = self.units.avail
        inside = np.flatnonzero(self.choice == slot)
        outside = np.flatnonzero((self.choice != slot) & (self.choice >= 0) & avail[:, slot])
        candidates = [
            (int(u), int(t))
            for u in _sampled(inside, rng, sample)
            for t in np.flatnonzero(avail[u])
            if t != slot
        ]
        candidates += [(int(u), slot) for u in _sampled(outside, rng, sample)]
        if not candidates:
            return False
        deltas = np.array([self._move_delta(unit, target) for unit, target in candidates])
        if deltas.min() > 0:
            return False
        options = np.flatnonzero(deltas == deltas.min())
        self._move(*candidates[int(rng.choice(options))])
        return True

    def _move_delta(self, u: int, target: int) -> int:
        source = int(self.choice[u])
        before = self.badness(source) + self.badness(target)
        self._move(u, target)
        after = self.badness(source) + self.badness(target)
        self._move(u, source)
        return after - before

    def _move(self, u: int, target: int) -> None:
        source = self.choice[u]
        if source >= 0:
            self.load[source] -= self.units.size[u]
            self.holders[source] -= self.units.holders[u]
        self.choice[u] = target
        if target >= 0:
            self.load[target] += self.units.size[u]
            self.holders[target] += self.units.holders[u]

    def plan_exactly(self) -> bool:
        """Small instances without fixed groups: take the exact slot plan (slot_plan.py)."""
        if self.enc.n > EXACT_UP_TO or self.fixed_by_slot or not len(self.choice):
            return False
        low, high = self.policy.min_size, self.policy.max_size
        units = self.units
        choice = exact_slot_choice(units.avail, units.size, units.holders, low, high)
        if choice is None:
            return False
        for u in np.flatnonzero(choice != self.choice):
            self._move(int(u), int(choice[u]))
        for u in np.flatnonzero(choice < 0):
            for person in units.people[u]:
                self.start.unplaced[int(person)] = self._left_out_reason(int(u))
        return True

    def _left_out_reason(self, u: int) -> str:
        for r, rule in enumerate(self.policy.rules.no_lone):
            if self.units.holders[u, r]:
                return f"would be the only {rule.column}={rule.value} in any group they can join"
        return "too few people share a slot with them to form a group of allowed size"

    def consolidate(self) -> None:
        """Need fewer groups: empty a slot's last group into other slots' free seats.

        The objective counts pairs, so 60 people in 8 groups of 7-8 beat 9 groups
        of 6-7 by about 15%; slots split people into uneven counts that waste seats.
        """
        for slot in np.argsort(self._spare_seats()):
            slot = int(slot)
            excess = int(self.load[slot]) - (self._groups_needed(slot) - 1) * self.policy.max_size
            if self._groups_needed(slot) == 0 or excess > self.policy.max_size:
                continue
            moves = []
            # A few tries per seat to free: most people either fit elsewhere or none do.
            for u in np.flatnonzero(self.choice == slot)[: 4 * excess + 8]:
                target = self._seat_elsewhere(int(u), slot)
                if target is None:
                    continue
                self._move(int(u), target)
                moves.append((int(u), slot))
                excess -= int(self.units.size[u])
                if excess <= 0:
                    break
            if excess > 0 or any(self.badness(s) for s in range(self.slots)):
                for u, source in reversed(moves):  # could not empty a group: undo
                    self._move(u, source)

    def _groups_needed(self, slot: int) -> int:
        room = int(self.fixed_room[slot])
        return -(-max(0, int(self.load[slot]) - room) // self.policy.max_size)

    def _spare_seats(self) -> np.ndarray:
        return np.array(
            [
                self._groups_needed(s) * self.policy.max_size - self.load[s]
                for s in range(self.slots)
            ]
        )

    def _seat_elsewhere(self, u: int, source: int) -> int | None:
        """A slot this unit can attend whose groups have a free seat for it."""
        for target in np.flatnonzero(self.units.avail[u]):
            target = int(target)
            if target == source or self._groups_needed(target) == 0:
                continue
            before = self._groups_needed(target)
            self._move(u, target)
            fits = self._groups_needed(target) == before and self.badness(target) == 0
            self._move(u, source)
            if fits:
                return target
        return None

    def trim(self) -> None:
        """Unplace the fewest people so that every slot's count works out."""
        for slot in range(self.slots):
            self._trim_lone(slot)
            while self.badness(slot) > 0 and self.load[slot] > 0:
                self._drop(
                    int(np.flatnonzero(self.choice == slot).max()), self._too_few_reason(slot)
                )

    def _trim_lone(self, slot: int) -> None:
        for r, rule in enumerate(self.policy.rules.no_lone):
            if self.holders[slot, r] != 1:
                continue
            # Empty when the one holder sits in a fixed group: the repair step handles that.
            for u in np.flatnonzero((self.choice == slot) & (self.units.holders[:, r] > 0)):
                self._drop(
                    int(u),
                    f"would be the only {rule.column}={rule.value} in any group they can join",
                )

    def _too_few_reason(self, slot: int) -> str:
        label = self.enc.slot_labels[slot] if self.enc.has_slots else "any"
        return f"too few people share a slot ({label}) to form a group of allowed size"

    def _drop(self, u: int, reason: str) -> None:
        self._move(u, -1)
        for person in self.units.people[u]:
            self.start.unplaced[int(person)] = reason


def _distance_to_feasible(load: int, need: int, room: int, policy: Policy) -> int:
    low, high = policy.min_size, policy.max_size
    if _splittable(load, need, room, low, high):
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
    if high > low and load >= room + low * low:
        return True  # from low * low people on, every count splits into low..high groups
    for into_fixed in range(min(room, load), need - 1, -1):
        rest = load - into_fixed
        if rest == 0 or -(-rest // high) * low <= rest:
            return True
    return False


def _sampled(items: np.ndarray, rng: np.random.Generator, size: int) -> np.ndarray:
    return items if len(items) <= size else rng.choice(items, size, replace=False)


# -- dealing people into groups within one slot -------------------------------


def _deal(enc, policy, units: Units, chosen: np.ndarray, fixed_groups, start: Start, rng) -> None:
    layout = start.layout
    load = int(units.size[chosen].sum())
    targets = _group_targets(load, [layout.group(g).size for g in fixed_groups], policy)
    if targets is None:  # trim() leaves only counts that split; kept as a safety net
        for u in chosen:
            for person in units.people[u]:
                start.unplaced[int(person)] = "too few people share a slot to form a group"
        return
    into_fixed, new_sizes = targets
    first_new = len(layout.names)
    layout.add_groups([""] * len(new_sizes))
    groups = np.array(
        list(fixed_groups) + list(range(first_new, first_new + len(new_sizes))), dtype=np.int64
    )
    room = np.array(into_fixed + new_sizes, dtype=np.int64)
    for u in chosen[units.size[chosen] > 1]:
        k = int(np.argmax(room))
        for person in units.people[u]:
            layout.place(int(person), int(groups[k]))
            start.pinned[person] = True
        room[k] -= units.size[u]
    singles = np.array(
        [units.people[u][0] for u in chosen[units.size[chosen] == 1]], dtype=np.int64
    )
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


def _deal_lone_holders(enc, singles, groups, room, layout) -> np.ndarray:
    """Put no_lone holders into groups two (or more) at a time; return who is left."""
    remaining = singles
    for r in range(enc.lone_holders.shape[1]):
        holders = remaining[enc.lone_holders[remaining, r]]
        if not holders.size:
            continue
        remaining = remaining[~enc.lone_holders[remaining, r]]
        present = [int(enc.lone_holders[layout.group(g), r].sum()) for g in groups]
        # Groups already holding one holder (fixed groups) need a second first.
        order = sorted(range(len(groups)), key=lambda k: (present[k] != 1, -room[k]))
        receiving = [k for k in order if room[k] >= (1 if present[k] == 1 else 2)]
        receiving = receiving[: max(1, len(holders) // 2)]
        turns = deque(receiving)  # round-robin while they have seats, then anywhere open
        for person in holders:
            while turns and room[turns[0]] <= 0:
                turns.popleft()
            k = turns[0] if turns else int(np.argmax(room))
            turns.rotate(-1)
            layout.place(int(person), int(groups[k]))
            room[k] -= 1
    return remaining


def _deal_snake(enc, singles, groups, room, layout, rng) -> None:
    """Sort people by the criteria, then deal round by round, reversing each round."""
    if not singles.size:
        return
    people = singles[_criteria_order(enc, singles, rng)]
    seats = []
    for round_number in range(int(room.max(initial=0))):
        open_groups = groups[room > round_number]
        seats.append(open_groups if round_number % 2 == 0 else open_groups[::-1])
    layout.place_many(people, np.concatenate(seats)[: len(people)])


def _criteria_order(enc: Encoded, people: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Lexicographic order by the diversity criteria, heaviest first, ties random."""
    keys = [rng.random(len(people))]
    ranked = sorted(enc.features, key=lambda f: f.criterion.signed_weight)
    for feature in ranked:
        if feature.criterion.signed_weight <= 0 or feature.values.ndim != 1:
            continue
        keys.append(feature.values[people])
    return np.lexsort(keys)
