"""REPORT.json contents for groups and pairs (plain dicts, JSON-ready)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .groups import GroupResult
    from .pairs import PairResult


def group_report(result: GroupResult) -> dict:
    groups = [
        {
            "group": name,
            "slot": result.slots[g],
            "members": members,
            "explanation": result.explanations[g],
        }
        for g, (name, members) in enumerate(zip(result.names, result.members(), strict=True))
    ]
    return {
        "kind": "groups",
        "objective": round(result.objective, 6),
        "criteria": {column: round(value, 6) for column, value in result.contributions.items()},
        "hard_rules": {"violations": result.check.counts, "details": result.check.details},
        "unplaced": [{"id": person, "reason": why} for person, why in result.unplaced.items()],
        "groups": groups,
        "moved": result.moved,
        "runtime_seconds": round(result.seconds, 3),
        "peak_memory_mb": round(result.peak_memory_mb, 1),
    }


def pair_report(result: PairResult) -> dict:
    return {
        "kind": "pairs",
        "objective": round(result.score, 6),
        "upper_bound": round(result.bound, 6),
        "blocks": result.blocks,
        "hard_rules": {"violations": {"pair_rules": result.violations}},
        "pairs": [
            {"ids": [a, b], "score": round(s, 6), "explanation": why}
            for (a, b), s, why in zip(result.pairs, result.scores, result.explanations, strict=True)
        ],
        "unplaced": [{"id": person, "reason": why} for person, why in result.unpaired.items()],
        "runtime_seconds": round(result.seconds, 3),
        "peak_memory_mb": round(result.peak_memory_mb, 1),
    }
