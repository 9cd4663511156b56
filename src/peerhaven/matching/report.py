"""REPORT.json contents for groups and pairs (plain dicts, JSON-ready)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .groups import GroupResult
    from .pairs import PairResult


def group_report(result: GroupResult) -> dict:
    problems = [detail for details in result.check.details.values() for detail in details]
    groups = [
        {
            "group": name,
            "slot": result.slots[g],
            "members": members,
            "explanation": result.explanations[g],
            "rules": _group_problems(name, members, problems) or "all hard rules hold",
        }
        for g, (name, members) in enumerate(zip(result.names, result.members(), strict=True))
    ]
    return {
        "kind": "groups",
        "objective": round(result.objective, 6),
        "criteria": {column: round(value, 6) for column, value in result.contributions.items()},
        "hard_rules": {"violations": result.check.counts, "details": result.check.details},
        "unplaced": [{"id": person, "reason": why} for person, why in result.unplaced.items()],
        "infeasible": _by_reason(result.unplaced),
        "groups": groups,
        "moved": result.moved,
        "runtime_seconds": round(result.seconds, 3),
        "peak_memory_mb": round(result.peak_memory_mb, 1),
    }


def _group_problems(name: str, members: list[str], problems: list[str]) -> list[str]:
    named = {f"group {name} ", *(f"{person} " for person in members)}
    return [p for p in problems if any(p.startswith(n) or f" {n}" in p for n in named)]


def _by_reason(unplaced: dict[str, str]) -> list[dict]:
    """Unplaced people grouped by reason, largest first: what a coordinator reads first."""
    grouped: dict[str, list[str]] = {}
    for person, why in unplaced.items():
        grouped.setdefault(why, []).append(person)
    return [
        {"reason": why, "count": len(people), "ids": people}
        for why, people in sorted(grouped.items(), key=lambda item: -len(item[1]))
    ]


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
