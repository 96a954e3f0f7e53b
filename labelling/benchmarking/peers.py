"""Peer groups and their statistics, computed by the database.

Each group is a filter on the value rows (same technology area, same country, same size
band, holding Gold, or all). A group's distributions come from one aggregate query (count,
minimum, maximum per metric) and one index walk per quartile (ORDER BY value LIMIT 2
OFFSET k); they are kept in the peer_summary table until the data changes. The
organisation's own rank is always counted live, by a walk along the index up to its value.
Nothing loads a group's answers into Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, false, func, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labelling.benchmarking.models import (
    BenchmarkEntry,
    BenchmarkState,
    BenchmarkValue,
    PeerSummary,
)
from labelling.benchmarking.stats import (
    QUARTILES,
    Distribution,
    interpolate,
    percentile_rank,
    quantile_position,
)
from labelling.certificates.models import Label, LabelStatus
from labelling.db import utcnow
from labelling.extensions import db

# Peer groups, in the order the report offers them.
GROUP_KINDS = {
    "technology_area": _l("Same technology area"),
    "country": _l("Same country"),
    "size": _l("Similar size"),
    "excellence": _l("Excellence group (holding Gold)"),
    "all": _l("All benchmarked organisations"),
}

# The groups a report may open on, from the most to the least specific when equally large;
# the excellence group is a comparison with the best, chosen on purpose, never by default.
PEER_GROUPS = ("technology_area", "country", "size", "all")


def default_group(sizes: dict[str, int], min_peers: int) -> str:
    """The most specific peer group large enough to be shown: the smallest that meets
    the anonymity minimum (ties go to the order above); "all" when none does."""
    large_enough = [kind for kind in PEER_GROUPS if sizes.get(kind, 0) >= min_peers]
    if not large_enough:
        return "all"
    return min(large_enough, key=lambda kind: (sizes[kind], PEER_GROUPS.index(kind)))


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
    conditions = [table.framework_id == entry.framework_id, table.is_current == true()]
    if kind == "technology_area":
        conditions.append(table.technology_area == entry.technology_area)
    elif kind == "country":
        conditions.append(table.country_code == entry.country_code)
    elif kind == "size":
        conditions.append(table.size_band == entry.size_band)
    elif kind == "excellence":
        conditions.append(table.holds_gold == true())
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


def _rank_counts(conditions: list, metric: str, value: float) -> tuple[int, int]:
    """How many rows lie below the value, and how many level with it: one walk along the
    index up to the value, not a pass over the whole group."""
    below, equal = db.session.execute(
        select(
            func.coalesce(func.sum(case((BenchmarkValue.value < value, 1), else_=0)), 0),
            func.coalesce(func.sum(case((BenchmarkValue.value == value, 1), else_=0)), 0),
        ).where(*conditions, BenchmarkValue.metric == metric, BenchmarkValue.value <= value)
    ).one()
    return int(below), int(equal)


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


# --- the maintained summary -------------------------------------------------------------


def data_version() -> int:
    state = db.session.get(BenchmarkState, 1)
    return state.data_version if state else 0


def _state_row() -> BenchmarkState:
    """The one row, created by the first change (two first changes at once: one wins)."""
    state = db.session.get(BenchmarkState, 1)
    if state is not None:
        return state
    try:
        with db.session.begin_nested():
            db.session.add(BenchmarkState(id=1, data_version=0))
    except IntegrityError:
        pass
    return db.session.get(BenchmarkState, 1)


def data_changed() -> None:
    """Move the data version on: every cached summary is stale from now."""
    _state_row()
    db.session.execute(
        update(BenchmarkState)
        .where(BenchmarkState.id == 1)
        .values(data_version=BenchmarkState.data_version + 1)
    )


def _summary_key(kind: str, entry: BenchmarkEntry) -> str:
    value = group_value(kind, entry)
    return "" if value in (None, True) else str(value)


def summary(kind: str, entry: BenchmarkEntry, metrics: list[str]) -> dict[str, Distribution]:
    """The group's distributions, from the summary table while the data is unchanged;
    recomputed (and stored) otherwise."""
    version = data_version()
    key = (entry.framework_id, kind, _summary_key(kind, entry))
    row = db.session.scalar(
        select(PeerSummary).where(
            PeerSummary.framework_id == key[0],
            PeerSummary.kind == key[1],
            PeerSummary.group_value == key[2],
        )
    )
    if row is not None and row.data_version == version and set(metrics) <= set(row.stats):
        return {
            metric: Distribution.from_dict(data)
            for metric, data in row.stats.items()
            if data is not None
        }
    found = distributions(_group_conditions(kind, entry), metrics, 1)
    stats = {metric: found[metric].as_dict() if metric in found else None for metric in metrics}
    try:
        with db.session.begin_nested():
            row = row or PeerSummary(framework_id=key[0], kind=key[1], group_value=key[2])
            row.data_version, row.stats, row.computed_at = version, stats, utcnow()
            db.session.add(row)
    except IntegrityError:  # another request stored the same summary first: fine
        pass
    return found


def group_statistics(
    kind: str, entry: BenchmarkEntry, metrics: list[str], min_peers: int
) -> GroupStats:
    n = group_size(kind, entry)
    stats = GroupStats(kind=kind, value=group_value(kind, entry), n=n, shown=n >= min_peers)
    if not stats.shown:
        return stats
    conditions = _group_conditions(kind, entry)
    found = summary(kind, entry, metrics)
    own = {row.metric: row.value for row in entry.values}
    for metric in metrics:
        shown = found.get(metric)
        count = shown.n if shown else 0
        percentile = None
        if shown is not None and metric in own:
            below, equal = _rank_counts(conditions, metric, own[metric])
            percentile = percentile_rank(below, equal, count)
        if count < min_peers:
            stats.metrics[metric] = MetricStats(count, None, None)
        else:
            stats.metrics[metric] = MetricStats(count, shown, percentile)
    return stats


def gold_label_held(organisation_id, today: date):
    """Whether the organisation holds an active Gold label today: an EXISTS clause, for one
    organisation or correlated with an organisation id column."""
    return exists().where(
        Label.organisation_id == organisation_id,
        Label.level == "gold",
        Label.status == LabelStatus.ACTIVE.value,
        Label.valid_from <= today,
        Label.valid_until >= today,
    )


_UNREAD = object()


def ensure_gold_flags(today: date, checked_on=_UNREAD) -> None:
    """Bring the excellence group up to date with the Gold labels held today, unless that
    was done today and no label changed since (`checked_on`: the state's gold_checked_on,
    when the caller read it already). Before issue 27 every report read every Gold holder
    (tens of thousands at the design size); now a report reads one date."""
    if checked_on is _UNREAD:
        checked_on = db.session.scalar(
            select(BenchmarkState.gold_checked_on).where(BenchmarkState.id == 1)
        )
    if checked_on == today:
        return
    refresh_gold_flags(today)
    _state_row().gold_checked_on = today


def refresh_gold_flags(today: date) -> int:
    """Set the flags of the organisations that gained or lost Gold (an award, a
    suspension, a revocation or an expiry since the last look); returns how many changed.
    One indexed pass over the benchmarked organisations; writes only where a flag is
    wrong."""
    holds = gold_label_held(BenchmarkEntry.organisation_id, today)
    wrong = db.session.execute(
        select(BenchmarkEntry.organisation_id, holds)
        .where(
            or_(
                and_(BenchmarkEntry.holds_gold == true(), ~holds),
                and_(BenchmarkEntry.holds_gold == false(), holds),
            )
        )
        .distinct()
    ).all()
    if wrong:
        data_changed()
    for organisation_id, held in wrong:
        for table in (BenchmarkEntry, BenchmarkValue):
            db.session.execute(
                update(table)
                .where(table.organisation_id == organisation_id)
                .values(holds_gold=bool(held))
            )
    return len(wrong)


def follow_labels(session: Session, _context) -> None:
    """after_flush: a label was created or changed (awarded, suspended, revoked, renewed,
    imported), so the next report checks the excellence group again, whichever process
    serves it: the mark is written in the label's own transaction."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Label):
            session.connection().execute(
                update(BenchmarkState.__table__)
                .where(BenchmarkState.__table__.c.id == 1)
                .values(gold_checked_on=None)
            )
            return
