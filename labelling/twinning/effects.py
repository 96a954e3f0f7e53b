"""Did it help? The change on a partnership's target indicators since it began.

Each side's figures are compared between its decided benchmarking when the partnership
began and its latest decided benchmarking since. A team sees its own change in figures;
of the partner it learns only how many target indicators moved which way (no figure of
another organisation is ever shown).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from labelling.benchmarking.metrics import benchmark_metrics
from labelling.benchmarking.models import BenchmarkEntry, BenchmarkValue
from labelling.extensions import db
from labelling.frameworks.services import loaded
from labelling.twinning.models import Partnership
from labelling.twinning.standing import decided_entry


@dataclass(frozen=True)
class Change:
    code: str
    before: float
    after: float
    better: bool | None  # None: the framework does not say which way is better

    @property
    def difference(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class SideProgress:
    benchmarked_again: bool
    changes: tuple[Change, ...]

    def counts(self) -> dict[str, int]:
        found = {"better": 0, "worse": 0, "same": 0}
        for change in self.changes:
            if change.difference == 0 or change.better is None:
                found["same"] += 1
            else:
                found["better" if change.better else "worse"] += 1
        return found


def _values(entry_id: int) -> dict[str, float]:
    rows = db.session.execute(
        select(BenchmarkValue.metric, BenchmarkValue.value).where(
            BenchmarkValue.entry_id == entry_id
        )
    )
    return dict(rows.all())


def _measures(framework_id: str, version: str | None) -> dict[str, tuple[str, bool | None]]:
    """indicator code -> (metric key, higher is better) for the benchmarked indicators."""
    try:
        framework = loaded().get(framework_id, version)
    except KeyError:
        return {}
    return {
        metric.indicator_code: (metric.key, metric.higher_is_better)
        for metric in benchmark_metrics(framework)
        if metric.indicator_code
    }


def side_progress(
    organisation_id: int, start_entry_id: int | None, targets: list[str]
) -> SideProgress:
    start = db.session.get(BenchmarkEntry, start_entry_id) if start_entry_id else None
    latest = decided_entry(organisation_id)
    if start is None or latest is None or latest.id == start.id:
        return SideProgress(False, ())
    measures = _measures(latest.framework_id, latest.framework_version)
    before, after = _values(start.id), _values(latest.id)
    changes = []
    for code in targets:
        if code not in measures:
            continue
        key, higher_is_better = measures[code]
        if key in before and key in after:
            moved_up = after[key] > before[key]
            better = None if higher_is_better is None else moved_up == higher_is_better
            changes.append(Change(code, before[key], after[key], better))
    return SideProgress(True, tuple(changes))


def plan_progress(partnership: Partnership, side: str) -> dict[str, SideProgress]:
    """ "own" and "other" progress as the team of `side` may see them."""
    sides = {
        "requester": (partnership.requester_id, partnership.requester_entry_id),
        "partner": (partnership.partner_id, partnership.partner_entry_id),
    }
    other = "partner" if side == "requester" else "requester"
    return {
        "own": side_progress(*sides[side], partnership.targets),
        "other": side_progress(*sides[other], partnership.targets),
    }
