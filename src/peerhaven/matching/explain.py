"""Plain-language reasons why each group or pair is a good one."""

from __future__ import annotations

import numpy as np

from .encode import Encoded, Feature
from .layout import Layout


def explain_groups(enc: Encoded, layout: Layout, slots: list[str]) -> list[str]:
    return [explain_people(enc, layout.group(g), slots[g]) for g in range(len(layout.names))]


def explain_people(enc: Encoded, people: np.ndarray, slot: str) -> str:
    """E.g. '8 people: 7 departments, 3 career stages; all share Thu-12:00'."""
    parts = [_describe(feature, people) for feature in _by_weight(enc)]
    text = f"{people.size} people: " + ", ".join(part for part in parts if part)
    return f"{text}; all share {slot}" if slot else text


def _by_weight(enc: Encoded) -> list[Feature]:
    return sorted(enc.features, key=lambda f: -abs(f.criterion.signed_weight))


def _describe(feature: Feature, people: np.ndarray) -> str:
    column = feature.criterion.column
    values = feature.values[people]
    if feature.criterion.kind == "category":
        known = values[values >= 0]
        distinct = len(np.unique(known))
        if feature.criterion.goal == "similar":
            return f"same {column}" if distinct == 1 else f"{distinct} values of {column}"
        return f"{distinct} different {column}"
    if feature.criterion.kind == "number":
        known = values[~np.isnan(values)]
        if not known.size:
            return ""
        spread = float(known.max() - known.min())
        return f"{column} spread {spread:.0%} of its range"
    shared = np.bitwise_and.reduce(values, axis=0)
    count = int(np.bitwise_count(shared).sum())
    return f"{count} {column} in common" if feature.criterion.goal == "similar" else ""
