"""The report's statistics: a mean with its 95% confidence interval, and the paired change
between two waves. Plain numbers in, plain numbers out."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    n: int
    mean: float | None
    low: float | None  # the 95% confidence interval (t distribution); None below two values
    high: float | None


def mean_with_ci(values: Sequence[float]) -> Estimate:
    n = len(values)
    if n == 0:
        return Estimate(0, None, None, None)
    mean = math.fsum(values) / n
    if n < 2:
        return Estimate(n, mean, None, None)
    from scipy import stats

    variance = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = stats.t.ppf((1 + CONFIDENCE) / 2, n - 1) * math.sqrt(variance / n)
    return Estimate(n, mean, mean - half, mean + half)


def paired_change(before: Mapping[str, float], after: Mapping[str, float]) -> Estimate:
    """After minus before, over the people (pseudonyms) who answered both."""
    paired = sorted(before.keys() & after.keys())
    return mean_with_ci([after[key] - before[key] for key in paired])
