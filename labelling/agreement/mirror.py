"""Each assessor's mirror: on the applications they scored with a colleague, how their own
outcomes stood after consolidation, leaned (bands) and differed from the colleague's,
counted in SQL; the colleague is never named."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, select

from labelling.accounts.models import User
from labelling.agreement.models import PairedRating
from labelling.bodies.services import visible_condition
from labelling.extensions import db


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
