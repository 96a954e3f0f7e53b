"""How a practice rating compares with the reference: both are scored by the criteria engine
as an assessor's ratings would be, and compared on their outcome (the band of a rubric
indicator, the verdict against a threshold, or "not applicable"). Pure: no database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from labelling.criteria.framework import Framework, Indicator
from labelling.criteria.scoring import (
    IndicatorResult,
    Rating,
    ScoreResult,
    Status,
    score_application,
)

NOT_APPLICABLE = Status.NOT_APPLICABLE.value


@dataclass(frozen=True)
class Case:
    """What scoring needs of a case."""

    answers: Mapping[str, Any]
    not_applicable: Mapping[str, str]
    as_of: date


@dataclass(frozen=True)
class Difference:
    code: str
    reference: str | None  # see outcome_of; None: no outcome reached
    yours: str | None
    explanation: str

    @property
    def matched(self) -> bool:
        return self.reference is not None and self.reference == self.yours


def outcome_of(indicator: Indicator, result: IndicatorResult) -> str | None:
    """The band ("0" to "4") of a rubric indicator, the verdict ("met", "not_met") of one
    with a threshold, "not_applicable" for either, or None where nothing was reached."""
    if result.status == Status.MISSING:
        return None
    if result.status == Status.NOT_APPLICABLE:
        return NOT_APPLICABLE
    if indicator.is_rubric and result.value not in (None, ""):
        return str(result.points)
    return result.status.value


def rating_of(stored: Mapping[str, Any] | None) -> Rating | None:
    """A rating as kept in JSON ({"verified_value", "status", ...}); None for nothing."""
    if not stored:
        return None
    value = stored.get("verified_value")
    status = stored.get("status") or None
    if value in (None, "") and status is None:
        return None
    return Rating(value, Status(status) if status else None, stored.get("comment", ""))


def scored(framework: Framework, case: Case, ratings: Mapping[str, Any]) -> ScoreResult:
    return score_application(
        framework,
        case.answers,
        ratings={code: r for code, r in ((c, rating_of(s)) for c, s in ratings.items()) if r},
        not_applicable=case.not_applicable,
        as_of=case.as_of,
    )


def compare(
    framework: Framework,
    case: Case,
    references: Mapping[str, Any],
    ratings: Mapping[str, Any],
) -> list[Difference]:
    """Each indicator in the framework's order: the reference outcome, the practice one."""
    reference = scored(framework, case, references)
    practice = scored(framework, case, ratings)
    differences = []
    for indicator in framework.indicators:
        ours = reference.indicator(indicator.code)
        theirs = practice.indicator(indicator.code)
        differences.append(
            Difference(
                code=indicator.code,
                reference=outcome_of(indicator, ours),
                yours=outcome_of(indicator, theirs),
                explanation=(references.get(indicator.code) or {}).get("explanation", ""),
            )
        )
    return differences


def tally(differences: list[Difference]) -> tuple[int, int]:
    """(indicators with a reference outcome, of which the practice matched)."""
    compared = [d for d in differences if d.reference is not None]
    return len(compared), sum(1 for d in compared if d.matched)


def missing_references(framework: Framework, case: Case, references: Mapping[str, Any]):
    """Codes of the indicators the reference reaches no outcome on: a case cannot be
    published with them (there would be nothing to compare against)."""
    return [d.code for d in compare(framework, case, references, {}) if d.reference is None]
