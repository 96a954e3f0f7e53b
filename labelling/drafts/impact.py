"""The impact of a draft framework version on decisions already taken (pure: the criteria
engine only).

Every decided application of the version in force is scored again, with the answers and
the final ratings it had, under the version in force and under the draft; the level each
allows (the highest whose rules are met, never above the level applied for) is compared.
Comparing two re-scorings, not the decision taken, measures what the rules change: a
decision that departed from the rules for its own reasons stays out of the count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from labelling.criteria.framework import Framework
from labelling.criteria.scoring import Rating, ScoreResult, ScoringContext, score_application


@dataclass(frozen=True)
class Case:
    """A decided application as scoring reads it, with what the counts are broken down by."""

    application_id: int
    organisation: str
    country: str
    area: str
    level: str  # the level applied for
    answers: Mapping[str, Any]
    ratings: Mapping[str, Rating]
    not_applicable: Mapping[str, str]
    context: ScoringContext
    as_of: date


@dataclass(frozen=True)
class Change:
    application_id: int
    organisation: str
    country: str
    area: str
    level: str
    before: str | None  # the level the version in force allows (None: none)
    after: str | None  # ... and the draft
    indicators: tuple[str, ...]  # whose outcome differs (verdict or points)


@dataclass
class Impact:
    ranks: dict[str, int] = field(default_factory=dict)  # level id -> rank
    cases: int = 0
    changes: list[Change] = field(default_factory=list)

    def _rank(self, level: str | None) -> int:
        return self.ranks.get(level, 0) if level else 0

    @property
    def raised(self) -> int:
        return sum(1 for c in self.changes if self._rank(c.after) > self._rank(c.before))

    @property
    def lowered(self) -> int:
        return len(self.changes) - self.raised

    def by(self, attribute: str) -> Counter:
        """Changed decisions per level applied for, country or technology area."""
        return Counter(getattr(change, attribute) for change in self.changes)

    @property
    def by_indicator(self) -> Counter:
        return Counter(code for change in self.changes for code in change.indicators)


def allowed_level(
    framework: Framework, case: Case, seen_by: dict | None = None
) -> tuple[str | None, ScoreResult | None]:
    """The highest level `framework` allows the case, up to the level applied for.
    `seen_by` keeps the framework as each level sees it across calls."""
    if case.level not in {level.id for level in framework.levels}:
        return None, None  # the level applied for is gone from this version
    seen_by = {} if seen_by is None else seen_by
    key = (framework.key, case.level)
    if key not in seen_by:
        seen_by[key] = framework.for_level(case.level)
    seen = seen_by[key]
    result = score_application(
        seen,
        case.answers,
        ratings=case.ratings,
        not_applicable=case.not_applicable,
        context=case.context,
        as_of=case.as_of,
    )
    applied = seen.level(case.level).rank
    allowed = [
        level.id
        for level in seen.levels
        if level.rank <= applied and result.verdict(level.id).allowed
    ]
    return (allowed[-1] if allowed else None), result


def _differing(before: ScoreResult | None, after: ScoreResult | None) -> tuple[str, ...]:
    if before is None or after is None:
        return ()
    was = {r.code: (r.status, r.points) for r in before.indicators}
    return tuple(
        r.code for r in after.indicators if r.code not in was or was[r.code] != (r.status, r.points)
    )


def simulate(
    current: Framework,
    draft: Framework,
    cases: Iterable[Case],
    progress: Callable[[int], None] | None = None,
) -> Impact:
    """Score every case under both versions; `progress` hears how many are done."""
    impact = Impact(ranks={level.id: level.rank for level in (*current.levels, *draft.levels)})
    seen_by: dict = {}
    for case in cases:
        before, was = allowed_level(current, case, seen_by)
        after, now = allowed_level(draft, case, seen_by)
        impact.cases += 1
        if before != after:
            impact.changes.append(
                Change(
                    case.application_id,
                    case.organisation,
                    case.country,
                    case.area,
                    case.level,
                    before,
                    after,
                    _differing(was, now),
                )
            )
        if progress is not None:
            progress(impact.cases)
    return impact
