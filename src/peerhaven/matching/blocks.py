"""Fast d(i, j) blocks for the search: the same numbers as encode.block_distances.

The search evaluates millions of pairs per second, so the criteria are packed
by kind into float32/int32 matrices and each kind is handled in a few numpy
passes. Columns with missing values keep the slower known-value checks; the
referee (`check.objective`) always recomputes in float64 with the plain code.
"""

from __future__ import annotations

import numpy as np

from .encode import Encoded, Feature, delta


class BlockDistances:
    def __init__(self, enc: Encoded) -> None:
        active = [f for f in enc.features if f.criterion.signed_weight]
        complete_categories = [
            f for f in active if f.criterion.kind == "category" and (f.values >= 0).all()
        ]
        complete_numbers = [
            f for f in active if f.criterion.kind == "number" and not np.isnan(f.values).any()
        ]
        fast = {id(f) for f in complete_categories + complete_numbers}
        self.codes, self.code_weights = _pack(complete_categories, np.int32)
        self.numbers, self.number_weights = _pack(complete_numbers, np.float32)
        self.others: list[Feature] = [f for f in active if id(f) not in fast]

    def __call__(self, members: np.ndarray) -> np.ndarray:
        """(P, m, m) float32 d within each row of members (-1 padded), zero on padding."""
        present = members >= 0
        safe = np.where(present, members, 0)
        total = np.zeros(members.shape + members.shape[-1:], dtype=np.float32)
        for column, weight in enumerate(self.code_weights):
            values = self.codes[safe, column]
            total += (values[:, :, None] != values[:, None, :]) * weight
        for column, weight in enumerate(self.number_weights):
            values = self.numbers[safe, column]
            total += np.abs(values[:, :, None] - values[:, None, :]) * weight
        for feature in self.others:
            gathered = feature.values[safe]
            if gathered.ndim == 2:
                pair = delta(feature, gathered[:, :, None], gathered[:, None, :])
            else:
                pair = delta(feature, gathered[:, :, None, :], gathered[:, None, :, :])
            total += (feature.criterion.signed_weight * pair).astype(np.float32)
        total *= present[:, :, None] & present[:, None, :]
        return total


def _pack(features: list[Feature], dtype) -> tuple[np.ndarray, np.ndarray]:
    if not features:
        return np.zeros((1, 0), dtype=dtype), np.zeros(0, dtype=np.float32)
    values = np.stack([f.values for f in features], axis=1).astype(dtype)
    weights = np.array([f.criterion.signed_weight for f in features], dtype=np.float32)
    return np.ascontiguousarray(values), weights
