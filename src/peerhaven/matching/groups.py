"""Form groups: the engine's main entry point for group formation."""

from __future__ import annotations

import dataclasses
import resource
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from .check import RuleCheck, check_rules, contributions, objective
from .construct import build_start
from .encode import Encoded, encode
from .explain import explain_groups
from .layout import Layout
from .people import People
from .policy import Policy
from .repair import enforce_rules
from .search import Budget, GroupSearch, Limits

DEFAULT_TIME_LIMIT = 60.0
SMALL = 300  # people; below this, extra effort is cheap
START_TRIES = 6
# Kick-and-descend rounds by instance size (people, at most): a count, not a
# duration, so that a seed gives the same groups on any machine.
POLISH_KICKS = {16: 30, 40: 60, 100: 60, 300: 30}


@dataclass
class GroupResult:
    """A grouping with everything a coordinator needs to review it."""

    ids: list[str]
    names: list[str]  # group labels; fixed groups keep theirs
    group_of: np.ndarray  # (n,) index into names, -1 unplaced
    slots: list[str]  # the slot each group shares ("" without a slot rule)
    objective: float
    contributions: dict[str, float]
    check: RuleCheck
    unplaced: dict[str, str]  # id -> reason
    explanations: list[str]
    seconds: float
    peak_memory_mb: float
    moved: int = 0  # existing members placed outside their earlier group

    def group_label(self, person: int) -> str:
        g = self.group_of[person]
        return self.names[g] if g >= 0 else ""

    def members(self) -> list[list[str]]:
        return [
            [self.ids[p] for p in np.flatnonzero(self.group_of == g)]
            for g in range(len(self.names))
        ]


def form_groups(
    people: People,
    policy: Policy,
    *,
    seed: int = 0,
    time_limit: float | None = None,
    progress: Callable[[float, str], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    existing: Mapping[str, str] | None = None,
    move_cost: float | None = None,
) -> GroupResult:
    """Partition people into groups that keep every hard rule and are as diverse as possible.

    Incremental mode: `existing` maps ids to their current group labels. By
    default those people stay where they are and only newcomers and open seats
    are optimised; an existing member moves only when a hard rule cannot be met
    otherwise (say, the other under-represented member of their group left).
    With `move_cost`, existing members also move when that gains more than
    `move_cost` objective units per person moved.

    Deterministic for a given seed as long as the time limit is not what ends
    the search. Raises InputError for bad input (see docs/matching.md).
    """
    started = time.monotonic()
    budget = Budget(started + (time_limit or DEFAULT_TIME_LIMIT), cancel, progress)
    enc = encode(people, policy)
    seated = _with_existing(enc, people, existing) if existing else enc
    _check_sizes_can_partition(seated, policy)
    rng = np.random.default_rng(seed)
    _report(budget, 0.05, "starting grouping")
    start = _best_start(seated, policy, people.ids, rng)
    search = GroupSearch(enc, start.layout, Limits(policy.min_size, policy.max_size), start.pinned)
    if existing:
        repair_only = search.penalty / 4  # above any objective gain, below a rule's penalty
        _soften_existing(search, enc, seated, repair_only if move_cost is None else move_cost)
    _report(budget, 0.15, "improving groups")
    search.optimise(rng, budget)
    _polish_small(search, rng, budget, enc.n)
    _report(budget, 0.9, "checking rules")
    settled = search.home >= 0 if search.home is not None else None
    unplaced = enforce_rules(
        enc, policy, start.layout, search.pinned, start.unplaced, people.ids, settled
    )
    result = _result(enc, policy, people, start.layout, unplaced, started)
    result.moved = _moved(result, existing) if existing else 0
    return result


def _best_start(enc: Encoded, policy: Policy, ids: list[str], rng):
    """The construction that places the most people, of a few tries on small instances.

    Which slot each person meets in is chosen by a randomised repair; on small
    instances a different draw can place a whole extra group.
    """
    tries = START_TRIES if enc.n <= SMALL else 1
    starts = [build_start(enc, policy, ids, rng) for _ in range(tries)]
    return min(starts, key=lambda start: len(start.unplaced))


def _with_existing(enc: Encoded, people: People, existing: Mapping[str, str]) -> Encoded:
    """A copy of enc where existing members are fixed in their current groups."""
    labels = list(enc.fixed_labels)
    index = {label: k for k, label in enumerate(labels)}
    fixed = enc.fixed_group.copy()
    for person, label in existing.items():
        row = people.index_of.get(person)
        if row is not None and label and fixed[row] < 0:
            fixed[row] = index.setdefault(label, len(labels))
            if fixed[row] == len(labels):
                labels.append(label)
    return dataclasses.replace(enc, fixed_group=fixed, fixed_labels=labels)


def _soften_existing(search: GroupSearch, enc: Encoded, seated: Encoded, move_cost: float) -> None:
    """Existing members (not policy-fixed) may move, at move_cost each."""
    soft = (seated.fixed_group >= 0) & (enc.fixed_group < 0)
    for pair in enc.together:  # people who must be together move only as a unit: not at all
        soft[list(pair)] = False
    search.pinned = search.pinned & ~soft
    search.home = np.where(soft, seated.fixed_group, -1)
    search.move_cost = move_cost


def _moved(result: GroupResult, existing: Mapping[str, str]) -> int:
    index = {person: k for k, person in enumerate(result.ids)}
    return sum(
        1
        for person, label in existing.items()
        if person in index and label and result.group_label(index[person]) != label
    )


def _check_sizes_can_partition(enc: Encoded, policy: Policy) -> None:
    if enc.n == 0 or (enc.fixed_group >= 0).any():
        return
    groups = -(-enc.n // policy.max_size)
    if groups * policy.min_size > enc.n:
        raise policy.error(
            f"{enc.n} people cannot be split into groups of {policy.min_size} to {policy.max_size}",
            near="min_size",
        )


def _polish_small(search: GroupSearch, rng, budget: Budget, people: int) -> None:
    """On small instances, spend a moment escaping local optima (kicks + descent).

    Every kick moves a random few people without breaking rules; the search
    then descends again and the best layout seen is kept. Large instances
    have too many groups for kicks to pay; their search already stalled.
    """
    layout = search.layout
    kicks = next((count for size, count in POLISH_KICKS.items() if people <= size), 0)
    if len(layout.names) < 2 or not kicks:
        return
    best = _score(search), _snapshot(layout)
    for _ in range(kicks):
        if budget.expired():
            break
        first, second = search.pairing(rng, 0)
        kicked = 1 + len(first) // 2
        search.shake_pairs(first[:kicked], second[:kicked], rng)
        search.optimise(rng, budget, patience=3)
        score = _score(search)
        if score > best[0] + 1e-9:
            best = score, _snapshot(layout)
        elif rng.random() < 0.7:
            _restore(layout, best[1])
    _restore(layout, best[1])


def _score(search: GroupSearch) -> float:
    layout = search.layout
    value = objective(search.enc, layout.group_of, len(layout.names))
    away = 0
    if search.home is not None:
        homed = search.home >= 0
        away = int((layout.group_of[homed] != search.home[homed]).sum())
    return value - search.penalty * _violations(search) - search.move_cost * away


def _violations(search: GroupSearch) -> int:
    enc, layout = search.enc, search.layout
    count = 0
    for g in range(len(layout.names)):
        people = layout.group(g)
        count += int((enc.lone_holders[people].sum(axis=0) == 1).sum())
        partners = enc.partners[people]
        count += int(np.isin(partners, people).sum()) // 2
    return count


def _snapshot(layout: Layout) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return layout.members.copy(), layout.group_of.copy(), layout.seat_of.copy()


def _restore(layout: Layout, saved) -> None:
    layout.members, layout.group_of, layout.seat_of = (array.copy() for array in saved)


def _result(enc, policy, people, layout: Layout, unplaced: dict[int, str], started) -> GroupResult:
    layout.drop_empty_groups()
    _name_new_groups(layout)
    groups = len(layout.names)
    slots = [shared_slot(enc, layout.group(g)) for g in range(groups)]
    return GroupResult(
        ids=people.ids,
        names=layout.names,
        group_of=layout.group_of.copy(),
        slots=slots,
        objective=objective(enc, layout.group_of, groups),
        contributions=contributions(enc, layout.group_of, groups),
        check=check_rules(enc, policy, layout.group_of, layout.names, people.ids),
        unplaced={people.ids[p]: reason for p, reason in sorted(unplaced.items())},
        explanations=explain_groups(enc, layout, slots),
        seconds=time.monotonic() - started,
        peak_memory_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def _name_new_groups(layout: Layout) -> None:
    taken = set(layout.names)
    counter = 0
    for g, name in enumerate(layout.names):
        if name:
            continue
        counter += 1
        while f"G{counter}" in taken:
            counter += 1
        layout.names[g] = f"G{counter}"


def shared_slot(enc: Encoded, people: np.ndarray) -> str:
    if not enc.has_slots or not people.size:
        return ""
    common = np.bitwise_and.reduce(enc.slot_masks[people], axis=0)
    bits = np.flatnonzero(np.unpackbits(common.view(np.uint8), bitorder="little"))
    return enc.slot_labels[int(bits[0])] if bits.size else ""


def _report(budget: Budget, fraction: float, message: str) -> None:
    if budget.progress:
        budget.progress(fraction, message)
