"""A community's automatic rules: word or pattern lists checked on every post and reply
before it is saved. A match either holds the post for a moderator or refuses it, quoting
the posted rule it enforces (for example "No political posts")."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from peerhaven.communities.models import AutoRule, Community

MAX_PATTERNS = 200


def compile_patterns(text: str) -> re.Pattern:
    """One regular expression for a pattern list: words and phrases match whole words in
    any case; ``/.../`` lines are regular expressions. Raises ValidationError naming the
    line that does not compile."""
    parts = []
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValidationError("Add at least one word, phrase or /pattern/.")
    if len(lines) > MAX_PATTERNS:
        raise ValidationError(f"Keep a list to {MAX_PATTERNS} lines.")
    for number, line in enumerate(lines, start=1):
        if len(line) > 2 and line.startswith("/") and line.endswith("/"):
            try:
                re.compile(line[1:-1])
            except re.error as error:
                raise ValidationError(f"Line {number} is not a valid pattern: {error}.") from None
            parts.append(f"(?:{line[1:-1]})")
        else:
            parts.append(rf"\b{re.escape(line)}\b")
    return re.compile("|".join(parts), re.IGNORECASE)


def matching_rule(community: Community, text: str) -> AutoRule | None:
    """The first automatic rule the text breaks, refusing rules before holding ones."""
    rules = community.auto_rules.select_related("rule").order_by("-action", "pk")
    # "reject" sorts after "hold", so descending puts refusals first.
    for auto_rule in rules:
        if compile_patterns(auto_rule.patterns).search(text):
            return auto_rule
    return None


def explanation(auto_rule: AutoRule) -> str:
    if auto_rule.rule is None:
        return "It matches a word or phrase this community's moderators review."
    rule = auto_rule.rule
    return f"Rule {rule.number}: {rule.title}" + (f" — {rule.details}" if rule.details else "")
