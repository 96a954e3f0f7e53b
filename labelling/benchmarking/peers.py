"""Peer groups and their statistics, computed by the database.

Each group is a filter on the value rows (same technology area, same country, same size
band, holding Gold, or all). Per metric, one aggregate query gives the count, minimum,
maximum and how many peers sit below or level with the organisation; each quartile is
then one index walk (ORDER BY value LIMIT 2 OFFSET k). Nothing loads a group's answers
into Python, so a report costs the same few queries with 50 or 10,000 organisations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update

from labelling.benchmarking.models import BenchmarkEntry, BenchmarkValue
from labelling.benchmarking.stats import (
    QUARTILES,
    Distribution,
    interpolate,
    percentile_rank,
    quantile_position,
)
from labelling.certificates.models import Label, LabelStatus
from labelling.extensions import db

# Peer groups, in the order the report offers them.
GROUP_KINDS = {
    "technology_area": _l("Same technology area"),
    "country": _l("Same country"),
    "size": _l("Similar size"),
    "excellence": _l("Excellence group (holding Gold)"),
    "all": _l("All benchmarked organisations"),
}

# Members in all: (band key, lowest, highest or None).
SIZE_BANDS = (
    ("1-49", 0, 49),
    ("50-99", 50, 99),
    ("100-249", 100, 249),
    ("250-499", 250, 499),
    ("500+", 500, None),
)


def size_band(total_members: float | None) -> str:
    members = int(total_members or 0)
    for key, lowest, highest in SIZE_BANDS:
        if members >= lowest and (highest is None or members <= highest):
            return key
    return SIZE_BANDS[0][0]


@dataclass(frozen=True)
class MetricStats:
    n: int
    distribution: Distribution | None  # None when fewer than the minimum peers have a value
    percentile: float | None  # the organisation's rank; None when it has no value


@dataclass
class GroupStats:
    kind: str
    value: str | bool | None
    n: int  # organisations in the group, the organisation included
    shown: bool  # False below the anonymity threshold: then nothing but the count
    metrics: dict[str, MetricStats] = field(default_factory=dict)


def _group_conditions(kind: str, entry: BenchmarkEntry, table=BenchmarkValue) -> list:
    conditions = [table.framework_id == entry.framework_id, table.is_current.is_(True)]
    if kind == "technology_area":
        conditions.append(table.technology_area == entry.technology_area)
    elif kind == "country":
        conditions.append(table.country_code == entry.country_code)
    elif kind == "size":
        conditions.append(table.size_band == entry.size_band)
    elif kind == "excellence":
        conditions.append(table.holds_gold.is_(True))
    return conditions


def group_value(kind: str, entry: BenchmarkEntry):
    return {
        "technology_area": entry.technology_area,
        "country": entry.country_code,
        "size": entry.size_band,
        "excellence": True,
        "all": None,
    }[kind]


def group_size(kind: str, entry: BenchmarkEntry) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(BenchmarkEntry)
        .where(*_group_conditions(kind, entry, BenchmarkEntry))
    )


def _aggregates(kind: str, entry: BenchmarkEntry) -> dict[str, tuple]:
    """metric -> (count, min, max, below own value, level with own value)."""
    own = (
        select(BenchmarkValue.metric, BenchmarkValue.value)
        .where(BenchmarkValue.entry_id == entry.id)
        .subquery("own")
    )
    peer = BenchmarkValue
    rows = db.session.execute(
        select(
            peer.metric,
            func.count(),
            func.min(peer.value),
            func.max(peer.value),
            func.sum(case((peer.value < own.c.value, 1), else_=0)),
            func.sum(case((peer.value == own.c.value, 1), else_=0)),
            func.max(own.c.value),
        )
        .select_from(peer)
        .outerjoin(own, own.c.metric == peer.metric)
        .where(*_group_conditions(kind, entry))
        .group_by(peer.metric)
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def _value_at(conditions: list, metric: str, offset: int) -> list[float]:
    """The values at sorted positions offset and offset + 1 of the metric among the rows."""
    return list(
        db.session.scalars(
            select(BenchmarkValue.value)
            .where(*conditions, BenchmarkValue.metric == metric)
            .order_by(BenchmarkValue.value)
            .limit(2)
            .offset(offset)
        )
    )


def quartiles(conditions: list, metric: str, n: int) -> list[float]:
    """The metric's three quartiles among the n value rows the conditions select."""
    found = []
    for p in QUARTILES:
        lower, weight = quantile_position(n, p)
        values = _value_at(conditions, metric, lower)
        found.append(interpolate(values[0], values[1] if len(values) > 1 else None, weight))
    return found


def distributions(conditions: list, metrics: list[str], min_values: int) -> dict[str, Distribution]:
    """Per metric with at least min_values rows: its distribution among the selected rows."""
    rows = db.session.execute(
        select(
            BenchmarkValue.metric,
            func.count(),
            func.min(BenchmarkValue.value),
            func.max(BenchmarkValue.value),
        )
        .where(*conditions, BenchmarkValue.metric.in_(metrics))
        .group_by(BenchmarkValue.metric)
    )
    found = {}
    for metric, count, minimum, maximum in rows:
        if count >= min_values:
            q1, median, q3 = quartiles(conditions, metric, count)
            found[metric] = Distribution(count, minimum, q1, median, q3, maximum)
    return found


def group_statistics(
    kind: str, entry: BenchmarkEntry, metrics: list[str], min_peers: int
) -> GroupStats:
    n = group_size(kind, entry)
    stats = GroupStats(kind=kind, value=group_value(kind, entry), n=n, shown=n >= min_peers)
    if not stats.shown:
        return stats
    aggregates = _aggregates(kind, entry)
    for metric in metrics:
        count, minimum, maximum, below, equal, own_value = aggregates.get(
            metric, (0, None, None, 0, 0, None)
        )
        percentile = (
            percentile_rank(int(below), int(equal), count) if own_value is not None else None
        )
        if count < min_peers:
            stats.metrics[metric] = MetricStats(count, None, None)
            continue
        q1, median, q3 = quartiles(_group_conditions(kind, entry), metric, count)
        distribution = Distribution(count, minimum, q1, median, q3, maximum)
        stats.metrics[metric] = MetricStats(count, distribution, percentile)
    return stats


def gold_holders(today: date) -> set[int]:
    return set(
        db.session.scalars(
            select(Label.organisation_id).where(
                Label.level == "gold",
                Label.status == LabelStatus.ACTIVE.value,
                Label.valid_from <= today,
                Label.valid_until >= today,
            )
        )
    )


def refresh_gold_flags(today: date) -> int:
    """Bring the excellence group up to date with the labels held today (an award, a
    suspension, a revocation or an expiry since the last look); returns how many
    organisations changed. Cheap: it touches only the organisations that changed."""
    holders = gold_holders(today)
    flagged = set(
        db.session.scalars(
            select(BenchmarkEntry.organisation_id).where(BenchmarkEntry.holds_gold.is_(True))
        )
    )
    changed = holders ^ flagged
    for organisation_id in changed:
        holds = organisation_id in holders
        for table in (BenchmarkEntry, BenchmarkValue):
            db.session.execute(
                update(table)
                .where(table.organisation_id == organisation_id)
                .values(holds_gold=holds)
            )
    return len(changed)
