"""Benchmark entries follow the application lifecycle; reports read peers or a snapshot.

- Submitted: the application's self-assessed figures become the organisation's current
  entry (replacing an earlier application's).
- Decided (awarded or refused): the figures are recomputed with the assessors' final
  ratings (verified values win and are marked so), and the peer statistics of every group
  are frozen in a snapshot, so the report reads the same later.
- Returned to draft or withdrawn: the entry goes, and the previous one is current again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select, update

from labelling.assessments import consolidation
from labelling.assessments.models import Application
from labelling.assessments.workflow import State
from labelling.benchmarking.metrics import Metric, benchmark_metrics, metric_values
from labelling.benchmarking.models import BenchmarkEntry, BenchmarkSnapshot, BenchmarkValue
from labelling.benchmarking.peers import (
    GROUP_KINDS,
    GroupStats,
    MetricStats,
    data_changed,
    ensure_gold_flags,
    gold_label_held,
    group_size,
    group_statistics,
    group_value,
    size_band,
)
from labelling.benchmarking.signals import benchmark_decided
from labelling.benchmarking.stats import Distribution
from labelling.criteria.framework import Framework
from labelling.criteria.scoring import ScoreResult
from labelling.db import utcnow
from labelling.extensions import db


def entry_of(application: Application) -> BenchmarkEntry | None:
    return db.session.scalar(
        select(BenchmarkEntry).where(BenchmarkEntry.application_id == application.id)
    )


def _make_current(entry: BenchmarkEntry) -> None:
    """This entry is the organisation's current one; every other entry of it is not."""
    for table, key in (
        (BenchmarkEntry, BenchmarkEntry.id),
        (BenchmarkValue, BenchmarkValue.entry_id),
    ):
        db.session.execute(
            update(table)
            .where(table.organisation_id == entry.organisation_id)
            .values(is_current=key == entry.id)
            .execution_options(synchronize_session="fetch")
        )


def record_entry(
    application: Application, framework: Framework, result: ScoreResult, final: bool
) -> BenchmarkEntry:
    """Store (or replace) the application's figures as its organisation's current entry."""
    organisation = application.organisation
    entry = entry_of(application) or BenchmarkEntry(application_id=application.id)
    entry.organisation_id = organisation.id
    entry.framework_id = framework.id
    entry.framework_version = framework.version
    entry.is_final = final
    entry.year = (application.submitted_at or utcnow()).year
    entry.technology_area = organisation.technology_area
    entry.country_code = organisation.country_code
    entry.size_band = size_band(result.values.get("total_members", organisation.total_members))
    entry.holds_gold = db.session.scalar(select(gold_label_held(organisation.id, date.today())))
    entry.is_current = True
    entry.values = [
        BenchmarkValue(
            organisation_id=organisation.id,
            metric=key,
            value=value,
            is_verified=verified,
            framework_id=framework.id,
            is_current=True,
            technology_area=entry.technology_area,
            country_code=entry.country_code,
            size_band=entry.size_band,
            holds_gold=entry.holds_gold,
        )
        for key, (value, verified) in metric_values(benchmark_metrics(framework), result).items()
    ]
    db.session.add(entry)
    db.session.flush()
    _make_current(entry)
    data_changed()
    return entry


def remove_entry(application: Application) -> None:
    """The application is no longer benchmarked; the organisation's previous entry (if
    any) becomes current again."""
    entry = entry_of(application)
    if entry is None:
        return
    organisation_id = entry.organisation_id
    db.session.delete(entry)
    db.session.flush()
    previous = db.session.scalar(
        select(BenchmarkEntry)
        .where(BenchmarkEntry.organisation_id == organisation_id)
        .order_by(BenchmarkEntry.id.desc())
    )
    if previous is not None:
        _make_current(previous)
    data_changed()


def min_peers() -> int:
    return current_app.config["BENCHMARK_MIN_PEERS"]


def live_statistics(entry: BenchmarkEntry, framework: Framework, kind: str) -> GroupStats:
    ensure_gold_flags(date.today())
    metrics = [metric.key for metric in benchmark_metrics(framework)]
    return group_statistics(kind, entry, metrics, min_peers())


def own_values(entry: BenchmarkEntry) -> dict[str, tuple[float, bool]]:
    return {row.metric: (row.value, row.is_verified) for row in entry.values}


# --- snapshots -----------------------------------------------------------------------------


def _group_to_dict(stats: GroupStats) -> dict:
    return {
        "value": stats.value,
        "n": stats.n,
        "shown": stats.shown,
        "metrics": {
            key: {
                "n": item.n,
                "distribution": item.distribution.as_dict() if item.distribution else None,
                "percentile": item.percentile,
            }
            for key, item in stats.metrics.items()
        },
    }


def _group_from_dict(kind: str, data: dict) -> GroupStats:
    return GroupStats(
        kind=kind,
        value=data["value"],
        n=data["n"],
        shown=data["shown"],
        metrics={
            key: MetricStats(
                item["n"],
                Distribution.from_dict(item["distribution"]) if item["distribution"] else None,
                item["percentile"],
            )
            for key, item in data["metrics"].items()
        },
    )


def take_snapshot(application: Application, entry: BenchmarkEntry, framework: Framework):
    """Freeze the organisation's figures and every group's statistics as of now."""
    data = {
        "taken_at": utcnow().isoformat(),
        "framework": framework.key,
        "own": {key: list(value) for key, value in own_values(entry).items()},
        "groups": {
            kind: _group_to_dict(live_statistics(entry, framework, kind)) for kind in GROUP_KINDS
        },
    }
    snapshot = db.session.scalar(
        select(BenchmarkSnapshot).where(BenchmarkSnapshot.application_id == application.id)
    ) or BenchmarkSnapshot(application_id=application.id)
    snapshot.data = data
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


def snapshot_of(application: Application) -> BenchmarkSnapshot | None:
    return db.session.scalar(
        select(BenchmarkSnapshot).where(BenchmarkSnapshot.application_id == application.id)
    )


@dataclass
class PeerView:
    """What a report shows for one peer group: the figures and where the group stands."""

    metrics: list[Metric]
    own: dict[str, tuple[float, bool]]
    group: GroupStats
    group_sizes: dict[str, int]
    group_values: dict  # kind -> the organisation's value (area, country, size band)
    snapshot_taken_at: str | None  # set when the figures come from the decision's snapshot


def group_sizes_of(application: Application) -> dict[str, int] | None:
    """How many organisations each peer group of the application holds (from the
    snapshot once decided); None when the application was never benchmarked."""
    snapshot = snapshot_of(application)
    if snapshot is not None:
        return {name: group["n"] for name, group in snapshot.data["groups"].items()}
    entry = entry_of(application)
    if entry is None:
        return None
    return {name: group_size(name, entry) for name in GROUP_KINDS}


def peer_view(application: Application, framework: Framework, kind: str) -> PeerView | None:
    """The application's figures against the `kind` group: from the snapshot once decided,
    live before. None when the application was never benchmarked."""
    metrics = benchmark_metrics(framework)
    snapshot = snapshot_of(application)
    if snapshot is not None:
        groups = snapshot.data["groups"]
        return PeerView(
            metrics=metrics,
            own={key: (value[0], value[1]) for key, value in snapshot.data["own"].items()},
            group=_group_from_dict(kind, groups[kind]),
            group_sizes={name: groups[name]["n"] for name in groups},
            group_values={name: groups[name]["value"] for name in groups},
            snapshot_taken_at=snapshot.data["taken_at"],
        )
    entry = entry_of(application)
    if entry is None:
        return None
    ensure_gold_flags(date.today())
    return PeerView(
        metrics=metrics,
        own=own_values(entry),
        group=group_statistics(kind, entry, [m.key for m in metrics], min_peers()),
        group_sizes={name: group_size(name, entry) for name in GROUP_KINDS},
        group_values={name: group_value(name, entry) for name in GROUP_KINDS},
        snapshot_taken_at=None,
    )


# --- the lifecycle -------------------------------------------------------------------------


def follow_lifecycle(application: Application, *, action, from_state, to_state, **_extra):
    """Receiver of assessments.signals.application_transitioned."""
    from labelling.assessments import services

    if to_state in (State.DRAFT, State.WITHDRAWN):
        remove_entry(application)
    elif to_state in (State.AWARDED, State.REFUSED):
        framework = services.framework_of(application)
        result = consolidation.assessed_result(application, framework)
        entry = record_entry(application, framework, result, final=True)
        snapshot = take_snapshot(application, entry, framework)
        benchmark_decided.send(
            application, entry=entry, framework=framework, result=result, snapshot=snapshot
        )
    # Submitted, or the answers an assessor's question re-opened were sent again.
    elif to_state == State.SUBMITTED or (
        from_state == State.MORE_INFORMATION and to_state == State.IN_ASSESSMENT
    ):
        framework = services.framework_of(application)
        record_entry(application, framework, services.score_of(application, framework), False)
