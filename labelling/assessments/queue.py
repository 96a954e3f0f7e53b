"""The secretariat's queues of applications at any size: filtered and counted in the
database and paged by keyset (it showed the first 200 of a queue and no way on; the
decided queue holds every label ever awarded, imports included)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.sql import ColumnElement

from labelling.assessments.models import Application, Assignment
from labelling.assessments.workflow import State
from labelling.bodies.services import of_body
from labelling.core.paging import Order, Page, holding, keyset_page
from labelling.extensions import db
from labelling.organisations.models import Organisation

PER_PAGE = 50
# Waiting work first come, first served (every application in these was submitted); the
# decided ones newest first (an imported label never was).
WAITING: Order = [(Application.submitted_at, True), (Application.id, True)]
DECIDED: Order = [(Application.id, False)]


@dataclass(frozen=True)
class QueueFilters:
    q: str = ""  # part of the organisation's name, or the application's number
    level: str = ""
    country: str = ""
    body_id: int | None = None


def _conditions(filters: QueueFilters) -> list[ColumnElement]:
    conditions = []
    if filters.level:
        conditions.append(Application.level == filters.level)
    if filters.country:
        conditions.append(Organisation.country_code == filters.country)
    if filters.body_id:
        conditions.append(of_body(Application.body_id, filters.body_id))
    if filters.q:
        named = holding(filters.q, Organisation.legal_name)
        number = filters.q.removeprefix("#")
        conditions.append(named | (Application.id == int(number)) if number.isdigit() else named)
    return conditions


def queue_page(
    states: tuple[State, ...],
    filters: QueueFilters,
    visible: ColumnElement | None,
    cursor: str | None,
) -> tuple[Page, int]:
    """A page of the applications in `states` that `filters` select (those `visible`
    allows), with their organisations and teams, and how many there are in all. Raises
    core.paging.BadCursor for a cursor not of this queue."""
    conditions = [Application.state.in_([state.value for state in states])]
    conditions += _conditions(filters)
    if visible is not None:  # a body's secretariat acts on its own applications
        conditions.append(visible)
    statement = (
        select(Application)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(*conditions)
    )
    total = db.session.scalar(statement.with_only_columns(func.count(Application.id)))
    decided = State.AWARDED in states
    statement = statement.options(
        contains_eager(Application.organisation),
        selectinload(Application.assignments).joinedload(Assignment.assessor),
    )
    order, name = (DECIDED, "decided") if decided else (WAITING, "waiting")
    return keyset_page(statement, order, name, cursor, PER_PAGE), total
