"""Matching policies in the engine's own shape (see peerhaven.matching.policy), with the
presets a coordinator starts from. The columns are the ones ``people.py`` builds from
profiles: career_stage, department, specialty, institution, region, rank_year, slots and
the consented ``urm``; supervisors and "keep apart" names become conflict pairs."""

from __future__ import annotations

import copy

CRITERIA_COLUMNS = {
    "department": "Department",
    "career_stage": "Career stage",
    "specialty": "Specialty",
    "institution": "Institution",
    "region": "Region",
}
DEFAULT_PAIR_WINDOW_YEARS = 3


def _criteria(**weights: tuple[str, float]) -> list[dict]:
    return [
        {"column": column, "goal": goal, "weight": weight}
        for column, (goal, weight) in weights.items()
    ]


PRESETS: dict[str, dict] = {
    "eot_circles": {
        "label": "EOT circles: diverse, sharing a meeting slot",
        "criteria": _criteria(
            department=("diverse", 2.0), career_stage=("diverse", 1.0), specialty=("diverse", 1.0)
        ),
        "rules": {"shared_slot": True, "supervisors_apart": True, "no_lone_urm": True},
        "pairs": {"window_years": None},
    },
    "new_faculty_pairs": {
        "label": "New-faculty peer pairs: within a few years of rank",
        "criteria": _criteria(department=("diverse", 1.0)),
        "rules": {"shared_slot": True, "supervisors_apart": True, "no_lone_urm": False},
        "pairs": {"window_years": DEFAULT_PAIR_WINDOW_YEARS},
    },
    "regional_groups": {
        "label": "Regional facilitated groups: same region, diverse institutions",
        "criteria": _criteria(region=("similar", 3.0), institution=("diverse", 1.0)),
        "rules": {"shared_slot": False, "supervisors_apart": True, "no_lone_urm": True},
        "pairs": {"window_years": None},
    },
    "grant_cohort": {
        "label": "Cross-disciplinary grant cohort: diverse discipline, similar stage",
        "criteria": _criteria(
            specialty=("diverse", 2.0), institution=("diverse", 1.0), career_stage=("similar", 1.0)
        ),
        "rules": {"shared_slot": True, "supervisors_apart": True, "no_lone_urm": True},
        "pairs": {"window_years": None},
    },
}
DEFAULT_PRESET = "eot_circles"


def preset(name: str) -> dict:
    settings = copy.deepcopy(PRESETS[name])
    settings["preset"] = name
    return settings


def engine_policy(settings: dict, *, min_size: int, max_size: int) -> dict:
    """The policy dict the engine parses, from the coordinator's settings."""
    rules = settings.get("rules", {})
    policy = {
        "groups": {"min_size": min_size, "max_size": max_size},
        "criteria": [c for c in settings.get("criteria", []) if c.get("weight", 0) > 0],
        "rules": {"apart": [], "no_lone": []},
    }
    if rules.get("shared_slot"):
        policy["rules"]["shared_slot"] = "slots"
    if rules.get("no_lone_urm"):
        policy["rules"]["no_lone"].append({"column": "urm", "value": "yes"})
    window = settings.get("pairs", {}).get("window_years")
    if window is not None:
        policy["pairs"] = {"window": {"column": "rank_year", "max_difference": float(window)}}
    return policy


def describe(settings: dict) -> list[str]:
    """Plain sentences for the program page: what this policy asks of the engine."""
    lines = []
    for criterion in settings.get("criteria", []):
        if criterion.get("weight", 0) > 0:
            label = CRITERIA_COLUMNS.get(criterion["column"], criterion["column"])
            lines.append(f"{label}: {criterion['goal']} (weight {criterion['weight']:g})")
    rules = settings.get("rules", {})
    if rules.get("shared_slot"):
        lines.append("Every group shares a weekly meeting slot.")
    if rules.get("supervisors_apart"):
        lines.append("Supervisors and their direct reports are never in the same group.")
    if rules.get("no_lone_urm"):
        lines.append(
            "Nobody is the only member of an under-represented group in their group "
            "(for members who allowed matching to use this)."
        )
    window = settings.get("pairs", {}).get("window_years")
    if window is not None:
        lines.append(f"Pairs are within {window:g} years of each other's rank.")
    return lines
