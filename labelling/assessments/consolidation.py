"""Comparing independent assessors' results indicator by indicator (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from labelling.criteria.scoring import IndicatorResult, ScoreResult, Status


@dataclass(frozen=True)
class Comparison:
    code: str
    results: dict[int, IndicatorResult]  # assessor id -> that assessor's result

    @property
    def statuses(self) -> set[Status]:
        return {r.status for r in self.results.values()}

    @property
    def is_complete(self) -> bool:
        """Every assessor has reached a verdict on the indicator."""
        return Status.MISSING not in self.statuses and bool(self.results)

    @property
    def disagrees(self) -> bool:
        """Assessors reached different verdicts (met, not met, not applicable)."""
        decided = self.statuses - {Status.MISSING}
        return len(decided) > 1

    @property
    def points_differ(self) -> bool:
        return len({r.points for r in self.results.values()}) > 1


def compare(results: Mapping[int, ScoreResult]) -> list[Comparison]:
    """One comparison per indicator, in framework order, over each assessor's result."""
    if not results:
        return []
    first = next(iter(results.values()))
    return [
        Comparison(
            indicator.code,
            {assessor: result.indicator(indicator.code) for assessor, result in results.items()},
        )
        for indicator in first.indicators
    ]


def disagreements(comparisons: list[Comparison]) -> list[str]:
    return [c.code for c in comparisons if c.disagrees]
