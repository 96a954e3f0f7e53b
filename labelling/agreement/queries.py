"""The agreement figures as the pages read them: pairs counted in SQL (one GROUP BY over the
kept pairs), the coefficient and interval per indicator from `figures`, and every group
smaller than the platform's minimum (STATISTICS_MIN_GROUP) withheld."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import distinct, func, select

from labelling.accounts.models import User
from labelling.agreement.figures import Agreement, agreement
from labelling.agreement.models import PairedRating
from labelling.bodies.services import visible_condition
from labelling.core.kept import read, write
from labelling.extensions import db

KEPT_SECONDS = 24 * 3600  # figures are kept per digest of their counts: new pairs, new key


@dataclass(frozen=True)
class Filters:
    framework_id: str
    version: str
    level: str | None = None
    body_id: int | None = None


@dataclass(frozen=True)
class IndicatorFigures:
    code: str
    metric: str
    figures: Agreement | None  # None: fewer pairs than the minimum, withheld


@dataclass
class Report:
    applications: int
    min_group: int
    indicators: list[IndicatorFigures] = field(default_factory=list)

    @property
    def flagged(self) -> list[IndicatorFigures]:
        return [i for i in self.indicators if i.figures and i.figures.read_differently]


def min_group() -> int:
    return current_app.config["STATISTICS_MIN_GROUP"]


def _scoped(statement, user: User):
    condition = visible_condition(user, PairedRating.body_id)
    return statement if condition is None else statement.where(condition)


def versions(user: User) -> list[tuple[str, str]]:
    """The framework versions that have pairs the user may see, newest first."""
    statement = _scoped(
        select(PairedRating.framework_id, PairedRating.framework_version).distinct(), user
    )
    return sorted((tuple(row) for row in db.session.execute(statement)), reverse=True)


def choices(framework_id: str, version: str, user: User) -> tuple[list[str], list[int | None]]:
    """The levels and the bodies that have pairs under the version."""
    where = (PairedRating.framework_id == framework_id, PairedRating.framework_version == version)
    levels = db.session.scalars(
        _scoped(select(PairedRating.level).distinct().where(*where), user)
    ).all()
    bodies = db.session.scalars(
        _scoped(select(PairedRating.body_id).distinct().where(*where), user)
    ).all()
    return sorted(levels), bodies


def _filtered(statement, filters: Filters, user: User):
    statement = statement.where(
        PairedRating.framework_id == filters.framework_id,
        PairedRating.framework_version == filters.version,
    )
    if filters.level:
        statement = statement.where(PairedRating.level == filters.level)
    if filters.body_id is not None:
        statement = statement.where(PairedRating.body_id == filters.body_id)
    return _scoped(statement, user)


def pair_counts(filters: Filters, user: User) -> dict[str, tuple[str, dict]]:
    """Per indicator: its metric and how many pairs gave each (first, second) outcome."""
    statement = _filtered(
        select(
            PairedRating.indicator_code,
            PairedRating.metric,
            PairedRating.first_value,
            PairedRating.second_value,
            func.count(),
        )
        .where(PairedRating.first_value.is_not(None), PairedRating.second_value.is_not(None))
        .group_by(
            PairedRating.indicator_code,
            PairedRating.metric,
            PairedRating.first_value,
            PairedRating.second_value,
        ),
        filters,
        user,
    )
    found: dict[str, tuple[str, dict]] = {}
    for code, metric, first, second, count in db.session.execute(statement):
        found.setdefault(code, (metric, {}))[1][(first, second)] = count
    return found


def report(filters: Filters, user: User, order: list[str]) -> Report:
    """The figures of every indicator (in `order`, the framework's), the small withheld."""
    applications = db.session.scalar(
        _filtered(select(func.count(distinct(PairedRating.application_id))), filters, user)
    )
    minimum = min_group()
    result = Report(applications=applications or 0, min_group=minimum)
    counted = pair_counts(filters, user)
    for code in order:
        if code not in counted:
            continue
        metric, pairs = counted[code]
        enough = sum(pairs.values()) >= minimum
        result.indicators.append(
            IndicatorFigures(code, metric, _kept_agreement(pairs, metric) if enough else None)
        )
    return result


def _kept_agreement(pairs: dict, metric: str) -> Agreement:
    """The bootstrap is the costly part: its result is kept under the counts it came
    from, so a page shows the same figures until a new pair arrives."""
    key = (
        "labelling:agreement:"
        + metric
        + ":"
        + ",".join(f"{a}-{b}-{n}" for (a, b), n in sorted(pairs.items()))
    )
    found = read(key)
    if found is None:
        found = agreement(pairs, metric)
        write(key, found, timeout=KEPT_SECONDS)
    return found


# --- each assessor's mirror ---------------------------------------------------------------


@dataclass(frozen=True)
class MirrorRow:
    code: str
    metric: str
    rated: int  # indicators with the assessor's outcome and a consolidated one
    stood: int  # ... where the assessor's outcome stood after consolidation
    mean_difference: float | None  # bands only: own minus consolidated (below 0: harsher)
    compared: int  # with the colleague's outcome too
    differed: int  # ... where the two differed

    @property
    def stood_share(self) -> float | None:
        return self.stood / self.rated if self.rated else None

    @property
    def differed_share(self) -> float | None:
        return self.differed / self.compared if self.compared else None


def _sides():
    """Every pair seen from each of its assessors: (assessor, own outcome, colleague's,
    consolidated) with the indicator, application and body."""
    columns = (
        PairedRating.indicator_code,
        PairedRating.metric,
        PairedRating.application_id,
        PairedRating.body_id,
        PairedRating.consolidated_value.label("consolidated"),
    )
    as_first = select(
        *columns,
        PairedRating.first_assessor_id.label("assessor_id"),
        PairedRating.first_value.label("own"),
        PairedRating.second_value.label("other"),
    )
    as_second = select(
        *columns,
        PairedRating.second_assessor_id.label("assessor_id"),
        PairedRating.second_value.label("own"),
        PairedRating.first_value.label("other"),
    )
    return as_first.union_all(as_second).subquery()


def _seen_by(statement, sides, viewer: User | None):
    """Staff see the pairs of the bodies they act for; an assessor (viewer None) all of
    their own."""
    condition = None if viewer is None else visible_condition(viewer, sides.c.body_id)
    return statement if condition is None else statement.where(condition)


def mirror(assessor_id: int, viewer: User | None) -> tuple[int, list[MirrorRow]]:
    """How many applications the assessor scored with a colleague, and per indicator how
    their own outcomes stood, leaned and differed (the colleague never named)."""
    sides = _sides()
    both = sides.c.own.is_not(None) & sides.c.consolidated.is_not(None)
    with_other = sides.c.own.is_not(None) & sides.c.other.is_not(None)
    mine = sides.c.assessor_id == assessor_id
    statement = select(
        sides.c.indicator_code,
        sides.c.metric,
        func.count().filter(both),
        func.count().filter(both & (sides.c.own == sides.c.consolidated)),
        func.avg(sides.c.own - sides.c.consolidated).filter(both & (sides.c.metric == "ordinal")),
        func.count().filter(with_other),
        func.count().filter(with_other & (sides.c.own != sides.c.other)),
    ).where(mine)
    statement = _seen_by(statement, sides, viewer).group_by(sides.c.indicator_code, sides.c.metric)
    rows = [
        MirrorRow(code, metric, rated, stood, None if mean is None else float(mean), n, differed)
        for code, metric, rated, stood, mean, n, differed in db.session.execute(statement)
    ]
    applications = select(func.count(distinct(sides.c.application_id))).where(mine)
    return db.session.scalar(_seen_by(applications, sides, viewer)) or 0, rows


def assessors(viewer: User) -> list[tuple[User, int, int, int]]:
    """Every assessor with pairs the viewer may see: (assessor, applications, outcomes
    rated, outcomes that stood), by name."""
    sides = _sides()
    both = sides.c.own.is_not(None) & sides.c.consolidated.is_not(None)
    statement = select(
        sides.c.assessor_id,
        func.count(distinct(sides.c.application_id)),
        func.count().filter(both),
        func.count().filter(both & (sides.c.own == sides.c.consolidated)),
    ).where(sides.c.assessor_id.is_not(None))
    statement = _seen_by(statement, sides, viewer).group_by(sides.c.assessor_id)
    counted = {row[0]: row[1:] for row in db.session.execute(statement)}
    people = db.session.scalars(select(User).where(User.id.in_(counted)))
    found = [(person, *counted[person.id]) for person in people]
    return sorted(found, key=lambda row: row[0].full_name.lower())
