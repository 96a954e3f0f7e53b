"""Which figures are benchmarked, read from the framework: every numeric measure.

A measure an indicator reads is benchmarked under that indicator (its value is the
assessor's verified value where one was set); the other numeric questions and derived
values are benchmarked as further figures of their questionnaire section. Years (the
inputs of a "years since" value) are not figures to compare: the derived age is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from labelling.criteria.framework import Framework, Indicator
from labelling.criteria.scoring import ScoreResult, Source

NUMERIC_QUESTION_TYPES = {"integer", "number", "percentage", "rating"}
HIGHER = {">=", ">"}
LOWER = {"<=", "<"}


@dataclass(frozen=True)
class Metric:
    key: str  # the measure: a question or derived value id
    label: str
    unit: str = ""
    area: str | None = None  # indicator figures: the scoring area
    indicator_code: str | None = None
    section: str | None = None  # further figures: the questionnaire section ("derived")
    higher_is_better: bool | None = None  # from the Gold threshold; None when it says nothing


def _numeric_measures(framework: Framework) -> dict[str, tuple[str, str, str]]:
    """measure id -> (label, unit, section id) for every numeric question and derived value."""
    years = {source for item in framework.derived if item.op == "years_since" for source in item.of}
    measures = {}
    for section in framework.sections:
        for question in section.questions:
            if question.type in NUMERIC_QUESTION_TYPES and question.id not in years:
                measures[question.id] = (question.label, question.unit, section.id)
    for item in framework.derived:
        measures[item.id] = (item.label, item.unit, "derived")
    return measures


def _direction(indicator: Indicator) -> bool | None:
    own = [c for c in indicator.gold_threshold.conditions if c.measure in (None, indicator.measure)]
    comparators = {condition.comparator for condition in own}
    if comparators and comparators <= HIGHER:
        return True
    if comparators and comparators <= LOWER:
        return False
    return None


def benchmark_metrics(framework: Framework) -> list[Metric]:
    """Indicator figures in framework order, then the further figures."""
    measures = _numeric_measures(framework)
    metrics, used = [], set()
    for indicator in framework.indicators:
        if indicator.measure in measures and indicator.measure not in used:
            label, unit, _section = measures[indicator.measure]
            metrics.append(
                Metric(
                    key=indicator.measure,
                    label=indicator.name,
                    unit=indicator.unit or unit,
                    area=indicator.area,
                    indicator_code=indicator.code,
                    higher_is_better=_direction(indicator),
                )
            )
            used.add(indicator.measure)
    for key, (label, unit, section) in measures.items():
        if key not in used:
            metrics.append(Metric(key=key, label=label, unit=unit, section=section))
    return metrics


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def metric_values(metrics: list[Metric], result: ScoreResult) -> Mapping[str, tuple[float, bool]]:
    """metric key -> (value, verified) from a scoring result; missing values are left out."""
    by_code = {item.code: item for item in result.indicators}
    values = {}
    for metric in metrics:
        indicator = by_code.get(metric.indicator_code) if metric.indicator_code else None
        if indicator is not None:
            number = _number(indicator.value)
            verified = indicator.source == Source.VERIFIED
        else:
            number, verified = _number(result.values.get(metric.key)), False
        if number is not None:
            values[metric.key] = (number, verified)
    return values
