"""Last line of defence: the result breaks no hard rule, whatever the search did.

People whose group breaks a rule the search could not repair are taken out,
groups that fell below the minimum are dissolved, and everyone unplaced is then
offered every group they could join without breaking a rule, or a new group
with others who share a slot. Whoever is left stays unplaced, with a reason.
"""

from __future__ import annotations

import numpy as np

from .encode import Encoded, pair_distance
from .layout import Layout
from .policy import Policy


def enforce_rules(
    enc: Encoded,
    policy: Policy,
    layout: Layout,
    pinned: np.ndarray,
    unplaced: dict[int, str],
    ids: list[str],
    settled: np.ndarray | None = None,
) -> dict[int, str]:
    """Return the unplaced people with reasons; `settled` people (existing members in
    incremental mode) are never exchanged out for someone waiting."""
    reasons = dict(unplaced)
    # People linked by `together` move only as a unit, which construction did.
    linked = {person for link in enc.together for person in link}
    for _ in range(8):
        changed = _remove_offenders(enc, layout, pinned, reasons, ids)
        changed += _fill_short_fixed_groups(enc, policy, layout, pinned)
        changed += _second_holder_for_pinned(enc, policy, layout, pinned)
        changed += _dissolve_small_groups(policy, layout, pinned, reasons)
        movable = {p: why for p, why in reasons.items() if p not in linked}
        changed += _reinsert(enc, policy, layout, movable)
        changed += _new_groups_from_unplaced(enc, policy, layout, movable)
        if not changed:
            break
    _exchange_unplaced(
        enc, layout, pinned if settled is None else pinned | settled, reasons, linked
    )
    return {p: why for p, why in reasons.items() if layout.group_of[p] < 0}


def _remove_offenders(enc, layout, pinned, reasons, ids) -> int:
    """Take out free people who share a group with someone they must be apart from,
    or who are their group's only holder of a no_lone value."""
    group_of = layout.group_of
    person, k = np.nonzero(enc.partners >= 0)
    other = enc.partners[person, k]
    clash = (group_of[person] >= 0) & (group_of[person] == group_of[other]) & ~pinned[person]
    removed = 0
    for a, b in zip(person[clash], other[clash], strict=True):
        if group_of[a] >= 0 and group_of[a] == group_of[b]:
            layout.remove(int(a))
            reasons[int(a)] = f"must be kept apart from {ids[b]}; no group could take both"
            removed += 1
    placed = np.flatnonzero(group_of >= 0)
    for r in range(enc.lone_holders.shape[1]):
        holders = placed[enc.lone_holders[placed, r]]
        counts = np.bincount(group_of[holders], minlength=len(layout.names))
        for holder in holders[(counts[group_of[holders]] == 1) & ~pinned[holders]]:
            layout.remove(int(holder))
            reasons[int(holder)] = "would be the only holder of a no_lone value in any group"
            removed += 1
    return removed


def _fill_short_fixed_groups(enc, policy, layout, pinned) -> int:
    """Bring fixed groups up to min_size with people other groups can spare."""
    moved = 0
    sizes = layout.sizes
    for g in np.flatnonzero((sizes > 0) & (sizes < policy.min_size)):
        while layout.sizes[g] < policy.min_size:
            donor = _spare_person(enc, policy, layout, pinned, layout.group(g))
            if donor is None:
                break
            layout.remove(donor)
            layout.place(donor, int(g))
            moved += 1
    return moved


def _second_holder_for_pinned(enc, policy, layout, pinned) -> int:
    """A pinned person alone with a no_lone value gets a second holder from elsewhere:
    moved into a free seat, or swapped with a member who does not hold the value."""
    moved = 0
    placed = np.flatnonzero(layout.group_of >= 0)
    for r in range(enc.lone_holders.shape[1]):
        holders = placed[enc.lone_holders[placed, r]]
        counts = np.bincount(layout.group_of[holders], minlength=len(layout.names))
        stuck = holders[(counts[layout.group_of[holders]] == 1) & pinned[holders]]
        for g in layout.group_of[stuck]:
            people = layout.group(g)
            if layout.sizes[g] < policy.max_size:
                others = enc.lone_holders[:, r] & (layout.group_of != g)
                donor = _spare_person(enc, policy, layout, pinned, people, among=others)
                if donor is not None:
                    layout.remove(donor)
                    layout.place(donor, int(g))
                    moved += 1
                    continue
            moved += _swap_in_holder(enc, layout, pinned, int(g), r, counts)
    return moved


def _swap_in_holder(enc, layout, pinned, g: int, r: int, counts: np.ndarray) -> int:
    """Swap a holder from a group that has three or more for a non-holder of group g."""
    people = layout.group(g)
    outgoing = [m for m in people if not pinned[m] and not enc.lone_holders[m].any()]
    placed = layout.group_of >= 0
    donors = np.flatnonzero(
        enc.lone_holders[:, r] & ~pinned & placed & (counts[np.maximum(layout.group_of, 0)] >= 3)
    )
    for holder in donors[:500]:
        home = int(layout.group_of[holder])
        rest = layout.group(home)
        rest = rest[rest != holder]
        for member in outgoing:
            if _valid_with(enc, people[people != member], holder) and _valid_with(
                enc, rest, member
            ):
                layout.remove(holder)
                layout.remove(member)
                layout.place(holder, g)
                layout.place(member, home)
                counts[home] -= 1
                counts[g] += 1
                return 1
    return 0


def _spare_person(enc, policy, layout, pinned, people: np.ndarray, among=None) -> int | None:
    """A free person who can join `people` and whose group stays valid without them."""
    sizes = layout.sizes
    common = np.bitwise_and.reduce(enc.slot_masks[people], axis=0)
    fits = (enc.slot_masks & common).any(axis=1) & ~pinned
    if among is not None:
        fits &= among
    placed = layout.group_of >= 0
    fits &= ~placed | (sizes[np.maximum(layout.group_of, 0)] > policy.min_size)
    for person in np.flatnonzero(fits):
        if not _can_join(enc, person, people):
            continue
        home = layout.group_of[person]
        if home < 0:
            return int(person)
        left = enc.lone_holders[layout.group(home)].sum(axis=0) - enc.lone_holders[person]
        if not (left == 1).any():
            return int(person)
    return None


def _dissolve_small_groups(policy, layout, pinned, reasons) -> int:
    removed = 0
    for g in np.flatnonzero((layout.sizes > 0) & (layout.sizes < policy.min_size)):
        people = layout.group(g)
        if pinned[people].any():
            continue  # a fixed group keeps its people even when too small
        for person in people:
            layout.remove(person)
            reasons.setdefault(person, "too few compatible people to form a group")
            removed += 1
    return removed


def _reinsert(enc, policy, layout, reasons) -> int:
    placed = 0
    for person in [p for p in reasons if layout.group_of[p] < 0]:
        best, best_gain = -1, -np.inf
        for g in np.flatnonzero(layout.sizes < policy.max_size):
            people = layout.group(g)
            if people.size and _can_join(enc, person, people):
                gain = float(pair_distance(enc, np.full(people.size, person), people).sum())
                if gain > best_gain:
                    best, best_gain = int(g), gain
        if best >= 0:
            layout.place(person, best)
            placed += 1
    return placed


def _exchange_unplaced(enc, layout, pinned, reasons, linked) -> None:
    """When not everyone fits, choose who does: swap a waiting person in for a placed
    one whenever the group stays valid and gains (only where this is cheap)."""
    for _ in range(4):
        waiting = [p for p in reasons if layout.group_of[p] < 0 and p not in linked]
        if not waiting or len(waiting) * len(layout.names) > 5_000:
            return
        if not any([_swap_in(enc, layout, pinned, reasons, linked, u) for u in waiting]):  # noqa: C419
            return


def _swap_in(enc, layout, pinned, reasons, linked, newcomer: int) -> bool:
    best, best_gain = None, 1e-9
    for g in range(len(layout.names)):
        people = layout.group(g)
        for person in people:
            if pinned[person] or person in linked:
                continue
            rest = people[people != person]
            if not _valid_with(enc, rest, newcomer):
                continue
            gain = pair_distance(enc, np.int64(newcomer), rest).sum()
            gain -= pair_distance(enc, np.int64(person), rest).sum()
            if gain > best_gain:
                best, best_gain = (int(g), int(person)), float(gain)
    if best is None:
        return False
    group, person = best
    layout.remove(person)
    layout.place(newcomer, group)
    reasons[person] = reasons[newcomer]
    return True


def _valid_with(enc: Encoded, people: np.ndarray, newcomer: int) -> bool:
    """Would people + newcomer keep the slot, apart and no_lone rules?"""
    common = np.bitwise_and.reduce(enc.slot_masks[people], axis=0)
    if not (common & enc.slot_masks[newcomer]).any():
        return False
    if np.isin(enc.partners[newcomer], people).any():
        return False
    counts = enc.lone_holders[people].sum(axis=0) + enc.lone_holders[newcomer]
    return not (counts == 1).any()


def _can_join(enc: Encoded, person: int, people: np.ndarray) -> bool:
    common = np.bitwise_and.reduce(enc.slot_masks[people], axis=0)
    if not (common & enc.slot_masks[person]).any():
        return False
    if np.isin(enc.partners[person], people).any():
        return False
    counts = enc.lone_holders[people].sum(axis=0)
    return not (enc.lone_holders[person] & (counts == 0)).any()


def _new_groups_from_unplaced(enc, policy, layout, reasons) -> int:
    """Greedily gather unplaced people who share a slot into new groups."""
    waiting = [p for p in reasons if layout.group_of[p] < 0]
    if len(waiting) < policy.min_size:
        return 0
    formed = 0
    for slot in range(enc.slot_masks.shape[1] * 64):
        word, bit = divmod(slot, 64)
        free = [
            p
            for p in waiting
            if layout.group_of[p] < 0 and (int(enc.slot_masks[p, word]) >> bit) & 1
        ]
        group = _compatible_subset(enc, free, policy.max_size)
        if len(group) >= policy.min_size:
            layout.add_groups([""])
            for person in group:
                layout.place(person, len(layout.names) - 1)
            formed += len(group)
    return formed


def _compatible_subset(enc, candidates: list[int], limit: int) -> list[int]:
    chosen: list[int] = []
    for person in candidates:
        if len(chosen) < limit and not np.isin(enc.partners[person], chosen).any():
            chosen.append(person)
    counts = enc.lone_holders[chosen].sum(axis=0) if chosen else np.zeros(0)
    lone_rules = np.flatnonzero(counts == 1)
    return [p for p in chosen if not enc.lone_holders[p, lone_rules].any()]
