"""An assessor's outcome on one indicator as a small integer that agreement can compare:
the band of a rubric indicator (ordinal), or the verdict against a threshold (nominal)."""

from __future__ import annotations

from labelling.criteria.framework import Indicator
from labelling.criteria.scoring import IndicatorResult, Status

ORDINAL = "ordinal"
NOMINAL = "nominal"

# Verdicts as codes (nominal: only equality counts, the order means nothing).
VERDICTS = {Status.NOT_MET: 0, Status.MET: 1, Status.NOT_APPLICABLE: 2}
VERDICT_OF_CODE = {code: status for status, code in VERDICTS.items()}


def metric_of(indicator: Indicator) -> str:
    return ORDINAL if indicator.is_rubric else NOMINAL


def outcome_of(indicator: Indicator, result: IndicatorResult) -> int | None:
    """The comparable outcome, or None where there is none: no outcome reached, or a band
    judged not applicable (a band scale has no place for it)."""
    if result.status == Status.MISSING:
        return None
    if indicator.is_rubric:
        return None if result.status == Status.NOT_APPLICABLE else result.points
    return VERDICTS[result.status]
