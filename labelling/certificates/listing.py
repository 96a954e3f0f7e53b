"""The staff's list of labels at any size: filtered and counted in the database and paged
by keyset (latest end of validity first), never loaded whole. At 100,000 organisations
(200,000 labels) the page that listed every label took 105 s and sent 46 MB."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager
from sqlalchemy.sql import ColumnElement

from labelling.assessments.models import Application
from labelling.bodies.services import of_body
from labelling.certificates.models import Certificate, Label, LabelStatus
from labelling.core.paging import Order, Page, holding, keyset_page
from labelling.extensions import db
from labelling.organisations.models import Organisation

PER_PAGE = 50
ORDER_NAME = "ends"
ORDER: Order = [(Label.valid_until, False), (Label.id, False)]


@dataclass(frozen=True)
class LabelFilters:
    q: str = ""  # part of the organisation's name, or a certificate number
    status: str = ""  # a LabelStatus value: the status today
    level: str = ""
    country: str = ""
    expiring_within: int | None = None  # valid today, ending within this many days
    body_id: int | None = None  # the labelling body that decided


def _status_condition(status: str, today: date) -> list[ColumnElement]:
    """The labels whose `status_on(today)` is `status`, as SQL."""
    active = Label.status == LabelStatus.ACTIVE
    return {
        LabelStatus.ACTIVE: [active, Label.valid_from <= today, Label.valid_until >= today],
        LabelStatus.EXPIRED: [active, Label.valid_until < today],
        LabelStatus.NOT_YET_VALID: [active, Label.valid_from > today],
        LabelStatus.SUSPENDED: [Label.status == LabelStatus.SUSPENDED],
        LabelStatus.REVOKED: [Label.status == LabelStatus.REVOKED],
    }[LabelStatus(status)]


def _conditions(filters: LabelFilters, today: date) -> list[ColumnElement]:
    conditions = []
    if filters.status:
        conditions += _status_condition(filters.status, today)
    if filters.level:
        conditions.append(Label.level == filters.level)
    if filters.country:
        conditions.append(Organisation.country_code == filters.country)
    if filters.expiring_within:
        ends_by = today + timedelta(days=filters.expiring_within)
        conditions += _status_condition(LabelStatus.ACTIVE, today)
        conditions.append(Label.valid_until <= ends_by)
    if filters.q:
        # A certificate's number finds its label; anything else is a part of a name. (One
        # condition or the other: with both joined by OR, PostgreSQL could use neither the
        # number's index nor the names' trigram index, and read every label.)
        numbered = db.session.scalar(
            select(Certificate.label_id).where(Certificate.number == filters.q.upper()).limit(1)
        )
        if numbered is not None:
            conditions.append(Label.id == numbered)
        else:
            conditions.append(holding(filters.q, Organisation.legal_name, Organisation.short_name))
    return conditions


def _statement(filters: LabelFilters, visible: ColumnElement | None, today: date) -> Select:
    statement = (
        select(Label)
        .join(Organisation, Organisation.id == Label.organisation_id)
        .options(contains_eager(Label.organisation))
        .where(*_conditions(filters, today))
    )
    if visible is not None or filters.body_id:
        statement = statement.join(Application, Application.id == Label.application_id)
    if visible is not None:  # a body's secretariat: the labels of its own decisions
        statement = statement.where(visible)
    if filters.body_id:
        statement = statement.where(of_body(Application.body_id, filters.body_id))
    return statement


def labels_page(
    filters: LabelFilters, visible: ColumnElement | None, today: date, cursor: str | None
) -> tuple[Page, int]:
    """A page of the labels `filters` select (those `visible` allows), and how many there
    are in all. Raises core.paging.BadCursor for a cursor not of this list."""
    statement = _statement(filters, visible, today)
    total = db.session.scalar(
        select(func.count()).select_from(statement.with_only_columns(Label.id).subquery())
    )
    return keyset_page(statement, ORDER, ORDER_NAME, cursor, PER_PAGE), total
