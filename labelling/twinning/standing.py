"""Where an organisation is strong and weak, kept from its latest decided benchmarking.

Each decision (award or refusal) makes the organisation's figures final and freezes its
peer statistics; `record_marks` receives that moment (benchmarking's `benchmark_decided`)
and replaces the organisation's marks. The peer group is the one its report opens on (the
most specific group large enough to be shown), so the marks say what the report says.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import delete, select

from labelling.benchmarking.metrics import benchmark_metrics
from labelling.benchmarking.models import BenchmarkEntry
from labelling.benchmarking.peers import default_group
from labelling.criteria.framework import Framework
from labelling.criteria.scoring import ScoreResult, Status
from labelling.extensions import db
from labelling.twinning.models import TwinningMark
from labelling.twinning.rules import STRONG_BASES, Basis, IndicatorStanding, marks


def _percentiles(framework: Framework, snapshot_data: dict) -> dict[str, float]:
    """indicator code -> the organisation's percentile in its report's peer group, where
    the group and the figure are large enough to be shown."""
    groups = snapshot_data["groups"]
    minimum = current_app.config["BENCHMARK_MIN_PEERS"]
    group = groups[default_group({kind: g["n"] for kind, g in groups.items()}, minimum)]
    if not group["shown"]:
        return {}
    found = {}
    for metric in benchmark_metrics(framework):
        item = group["metrics"].get(metric.key)
        shown = item is not None and item["distribution"] is not None
        if metric.indicator_code and shown and item["percentile"] is not None:
            found[metric.indicator_code] = item["percentile"]
    return found


def standings(framework: Framework, result: ScoreResult, snapshot_data: dict):
    directions = {m.indicator_code: m.higher_is_better for m in benchmark_metrics(framework)}
    percentiles = _percentiles(framework, snapshot_data)
    for item in result.indicators:
        judged = item.status in (Status.MET, Status.NOT_MET)
        yield IndicatorStanding(
            code=item.code,
            gold_met=(item.status == Status.MET) if judged else None,
            baseline_met=item.baseline_met if judged else None,
            percentile=percentiles.get(item.code),
            higher_is_better=directions.get(item.code),
        )


def record_marks(application, entry: BenchmarkEntry, framework, result, snapshot) -> None:
    """The organisation's marks now come from this decision."""
    organisation_id = entry.organisation_id
    db.session.execute(delete(TwinningMark).where(TwinningMark.organisation_id == organisation_id))
    for code, basis in marks(standings(framework, result, snapshot.data)).items():
        db.session.add(
            TwinningMark(
                organisation_id=organisation_id,
                application_id=application.id,
                framework_id=framework.id,
                indicator_code=code,
                basis=basis.value,
            )
        )
    db.session.flush()


def marks_of(organisation_id: int) -> dict[str, Basis]:
    rows = db.session.execute(
        select(TwinningMark.indicator_code, TwinningMark.basis).where(
            TwinningMark.organisation_id == organisation_id
        )
    )
    return {code: Basis(basis) for code, basis in rows}


def strengths(found: dict[str, Basis]) -> dict[str, Basis]:
    return {code: basis for code, basis in found.items() if basis in STRONG_BASES}


def weaknesses(found: dict[str, Basis]) -> dict[str, Basis]:
    return {code: basis for code, basis in found.items() if basis not in STRONG_BASES}


def decided_entry(organisation_id: int) -> BenchmarkEntry | None:
    """The organisation's latest decided benchmarking: only such organisations take part."""
    return db.session.scalar(
        select(BenchmarkEntry)
        .where(BenchmarkEntry.organisation_id == organisation_id, BenchmarkEntry.is_final)
        .order_by(BenchmarkEntry.id.desc())
        .limit(1)
    )
