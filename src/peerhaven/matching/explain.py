"""Plain-language reasons why each group or pair is a good one."""

from __future__ import annotations

import numpy as np

from .encode import Encoded, Feature
from .layout import Layout


def explain_groups(enc: Encoded, layout: Layout, slots: list[str]) -> list[str]:
    """E.g. '8 people: 7 different department, 3 different career_stage; all share Thu-12:00'."""
    members = layout.members
    present = members >= 0
    sizes = present.sum(axis=1)
    columns = [_describe_all(f, members, present) for f in _by_weight(enc)]
    texts = []
    for g, size in enumerate(sizes):
        parts = ", ".join(part for column in columns if (part := column[g]))
        text = f"{size} people: {parts}" if parts else f"{size} people"
        texts.append(f"{text}; all share {slots[g]}" if slots[g] else text)
    return texts


def explain_people(enc: Encoded, people: np.ndarray, slot: str) -> str:
    members = people[None, :]
    layout = Layout(members, np.zeros(0, int), np.zeros(0, int), [""])
    return explain_groups(enc, layout, [slot])[0]


def _by_weight(enc: Encoded) -> list[Feature]:
    return sorted(enc.features, key=lambda f: -abs(f.criterion.signed_weight))


def _describe_all(feature: Feature, members: np.ndarray, present: np.ndarray) -> list[str]:
    column = feature.criterion.column
    values = feature.values[np.maximum(members, 0)]
    if feature.criterion.kind == "category":
        distinct = _distinct_counts(np.where(present, values, -1))
        if feature.criterion.goal == "similar":
            return [f"same {column}" if d == 1 else f"{d} values of {column}" for d in distinct]
        return [f"same {column}" if d == 1 else f"{d} different {column}" for d in distinct]
    if feature.criterion.kind == "number":
        known = present & ~np.isnan(values)
        high = np.where(known, values, -np.inf).max(axis=1)
        low = np.where(known, values, np.inf).min(axis=1)
        spread = np.where(known.any(axis=1), high - low, np.nan)
        return ["" if np.isnan(s) else f"{column} spread {s:.0%} of its range" for s in spread]
    if feature.criterion.goal != "similar":
        return [""] * len(members)
    full = np.uint64(~np.uint64(0))
    shared = np.bitwise_and.reduce(np.where(present[..., None], values, full), axis=1)
    counts = np.bitwise_count(shared).sum(axis=1)
    return [f"{c} {column} in common" for c in counts]


def _distinct_counts(codes: np.ndarray) -> np.ndarray:
    """Distinct non-negative values per row."""
    ordered = np.sort(codes, axis=1)
    starts = np.concatenate([ordered[:, :1] >= 0, ordered[:, 1:] != ordered[:, :-1]], axis=1)
    return (starts & (ordered >= 0)).sum(axis=1)
