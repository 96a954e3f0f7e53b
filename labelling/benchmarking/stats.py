"""Order statistics, pure: where the quartiles sit in a sorted list, and a percentile rank.

Quartiles use linear interpolation between closest ranks, the "inclusive" method of
Python's statistics.quantiles and PostgreSQL's percentile_cont: with n sorted values
v[0..n-1], the p-quantile is at position h = (n - 1) * p, between v[floor(h)] and the next.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

QUARTILES = (0.25, 0.5, 0.75)


def quantile_position(n: int, p: float) -> tuple[int, float]:
    """(index of the lower neighbour, weight of the upper one) of the p-quantile of n values."""
    if n < 1:
        raise ValueError("no values")
    h = (n - 1) * p
    lower = math.floor(h)
    return lower, h - lower


def interpolate(lower_value: float, upper_value: float | None, weight: float) -> float:
    if weight == 0 or upper_value is None:
        return lower_value
    return lower_value + weight * (upper_value - lower_value)


def quantile(sorted_values: list[float], p: float) -> float:
    """The p-quantile of an already sorted list (the reference for the SQL version)."""
    lower, weight = quantile_position(len(sorted_values), p)
    upper = sorted_values[lower + 1] if lower + 1 < len(sorted_values) else None
    return interpolate(sorted_values[lower], upper, weight)


def percentile_rank(below: int, equal: int, n: int) -> float:
    """Share of the group below the value, counting ties half: 0 to 100."""
    if n < 1:
        raise ValueError("no values")
    return 100.0 * (below + 0.5 * equal) / n


@dataclass(frozen=True)
class Distribution:
    n: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "min": self.minimum,
            "q1": self.q1,
            "median": self.median,
            "q3": self.q3,
            "max": self.maximum,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Distribution:
        return cls(data["n"], data["min"], data["q1"], data["median"], data["q3"], data["max"])


def distribution(values: list[float]) -> Distribution:
    ordered = sorted(values)
    q1, median, q3 = (quantile(ordered, p) for p in QUARTILES)
    return Distribution(len(ordered), ordered[0], q1, median, q3, ordered[-1])
