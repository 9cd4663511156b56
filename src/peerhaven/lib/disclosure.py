"""Statistical disclosure control for published figures: nothing about fewer than five
people is shown, not even by subtracting one shown figure from another.

A report is a set of cells and the linear relations between them (a total is the sum of
its parts; the same total may appear in several tables). Three kinds of cell:

- ``count``: a number of people. Shown if it is 0 or at least five (zero is shown: it says
  nobody is in a category, which is about no one in particular, and hiding zeros costs
  more clarity than it protects). Counts of 1–4 are *primary* suppressed.
- ``statistic``: a mean, rate or interval computed over ``people`` people: suppressed if
  that is fewer than five. Statistics take no part in relations.
- ``figure``: a number about things, not people (circles formed, meetings held): shown.

A count may also be *implicit*: never displayed, but derivable (the members not invited
to a wave are the members less those invited). Implicit counts of 1–4 are protected like
primary suppressed ones.

Then *complementary* suppression: the attacker is assumed to know every relation, that a
hidden displayed count is at least 1 (zeros are always shown) and an implicit one at least
0, and to solve for each hidden cell's smallest and largest possible integer value. While
some hidden count of 1–4 is pinned to one value, another shown count in a relation with it
(the smallest) is hidden too. Last, a hidden count that is pinned anyway and is not itself
small is shown again: hiding it protects nothing.

No Django here: the program report and the sponsorship equity view both use it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

SMALLEST_SHOWN = 5
# A bound the attacker's solver needs in place of infinity; no count comes near it.
_NO_UPPER_BOUND = 10**7

COUNT, STATISTIC, FIGURE = "count", "statistic", "figure"


@dataclass(frozen=True)
class Cell:
    id: str
    value: float | int | None
    kind: str = COUNT
    # The number of people a statistic is computed over; a count is about ``value`` people.
    people: int | None = None
    displayed: bool = True

    @property
    def about(self) -> int | None:
        """How many people the cell is about (None: not about people)."""
        if self.kind == COUNT:
            return int(self.value or 0)
        return self.people if self.kind == STATISTIC else None


def count(id: str, value: int, *, displayed: bool = True) -> Cell:
    return Cell(id, int(value), COUNT, displayed=displayed)


def statistic(id: str, value: float | None, people: int) -> Cell:
    return Cell(id, value, STATISTIC, people=people)


def figure(id: str, value: float | int) -> Cell:
    return Cell(id, value, FIGURE)


@dataclass(frozen=True)
class Relation:
    """``total`` = sum of ``parts`` (all counts)."""

    total: str
    parts: tuple[str, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.total, *self.parts)


@dataclass
class Disclosure:
    cells: dict[str, Cell]
    relations: list[Relation]
    primary: frozenset[str]
    hidden: frozenset[str]  # displayed cells not shown: primary and complementary
    threshold: int = SMALLEST_SHOWN
    _empty: frozenset[str] = field(default=frozenset())

    def shown(self, cell_id: str) -> bool:
        return cell_id in self.cells and cell_id not in self.hidden

    def value(self, cell_id: str):
        """The cell's value, or None when it is suppressed (or is not displayed)."""
        cell = self.cells[cell_id]
        if not cell.displayed or cell_id in self.hidden:
            return None
        return cell.value

    def published(self) -> dict[str, object]:
        """Every displayed cell: its value, or None when suppressed."""
        return {cid: self.value(cid) for cid, cell in self.cells.items() if cell.displayed}

    @property
    def complementary(self) -> frozenset[str]:
        return self.hidden - self.primary


@dataclass(frozen=True)
class Shown:
    """One figure as a page shows it: its value, or "suppressed" (every hidden figure reads
    the same, so no label tells which figures are small)."""

    id: str
    value: object  # None when suppressed or empty
    suppressed: bool
    kind: str  # count | statistic | figure
    percent: bool = False  # a statistic that is a share, read as a percentage

    @property
    def text(self) -> str:
        if self.suppressed:
            return "suppressed"
        if self.value is None:
            return "–"
        if self.percent:
            return f"{self.value:.0%}"
        if isinstance(self.value, float):
            return f"{self.value:.2f}"
        return str(self.value)


def protect(
    cells: Iterable[Cell], relations: Iterable[Relation], *, threshold: int = SMALLEST_SHOWN
) -> Disclosure:
    cells = _index(cells)
    relations = list(relations)
    _check_relations(cells, relations)
    primary = frozenset(cid for cid, cell in cells.items() if _is_primary(cell, threshold))
    hidden = set(primary)
    linked = {cid for relation in relations for cid in relation.ids}
    for _ in range(len(cells) + 1):
        pinned = _pinned_small_counts(cells, relations, hidden, linked, threshold)
        if not pinned:
            break
        added = {_complement_for(cid, cells, relations, hidden) for cid in sorted(pinned)}
        added.discard(None)
        if not added:
            break  # nothing left to hide near these cells; the tests would show it
        hidden |= added
    hidden -= _pinned_anyway(cells, relations, hidden, hidden - primary, linked)
    return Disclosure(cells, relations, primary, frozenset(hidden), threshold)


def _index(cells: Iterable[Cell]) -> dict[str, Cell]:
    indexed: dict[str, Cell] = {}
    for cell in cells:
        if cell.id in indexed:
            raise ValueError(f"two cells are called {cell.id}")
        indexed[cell.id] = cell
    return indexed


def _check_relations(cells: dict[str, Cell], relations: list[Relation]) -> None:
    for relation in relations:
        for cid in relation.ids:
            if cid not in cells or cells[cid].kind != COUNT:
                raise ValueError(f"relation {relation.total}: {cid} is not a count cell")
        if cells[relation.total].value != sum(cells[p].value for p in relation.parts):
            raise ValueError(f"relation {relation.total} does not add up")


def _is_primary(cell: Cell, threshold: int) -> bool:
    if not cell.displayed:
        return False
    if cell.kind == COUNT:
        return 0 < cell.value < threshold
    if cell.kind == STATISTIC:
        return cell.value is not None and (cell.people or 0) < threshold
    return False


def _is_small(cell: Cell, threshold: int) -> bool:
    return cell.kind == COUNT and 0 < cell.value < threshold


def _unknowns(cells, hidden) -> set[str]:
    return {
        cid
        for cid, cell in cells.items()
        if cell.kind == COUNT and (cid in hidden or not cell.displayed)
    }


def _pinned_small_counts(cells, relations, hidden, linked, threshold) -> set[str]:
    unknown = _unknowns(cells, hidden) & linked
    targets = {cid for cid in unknown if _is_small(cells[cid], threshold)}
    return {
        cid
        for cid, (low, high) in feasible_ranges(cells, relations, unknown, targets).items()
        if low == high
    }


def _pinned_anyway(cells, relations, hidden, complementary, linked) -> set[str]:
    unknown = _unknowns(cells, hidden) & linked
    ranges = feasible_ranges(cells, relations, unknown, complementary & linked)
    return {cid for cid, (low, high) in ranges.items() if low == high}


def _complement_for(cid, cells, relations, hidden) -> str | None:
    """The shown count to hide next to protect ``cid``: the smallest non-zero displayed
    count in a relation with it, or failing that, anywhere connected to it."""
    near = _candidates([r for r in relations if cid in r.ids], cells, hidden)
    if near:
        return near[0]
    reached, frontier = {cid}, [cid]
    while frontier:
        current = frontier.pop()
        for relation in relations:
            if current in relation.ids:
                for other in relation.ids:
                    if other not in reached:
                        reached.add(other)
                        if other in hidden or not cells[other].displayed:
                            frontier.append(other)
    far = _candidates([r for r in relations if set(r.ids) & reached], cells, hidden)
    return far[0] if far else None


def _candidates(relations, cells, hidden) -> list[str]:
    ids = {cid for relation in relations for cid in relation.ids}
    usable = [
        cid for cid in ids if cid not in hidden and cells[cid].displayed and cells[cid].value > 0
    ]
    return sorted(usable, key=lambda cid: (cells[cid].value, cid))


def feasible_ranges(
    cells: dict[str, Cell], relations: list[Relation], unknown: set[str], targets: set[str]
) -> dict[str, tuple[int, int]]:
    """Each target's smallest and largest integer value consistent with the relations, the
    shown values, and the attacker's bounds (hidden displayed counts >= 1, implicit >= 0)."""
    if not targets:
        return {}
    from scipy.optimize import Bounds, LinearConstraint, milp

    order = sorted(unknown)
    position = {cid: i for i, cid in enumerate(order)}
    rows, rhs = [], []
    for relation in relations:
        if not set(relation.ids) & unknown:
            continue
        row = np.zeros(len(order))
        known = 0.0
        for cid, sign in [(relation.total, 1.0)] + [(p, -1.0) for p in relation.parts]:
            if cid in position:
                row[position[cid]] += sign
            else:
                known += sign * cells[cid].value
        rows.append(row)
        rhs.append(-known)
    lower = np.array([1.0 if cells[cid].displayed else 0.0 for cid in order])
    bounds = Bounds(lower, np.full(len(order), float(_NO_UPPER_BOUND)))
    constraints = [LinearConstraint(np.array(rows), rhs, rhs)] if rows else []
    integrality = np.ones(len(order))
    ranges = {}
    for cid in targets:
        ends = []
        for sign in (1.0, -1.0):
            objective = np.zeros(len(order))
            objective[position[cid]] = sign
            result = milp(
                objective, constraints=constraints, bounds=bounds, integrality=integrality
            )
            if result.status != 0:
                raise ValueError(f"the published cells contradict the relations ({result.message})")
            ends.append(round(result.x[position[cid]]))
        ranges[cid] = (ends[0], ends[1])
    return ranges
