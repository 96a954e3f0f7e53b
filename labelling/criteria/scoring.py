"""The scoring engine: pure functions from answers and assessor ratings to results.

No Flask, no database: give it a Framework, the answers (question id -> value), optional
assessor ratings (indicator code -> Rating) and a context (improvement areas, previous
label), and it returns indicator results, area scores, the excellence score, the
eligibility result and the levels the framework's rules allow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Any

from labelling.criteria.framework import (
    Condition,
    Derived,
    Framework,
    Indicator,
    Level,
    PreviousLabelRule,
    Question,
    Threshold,
)


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"
    MISSING = "missing"  # no value yet: scores nothing but still counts in the maximum


class Source(StrEnum):
    SELF = "self_assessed"
    VERIFIED = "verified"


@dataclass(frozen=True)
class Rating:
    """What an assessor recorded for one indicator; every part is optional."""

    verified_value: Any = None
    status: Status | None = None  # an explicit met / not met / not applicable
    comment: str = ""


@dataclass(frozen=True)
class EarlierLabel:
    """A label the organisation held before, in good standing: its level and when it was
    assessed (its age is counted to the assessment date of the application)."""

    level: str
    assessed_on: date


@dataclass(frozen=True)
class ScoringContext:
    """Facts from outside the questionnaire that level rules need."""

    improvement_areas_validated: int = 0
    earlier_labels: tuple[EarlierLabel, ...] = ()


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end`: 15 March to 14 September is 5, to 15 September 6."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


def previous_label_met(
    rule: PreviousLabelRule,
    labels: tuple[EarlierLabel, ...],
    ranks: Mapping[str, int],
    as_of: date,
) -> bool:
    """A label at the rule's minimum level or higher, of an age (in whole months at
    `as_of`, the assessment date) within the rule's bounds."""
    needed = ranks[rule.min_level]
    return any(
        ranks.get(label.level, 0) >= needed
        and rule.min_age_months <= months_between(label.assessed_on, as_of) <= rule.max_age_months
        for label in labels
    )


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    area: str
    status: Status
    points: int
    max_points: int  # 0 when not applicable: the indicator leaves the maximum
    value: Any
    source: Source
    baseline_met: bool | None  # None when there is no baseline minimum, or not applicable


@dataclass(frozen=True)
class AreaScore:
    code: str
    points: int
    max_points: int

    @property
    def percent(self) -> float:
        return round(100 * self.points / self.max_points, 1) if self.max_points else 0.0


@dataclass(frozen=True)
class EligibilityResult:
    id: str
    label: str
    met: bool
    value: Any


@dataclass(frozen=True)
class LevelVerdict:
    level: str
    allowed: bool
    reasons: tuple[str, ...]  # machine-readable codes of the rules that failed


@dataclass(frozen=True)
class ScoreResult:
    values: dict[str, Any]
    indicators: tuple[IndicatorResult, ...]
    areas: tuple[AreaScore, ...]
    points: int
    max_points: int
    eligibility: tuple[EligibilityResult, ...]
    is_questionnaire_complete: bool
    missing_questions: tuple[str, ...]
    verdicts: tuple[LevelVerdict, ...] = field(default=())

    @property
    def score_fraction(self) -> Fraction:
        return Fraction(self.points, self.max_points) if self.max_points else Fraction(0)

    @property
    def excellence_score(self) -> float:
        """Percent, rounded down to one decimal so a display never rounds up to a pass."""
        return math.floor(1000 * self.score_fraction) / 10

    @property
    def is_eligible(self) -> bool:
        return all(rule.met for rule in self.eligibility)

    @property
    def all_baseline_minimums_met(self) -> bool:
        return all(r.baseline_met is not False for r in self.indicators)

    @property
    def allowed_levels(self) -> list[str]:
        return [v.level for v in self.verdicts if v.allowed]

    @property
    def highest_allowed_level(self) -> str | None:
        allowed = self.allowed_levels
        return allowed[-1] if allowed else None

    def verdict(self, level: str) -> LevelVerdict:
        return next(v for v in self.verdicts if v.level == level)

    def indicator(self, code: str) -> IndicatorResult:
        return next(r for r in self.indicators if r.code == code)


# --- values ------------------------------------------------------------------------------


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any) -> float | None:
    if _is_blank(value) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def is_visible(question: Question, answers: Mapping[str, Any]) -> bool:
    """Whether a conditional question applies, given the answer it depends on."""
    if question.show_if is None:
        return True
    return answers.get(question.show_if.question) == question.show_if.equals


def _derive(item: Derived, values: Mapping[str, Any], as_of: date) -> float | None:
    args = [_number(values.get(arg)) for arg in item.of]
    if item.op == "sum":
        present = [a for a in args if a is not None]
        return sum(present) if len(present) == len(args) else None
    if item.op == "count_positive":
        return None if None in args else sum(1 for a in args if a > 0)
    if item.op in ("ratio", "ratio_percent"):
        numerator, denominator = args
        if numerator is None or not denominator:
            return None
        factor = 100 if item.op == "ratio_percent" else 1
        return round(factor * numerator / denominator, 4)
    if item.op == "years_since":
        (year,) = args
        return None if year is None else max(0, as_of.year - int(year))
    raise ValueError(f"unknown derived op {item.op!r}")  # the loader rejects these first


def compute_values(framework: Framework, answers: Mapping[str, Any], as_of: date) -> dict:
    """Answers of visible questions (hidden ones take their hidden_value), then derived values."""
    values: dict[str, Any] = {}
    for question in framework.questions:
        if is_visible(question, answers):
            values[question.id] = answers.get(question.id)
        else:
            values[question.id] = question.hidden_value
    for item in framework.derived:
        values[item.id] = _derive(item, values, as_of)
    return values


# --- conditions --------------------------------------------------------------------------


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def check(condition: Condition, value: Any, as_of: date) -> bool | None:
    """Whether value satisfies the condition; None when the value is missing or unusable."""
    comparator, target = condition.comparator, condition.value
    if _is_blank(value):
        return None
    if comparator == "within_months":
        when = _as_date(value)
        if when is None:
            return None
        return when <= as_of and _months_between(when, as_of) <= target
    if comparator == "==":
        return value == target
    number = _number(value)
    if number is None:
        return None
    return {
        ">=": number >= target,
        ">": number > target,
        "<=": number <= target,
        "<": number < target,
    }[comparator]


def _threshold_met(
    threshold: Threshold, own_value: Any, values: Mapping[str, Any], as_of: date
) -> bool | None:
    outcomes = [
        check(c, own_value if c.measure is None else values.get(c.measure), as_of)
        for c in threshold.conditions
    ]
    if False in outcomes:
        return False
    return None if None in outcomes else True


# --- indicators, areas, levels -----------------------------------------------------------


def score_indicator(
    framework: Framework,
    indicator: Indicator,
    values: Mapping[str, Any],
    rating: Rating | None,
    not_applicable: bool,
    as_of: date,
) -> IndicatorResult:
    policy = framework.scoring
    has_verified = rating is not None and not _is_blank(rating.verified_value)
    value = rating.verified_value if has_verified else values.get(indicator.measure)
    source = (
        Source.VERIFIED if rating is not None and (has_verified or rating.status) else (Source.SELF)
    )
    # An assessor's explicit "not applicable" wins; a manager's only where the framework allows.
    explicit = rating.status if rating is not None else None
    if explicit == Status.NOT_APPLICABLE or (
        explicit is None and not_applicable and indicator.allows_not_applicable
    ):
        return IndicatorResult(
            indicator.code, indicator.area, Status.NOT_APPLICABLE, 0, 0, value, source, None
        )

    # Measures other than the indicator's own (e.g. company share in 1.1.1) use the answers.
    merged = {**values, indicator.measure: value}
    gold = _threshold_met(indicator.gold_threshold, value, merged, as_of)
    baseline = (
        _threshold_met(indicator.baseline_minimum, value, merged, as_of)
        if indicator.baseline_minimum
        else None
    )
    if explicit in (Status.MET, Status.NOT_MET):
        gold = explicit == Status.MET
        if gold and baseline is not True and indicator.baseline_minimum:
            baseline = True  # meeting the Gold threshold includes the baseline

    if indicator.is_rubric and _number(value) is not None:
        band = int(_number(value))
        points = max(0, min(policy.max_points, band))
    elif gold:
        points = policy.threshold_met_points
    elif baseline:
        points = policy.baseline_met_points
    else:
        points = policy.not_met_points

    if gold is None and explicit is None:
        status = Status.MISSING
        points = 0 if _is_blank(value) else points
    else:
        status = Status.MET if gold else Status.NOT_MET
    if indicator.baseline_minimum is not None and baseline is None:
        baseline = False  # a missing answer cannot satisfy a minimum criterion
    return IndicatorResult(
        indicator.code, indicator.area, status, points, policy.max_points, value, source, baseline
    )


def evaluate_eligibility(
    framework: Framework, values: Mapping[str, Any], as_of: date
) -> tuple[EligibilityResult, ...]:
    """Each eligibility rule of the framework against computed values."""
    return tuple(
        EligibilityResult(
            rule.id,
            rule.label,
            bool(check(rule.condition, values.get(rule.condition.measure), as_of)),
            values.get(rule.condition.measure),
        )
        for rule in framework.eligibility
    )


def _missing_required(framework: Framework, answers: Mapping[str, Any]) -> list[str]:
    return [
        q.id
        for q in framework.questions
        if q.required and is_visible(q, answers) and _is_blank(answers.get(q.id))
    ]


def _level_verdict(
    level: Level,
    result: ScoreResult,
    context: ScoringContext,
    ranks: Mapping[str, int],
    as_of: date,
) -> LevelVerdict:
    rules, reasons = level.rules, []
    if rules.eligibility and not result.is_eligible:
        reasons.append("eligibility")
    if rules.questionnaire_complete and not result.is_questionnaire_complete:
        reasons.append("questionnaire_incomplete")
    if rules.all_baseline_minimums and not result.all_baseline_minimums_met:
        reasons.append("baseline_minimums")
    if rules.min_score_percent is not None and result.score_fraction * 100 < Fraction(
        str(rules.min_score_percent)
    ):
        reasons.append("score_below_minimum")
    if rules.improvement_areas and context.improvement_areas_validated < rules.improvement_areas:
        reasons.append("improvement_areas")
    previous = rules.previous_label
    if previous is not None and not previous_label_met(
        previous, context.earlier_labels, ranks, as_of
    ):
        reasons.append("previous_label")
    return LevelVerdict(level.id, not reasons, tuple(reasons))


def score_application(
    framework: Framework,
    answers: Mapping[str, Any],
    *,
    ratings: Mapping[str, Rating] | None = None,
    not_applicable: Mapping[str, str] | None = None,
    context: ScoringContext | None = None,
    as_of: date | None = None,
) -> ScoreResult:
    """Score answers (and assessor ratings, where given) against a framework.

    `not_applicable` maps indicator codes to the manager's justification; an empty
    justification does not count. Ratings win over self-assessed values.
    """
    as_of = as_of or date.today()
    ratings = ratings or {}
    justified = {code for code, why in (not_applicable or {}).items() if why and why.strip()}
    values = compute_values(framework, answers, as_of)
    indicators = tuple(
        score_indicator(framework, ind, values, ratings.get(ind.code), ind.code in justified, as_of)
        for ind in framework.indicators
    )
    areas = tuple(
        AreaScore(
            area.code,
            sum(r.points for r in indicators if r.area == area.code),
            sum(r.max_points for r in indicators if r.area == area.code),
        )
        for area in framework.areas
    )
    eligibility = evaluate_eligibility(framework, values, as_of)
    missing = tuple(_missing_required(framework, answers))
    result = ScoreResult(
        values=values,
        indicators=indicators,
        areas=areas,
        points=sum(a.points for a in areas),
        max_points=sum(a.max_points for a in areas),
        eligibility=eligibility,
        is_questionnaire_complete=not missing,
        missing_questions=missing,
    )
    ranks = {level.id: level.rank for level in framework.levels}
    verdicts = tuple(
        _level_verdict(lv, result, context or ScoringContext(), ranks, as_of)
        for lv in framework.levels
    )
    return ScoreResult(**{**result.__dict__, "verdicts": verdicts})
