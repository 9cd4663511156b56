"""The matching policy: group sizes, weighted criteria, hard rules, pair rules.

Read from POLICY.toml (see docs/matching.md) or built in code. Validation errors
point at the line and column of the offending text in the TOML file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .people import People

KINDS = ("category", "number", "multi")
GOALS = ("diverse", "similar")


@dataclass(frozen=True)
class Criterion:
    """One column's part in the pair distance d(i, j) = sum of w_c * delta_c(i, j)."""

    column: str
    kind: str = "category"
    goal: str = "diverse"
    weight: float = 1.0

    @property
    def signed_weight(self) -> float:
        """The weight as it enters d: similar criteria pull people together."""
        return self.weight if self.goal == "diverse" else -self.weight


@dataclass(frozen=True)
class LoneRule:
    """No group may hold exactly one person whose `column` equals `value`."""

    column: str
    value: str


@dataclass(frozen=True)
class Rules:
    shared_slot: str | None = None
    apart: tuple[str, ...] = ()
    conflicts: tuple[tuple[str, str], ...] = ()
    together: tuple[str, ...] = ()
    together_pairs: tuple[tuple[str, str], ...] = ()
    no_lone: tuple[LoneRule, ...] = ()
    fixed: str | None = None


@dataclass(frozen=True)
class PairWindow:
    """Partners' values in `column` differ by at most `max_difference`."""

    column: str
    max_difference: float


@dataclass(frozen=True)
class MentorRoles:
    """Bipartite pairing: each mentee gets one mentor, read from `column`."""

    column: str
    mentor: str = "mentor"
    mentee: str = "mentee"
    capacity: int = 1


@dataclass(frozen=True)
class PairRules:
    window: PairWindow | None = None
    mentor: MentorRoles | None = None


@dataclass(frozen=True)
class Policy:
    min_size: int = 6
    max_size: int = 8
    criteria: tuple[Criterion, ...] = ()
    rules: Rules = field(default_factory=Rules)
    pairs: PairRules = field(default_factory=PairRules)
    source: str | None = None
    text: str | None = None  # the TOML text, to locate errors found later

    def columns_used(self) -> list[tuple[str, str]]:
        """(column, the policy key that names it) for every column the policy reads."""
        used = [(c.column, "criterion") for c in self.criteria]
        rules = self.rules
        used += [(name, "shared_slot") for name in [rules.shared_slot] if name]
        used += [(name, "apart") for name in rules.apart]
        used += [(name, "together") for name in rules.together]
        used += [(lone.column, "no_lone") for lone in rules.no_lone]
        used += [(name, "fixed") for name in [rules.fixed] if name]
        if self.pairs.window:
            used.append((self.pairs.window.column, "window"))
        if self.pairs.mentor:
            used.append((self.pairs.mentor.column, "mentor"))
        return used

    def error(self, message: str, *, near: str | None = None) -> InputError:
        """An InputError pointing at the first place `near` appears in the TOML."""
        line, column = _locate(self.text or "", near) if near else (None, None)
        return InputError(message, file=self.source, line=line, column=column)

    def check_against(self, people: People) -> None:
        """Every column the policy names must exist in the people file."""
        known = set(people.columns)
        for name, key in self.columns_used():
            if name not in known:
                available = ", ".join(sorted(known)) or "none"
                raise self.error(
                    f"{key} {name!r} is not a column of the people file (its columns: {available})",
                    near=f'"{name}"',
                )


def load_policy(path: str | Path) -> Policy:
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", file=source) from None
    return parse_policy(text, source)


def policy_from_dict(raw: dict[str, Any], source: str | None = None) -> Policy:
    """A policy built in code (the programs feature's form) in the same shape as the TOML
    file, with the same validation."""
    shell = Policy(source=source)
    try:
        return _build(raw, shell)
    except (TypeError, ValueError, KeyError) as problem:
        if isinstance(problem, InputError):
            raise
        raise shell.error(f"invalid policy: {problem}") from None


def parse_policy(text: str, source: str | None = None) -> Policy:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        raise _toml_syntax_error(problem, source) from None
    shell = Policy(source=source, text=text)
    try:
        return _build(raw, shell)
    except (TypeError, ValueError, KeyError) as problem:
        if isinstance(problem, InputError):
            raise
        raise shell.error(f"invalid policy: {problem}") from None


def _build(raw: dict[str, Any], shell: Policy) -> Policy:
    _reject_unknown(raw, {"groups", "criteria", "rules", "pairs"}, shell, "top level")
    groups = _table(raw, "groups", shell)
    _reject_unknown(groups, {"min_size", "max_size"}, shell, "[groups]")
    min_size = _integer(groups.get("min_size", 6), "min_size", shell)
    max_size = _integer(groups.get("max_size", 8), "max_size", shell)
    if not 1 <= min_size <= max_size:
        raise shell.error(
            f"need 1 <= min_size <= max_size, got {min_size} and {max_size}", near="min_size"
        )
    criteria_raw = raw.get("criteria", [])
    if not isinstance(criteria_raw, list):
        raise shell.error("criteria must be an array of tables [[criteria]]", near="criteria")
    return Policy(
        min_size=min_size,
        max_size=max_size,
        criteria=tuple(_criterion(entry, shell) for entry in criteria_raw),
        rules=_rules(_table(raw, "rules", shell), shell),
        pairs=_pair_rules(_table(raw, "pairs", shell), shell),
        source=shell.source,
        text=shell.text,
    )


def _criterion(entry: Any, shell: Policy) -> Criterion:
    if not isinstance(entry, dict) or "column" not in entry:
        raise shell.error("each [[criteria]] needs a column", near="[[criteria]]")
    _reject_unknown(entry, {"column", "type", "goal", "weight"}, shell, "[[criteria]]")
    column = _string(entry["column"], "column", shell)
    kind = entry.get("type", "category")
    goal = entry.get("goal", "diverse")
    if kind not in KINDS:
        raise shell.error(f"type must be one of {', '.join(KINDS)}, got {kind!r}", near=f'"{kind}"')
    if goal not in GOALS:
        raise shell.error(f"goal must be one of {', '.join(GOALS)}, got {goal!r}", near=f'"{goal}"')
    weight = entry.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
        raise shell.error(f"weight of {column!r} must be a number >= 0", near="weight")
    return Criterion(column=column, kind=kind, goal=goal, weight=float(weight))


def _rules(raw: dict[str, Any], shell: Policy) -> Rules:
    allowed = {"shared_slot", "apart", "conflicts", "together", "together_pairs", "no_lone"}
    _reject_unknown(raw, allowed | {"fixed"}, shell, "[rules]")
    shared_slot = raw.get("shared_slot") or None
    fixed = raw.get("fixed") or None
    no_lone = []
    for entry in _list(raw, "no_lone", shell):
        if not isinstance(entry, dict) or {"column", "value"} - set(entry):
            raise shell.error("each no_lone entry needs column and value", near="no_lone")
        no_lone.append(LoneRule(_string(entry["column"], "column", shell), str(entry["value"])))
    return Rules(
        shared_slot=_string(shared_slot, "shared_slot", shell) if shared_slot else None,
        apart=tuple(_string(c, "apart", shell) for c in _list(raw, "apart", shell)),
        conflicts=_id_pairs(raw, "conflicts", shell),
        together=tuple(_string(c, "together", shell) for c in _list(raw, "together", shell)),
        together_pairs=_id_pairs(raw, "together_pairs", shell),
        no_lone=tuple(no_lone),
        fixed=_string(fixed, "fixed", shell) if fixed else None,
    )


def _pair_rules(raw: dict[str, Any], shell: Policy) -> PairRules:
    _reject_unknown(raw, {"window", "mentor"}, shell, "[pairs]")
    window = mentor = None
    if "window" in raw:
        entry = raw["window"]
        if not isinstance(entry, dict) or {"column", "max_difference"} - set(entry):
            raise shell.error("window needs column and max_difference", near="window")
        limit = entry["max_difference"]
        if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit < 0:
            raise shell.error("max_difference must be a number >= 0", near="max_difference")
        window = PairWindow(_string(entry["column"], "column", shell), float(limit))
    if "mentor" in raw:
        entry = raw["mentor"]
        if not isinstance(entry, dict) or "column" not in entry:
            raise shell.error("mentor needs a role column", near="mentor")
        mentor = MentorRoles(
            column=_string(entry["column"], "column", shell),
            mentor=str(entry.get("mentor", "mentor")),
            mentee=str(entry.get("mentee", "mentee")),
            capacity=_integer(entry.get("capacity", 1), "capacity", shell),
        )
    return PairRules(window=window, mentor=mentor)


def _id_pairs(raw: dict[str, Any], key: str, shell: Policy) -> tuple[tuple[str, str], ...]:
    pairs = []
    for entry in _list(raw, key, shell):
        if not isinstance(entry, list) or len(entry) != 2:
            raise shell.error(f"each {key} entry must be a pair of ids", near=key)
        pairs.append((str(entry[0]), str(entry[1])))
    return tuple(pairs)


def _table(raw: dict[str, Any], key: str, shell: Policy) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise shell.error(f"{key} must be a table [{key}]", near=key)
    return value


def _list(raw: dict[str, Any], key: str, shell: Policy) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise shell.error(f"{key} must be an array", near=key)
    return value


def _string(value: Any, key: str, shell: Policy) -> str:
    if not isinstance(value, str) or not value:
        raise shell.error(f"{key} must be a non-empty string", near=key)
    return value


def _integer(value: Any, key: str, shell: Policy) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise shell.error(f"{key} must be an integer, got {value!r}", near=key)
    return value


def _reject_unknown(raw: dict[str, Any], allowed: set[str], shell: Policy, where: str) -> None:
    for key in raw:
        if key not in allowed:
            raise shell.error(
                f"unknown key {key!r} in {where} (allowed: {', '.join(sorted(allowed))})", near=key
            )


def _locate(text: str, needle: str) -> tuple[int | None, int | None]:
    """1-based line and column of the first uncommented occurrence of needle."""
    for number, line in enumerate(text.splitlines(), start=1):
        code = line.split("#", 1)[0]
        at = code.find(needle)
        if at >= 0:
            return number, at + 1
    return None, None


def _toml_syntax_error(problem: tomllib.TOMLDecodeError, source: str | None) -> InputError:
    # tomllib puts "(at line L, column C)" in its message; lift it into the location.
    message = str(problem)
    line = column = None
    if "(at line " in message:
        message, _, place = message.partition(" (at line ")
        line_text, _, column_text = place.rstrip(")").partition(", column ")
        line, column = int(line_text), int(column_text)
    return InputError(f"TOML syntax: {message}", file=source, line=line, column=column)
