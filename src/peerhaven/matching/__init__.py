"""Peerhaven's matching engine: peer groups and peer pairs under hard rules.

Pure numpy/scipy; imports nothing from Django so it can be used, tested and
benchmarked alone. Entry points: `form_groups`, `form_pairs`; the command line
is `peerhaven.matching.cli:main`. The objective and rules: docs/matching.md.
"""

from __future__ import annotations

from .errors import InputError
from .groups import GroupResult, form_groups
from .people import People, read_people_csv
from .policy import Policy, load_policy, parse_policy, policy_from_dict

__all__ = [
    "GroupResult",
    "InputError",
    "People",
    "Policy",
    "form_groups",
    "load_policy",
    "parse_policy",
    "policy_from_dict",
    "read_people_csv",
]
