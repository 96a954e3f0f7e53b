"""The agreement figures of a group (a framework version, a level or all, a body or all),
as the secretariat's page reads them.

The bootstrap is the costly part (hundreds of library calls per indicator), so figures are
kept per group in `agreement_summary` with a stamp of the pairs they came from. A page reads
the kept figures; a decision makes its version's kept groups stale and a background job
computes them again (`refresh_version`). A group seen for the first time is computed on the
spot when it is small, else by a job while the page says so. Every group smaller than the
platform's minimum (STATISTICS_MIN_GROUP) is withheld when read, so a lower minimum set
later needs no recomputation.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, distinct, func, select
from sqlalchemy.exc import IntegrityError

from labelling.accounts.models import User
from labelling.agreement.figures import Agreement, agreement
from labelling.agreement.models import AgreementSummary, AgreementVersion, PairedRating
from labelling.bodies.services import bodies_acted_for, effective_body_id
from labelling.db import utcnow
from labelling.extensions import db
from labelling.jobs.queue import enqueue, enqueue_after_commit

# Pair rows (indicators x applications) up to which a group is computed on the spot:
# about a hundred applications of a framework of some thirty indicators.
SPOT_LIMIT = 3_100


@dataclass(frozen=True)
class Group:
    framework_id: str
    version: str
    level: str = ""  # every level
    body_key: int = 0  # every body

    @property
    def job_key(self) -> str:
        return _job_key(self.framework_id, self.version, self.level, str(self.body_key))


def _job_key(*parts: str) -> str:
    """A queue key (letters, digits, "-" and "_") naming the work."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", "-".join(("agreement", *parts)))


@dataclass(frozen=True)
class IndicatorFigures:
    code: str
    metric: str
    figures: Agreement | None  # None: fewer pairs than the minimum, withheld


@dataclass
class Report:
    applications: int
    min_group: int
    computed_at: datetime | None = None
    is_stale: bool = False  # decisions since: newer figures are being computed
    is_pending: bool = False  # first computed by a job: nothing to show yet
    indicators: list[IndicatorFigures] = field(default_factory=list)

    @property
    def flagged(self) -> list[IndicatorFigures]:
        return [i for i in self.indicators if i.figures and i.figures.read_differently]


def min_group() -> int:
    return current_app.config["STATISTICS_MIN_GROUP"]


def _in_group(statement, group: Group):
    statement = statement.where(
        PairedRating.framework_id == group.framework_id,
        PairedRating.framework_version == group.version,
    )
    if group.level:
        statement = statement.where(PairedRating.level == group.level)
    if group.body_key:
        statement = statement.where(PairedRating.body_id == group.body_key)
    return statement


def stamp(group: Group) -> str:
    """Which pairs the group holds: the generation of its version, moved on by every
    change of the version's pairs (so one change makes every group of it stale)."""
    row = _version(group.framework_id, group.version)
    return str(row.generation if row else 0)


def _version(framework_id: str, version: str, *, locked: bool = False) -> AgreementVersion | None:
    statement = select(AgreementVersion).where(
        AgreementVersion.framework_id == framework_id,
        AgreementVersion.framework_version == version,
    )
    return db.session.scalar(statement.with_for_update() if locked else statement)


def note_change(application, delta: int) -> None:
    """The pairs of `application` were written (delta: how many more the version holds) or
    removed: the version's generation moves on. Decisions under one version take their
    turn on its row (a lock until they commit)."""
    row = _version(application.framework_id, application.framework_version, locked=True)
    if row is None:
        try:
            with db.session.begin_nested():
                row = AgreementVersion(
                    framework_id=application.framework_id,
                    framework_version=application.framework_version,
                    generation=0,
                    pairs=0,
                    levels=[],
                    bodies=[],
                )
                db.session.add(row)
        except IntegrityError:  # another decision added it first: take our turn on it
            row = _version(application.framework_id, application.framework_version, locked=True)
    row.generation += 1
    row.pairs = max(0, row.pairs + delta)
    if delta >= 0:
        body = effective_body_id(application.body_id)
        if application.level not in row.levels:
            row.levels = sorted([*row.levels, application.level])
        if body not in row.bodies:
            row.bodies = [*row.bodies, body]
    db.session.flush()
    pairs_changed(application.framework_id, application.framework_version)


def pair_counts(group: Group) -> dict[str, tuple[str, dict]]:
    """Per indicator: its metric and how many pairs gave each (first, second) outcome."""
    columns = (
        PairedRating.indicator_code,
        PairedRating.metric,
        PairedRating.first_value,
        PairedRating.second_value,
    )
    statement = _in_group(
        select(*columns, func.count())
        .where(PairedRating.first_value.is_not(None), PairedRating.second_value.is_not(None))
        .group_by(*columns),
        group,
    )
    found: dict[str, tuple[str, dict]] = {}
    for code, metric, first, second, count in db.session.execute(statement):
        found.setdefault(code, (metric, {}))[1][(first, second)] = count
    return found


def compute(group: Group) -> AgreementSummary:
    """Compute the group's figures and keep them (replacing what was kept)."""
    current = stamp(group)
    applications = db.session.scalar(
        _in_group(select(func.count(distinct(PairedRating.application_id))), group)
    )
    figures = [
        {"code": code, "metric": metric, **asdict(agreement(pairs, metric))}
        for code, (metric, pairs) in sorted(pair_counts(group).items())
    ]
    db.session.execute(delete(AgreementSummary).where(*_key(group)))
    summary = AgreementSummary(
        framework_id=group.framework_id,
        framework_version=group.version,
        level=group.level,
        body_key=group.body_key,
        stamp=current,
        computed_at=utcnow(),
        applications=applications or 0,
        figures=figures,
    )
    db.session.add(summary)
    db.session.flush()
    return summary


def _key(group: Group):
    return (
        AgreementSummary.framework_id == group.framework_id,
        AgreementSummary.framework_version == group.version,
        AgreementSummary.level == group.level,
        AgreementSummary.body_key == group.body_key,
    )


def refresh_group(framework_id: str, version: str, level: str, body_key: str | int) -> None:
    """Task: compute one group's figures (idempotent: nothing to do when they are fresh)."""
    group = Group(framework_id, version, level, int(body_key))
    kept = db.session.scalar(select(AgreementSummary).where(*_key(group)))
    if kept is None or kept.stamp != stamp(group):
        compute(group)


def refresh_version(framework_id: str, version: str) -> None:
    """Task: compute again every kept group of the version whose pairs changed."""
    kept = db.session.scalars(
        select(AgreementSummary).where(
            AgreementSummary.framework_id == framework_id,
            AgreementSummary.framework_version == version,
        )
    ).all()
    for summary in kept:
        group = Group(framework_id, version, summary.level, summary.body_key)
        if summary.stamp != stamp(group):
            compute(group)


def pairs_changed(framework_id: str, version: str) -> None:
    """Pairs of the version were written or removed: its kept figures follow after the
    commit (once per transaction)."""
    enqueue_after_commit(
        "agreement.refresh-version", framework_id, version, key=_job_key(framework_id, version)
    )


def _report(summary: AgreementSummary, order: list[str], is_stale: bool) -> Report:
    minimum = min_group()
    by_code = {item["code"]: item for item in summary.figures}
    report = Report(
        applications=summary.applications,
        min_group=minimum,
        computed_at=summary.computed_at,
        is_stale=is_stale,
    )
    for code in [c for c in order if c in by_code] + sorted(set(by_code) - set(order)):
        item = by_code[code]
        shown = item["pairs"] >= minimum
        figures = Agreement(**{k: item[k] for k in ("pairs", "exact", "alpha", "low", "high")})
        report.indicators.append(IndicatorFigures(code, item["metric"], figures if shown else None))
    return report


def report(group: Group, order: list[str]) -> Report:
    """The group's figures as kept, in `order` (the framework's indicator codes). Figures
    computed on the spot are added to the session: the caller commits them."""
    kept = db.session.scalar(select(AgreementSummary).where(*_key(group)))
    current = stamp(group)
    if kept is not None and kept.stamp == current:
        return _report(kept, order, is_stale=False)
    version = _version(group.framework_id, group.version)
    if version is None or version.pairs <= SPOT_LIMIT:
        return _report(compute(group), order, is_stale=False)  # the caller commits
    enqueue("agreement.refresh", *_task_args(group), key=group.job_key)
    if kept is not None:
        return _report(kept, order, is_stale=True)
    return Report(applications=0, min_group=min_group(), is_pending=True)


def _task_args(group: Group) -> tuple:
    return group.framework_id, group.version, group.level, group.body_key


# --- what a viewer may choose -----------------------------------------------------------------


def _bodies_seen(row: AgreementVersion, user: User) -> list[int]:
    scope = bodies_acted_for(user)
    return sorted(b for b in row.bodies if b is not None and (scope is None or b in scope))


def versions(user: User) -> list[tuple[str, str]]:
    """The framework versions with pairs the user may see, newest first."""
    rows = db.session.scalars(select(AgreementVersion).where(AgreementVersion.pairs > 0))
    return sorted(
        (
            (row.framework_id, row.framework_version)
            for row in rows
            if sees_every_body(user) or _bodies_seen(row, user)
        ),
        reverse=True,
    )


def choices(framework_id: str, version: str, user: User) -> tuple[list[str], list[int]]:
    """The levels, and the bodies the user acts for, with pairs under the version."""
    row = _version(framework_id, version)
    return (list(row.levels), _bodies_seen(row, user)) if row else ([], [])


def sees_every_body(user: User) -> bool:
    """Whether the user may read the figures of all bodies together."""
    return bodies_acted_for(user) is None
