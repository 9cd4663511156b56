"""Who sits in which group: the mutable state the group solvers share."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Layout:
    """Groups as rows of seats; -1 marks an empty seat or an unplaced person.

    `members[g]` holds group g's people in arbitrary seat order; `group_of` and
    `seat_of` are its inverse, kept in step by `place` and `remove`.
    """

    members: np.ndarray  # (groups, seats) int32
    group_of: np.ndarray  # (n,) int32
    seat_of: np.ndarray  # (n,) int32
    names: list[str]

    @classmethod
    def empty(cls, n: int, seats: int) -> Layout:
        return cls(
            members=np.full((0, seats), -1, dtype=np.int32),
            group_of=np.full(n, -1, dtype=np.int32),
            seat_of=np.full(n, -1, dtype=np.int32),
            names=[],
        )

    @classmethod
    def from_assignment(cls, group_of: np.ndarray, seats: int, names: list[str]) -> Layout:
        layout = cls.empty(len(group_of), seats)
        layout.add_groups(names)
        for person in np.flatnonzero(group_of >= 0):
            layout.place(int(person), int(group_of[person]))
        return layout

    @property
    def sizes(self) -> np.ndarray:
        return (self.members >= 0).sum(axis=1)

    def add_groups(self, names: list[str]) -> None:
        extra = np.full((len(names), self.members.shape[1]), -1, dtype=np.int32)
        self.members = np.concatenate([self.members, extra])
        self.names.extend(names)

    def group(self, g: int) -> np.ndarray:
        row = self.members[g]
        return row[row >= 0]

    def place(self, person: int, g: int) -> None:
        free = np.flatnonzero(self.members[g] < 0)
        if free.size == 0:
            self._widen()
            free = np.flatnonzero(self.members[g] < 0)
        seat = int(free[0])
        self.members[g, seat] = person
        self.group_of[person] = g
        self.seat_of[person] = seat

    def place_many(self, people: np.ndarray, groups: np.ndarray) -> None:
        """Seat people[k] in groups[k], filling each group's free seats in order."""
        for g in np.unique(groups):
            joining = people[groups == g]
            free = np.flatnonzero(self.members[g] < 0)
            while free.size < joining.size:
                self._widen()
                free = np.flatnonzero(self.members[g] < 0)
            seats = free[: joining.size]
            self.members[g, seats] = joining
            self.group_of[joining] = g
            self.seat_of[joining] = seats

    def remove(self, person: int) -> None:
        g = self.group_of[person]
        if g >= 0:
            self.members[g, self.seat_of[person]] = -1
        self.group_of[person] = -1
        self.seat_of[person] = -1

    def drop_empty_groups(self) -> None:
        keep = np.flatnonzero(self.sizes > 0)
        renumber = np.full(len(self.names), -1, dtype=np.int32)
        renumber[keep] = np.arange(len(keep), dtype=np.int32)
        self.members = self.members[keep]
        self.names = [self.names[g] for g in keep]
        placed = self.group_of >= 0
        self.group_of[placed] = renumber[self.group_of[placed]]

    def _widen(self) -> None:
        # Fixed groups may already exceed max_size; they keep their people.
        extra = np.full((self.members.shape[0], 1), -1, dtype=np.int32)
        self.members = np.concatenate([self.members, extra], axis=1)
