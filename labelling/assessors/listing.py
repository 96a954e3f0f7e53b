"""The accreditation register as the staff browse it: narrowed in the database (role and
status of one accreditation, country, name) and paged by keyset by name, instead of
every profile loaded and each one asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.sql import ColumnElement

from labelling.accounts.models import User
from labelling.assessors.models import Accreditation, AccreditationStatus, AssessorProfile
from labelling.core.paging import Order, Page, holding, keyset_page
from labelling.extensions import db

PER_PAGE = 50
ORDER: Order = [(User.full_name, True), (AssessorProfile.id, True)]


@dataclass(frozen=True)
class RegisterFilters:
    q: str = ""  # part of the name or e-mail address
    role: str = ""  # an AccreditationRole value
    country: str = ""
    status: str = ""  # an AccreditationStatus value, of an accreditation in that role


def _status_condition(status: str, today: date) -> list[ColumnElement]:
    """The accreditations whose `status_on(today)` is `status`, as SQL."""
    running = Accreditation.suspended_at.is_(None)
    return {
        AccreditationStatus.SUSPENDED: [Accreditation.suspended_at.is_not(None)],
        AccreditationStatus.NOT_YET_VALID: [running, Accreditation.issued_on > today],
        AccreditationStatus.EXPIRED: [running, Accreditation.expires_on < today],
        AccreditationStatus.ACTIVE: [
            running,
            Accreditation.issued_on <= today,
            Accreditation.expires_on >= today,
        ],
    }[AccreditationStatus(status)]


def _conditions(filters: RegisterFilters, today: date) -> list[ColumnElement]:
    conditions = []
    if filters.country:
        conditions.append(AssessorProfile.country_code == filters.country)
    if filters.q:
        conditions.append(holding(filters.q, User.full_name, User.email))
    held = []  # one accreditation in the role with the status
    if filters.role:
        held.append(Accreditation.role == filters.role)
    if filters.status:
        held += _status_condition(filters.status, today)
    if held:
        conditions.append(exists().where(Accreditation.profile_id == AssessorProfile.id, *held))
    return conditions


def register_page(
    filters: RegisterFilters, today: date, cursor: str | None
) -> tuple[Page, int, int]:
    """A page of the assessors `filters` select by name (with their accreditations), how
    many match, and how many the register holds. Raises core.paging.BadCursor."""
    conditions = _conditions(filters, today)
    joined = select(AssessorProfile).join(User, User.id == AssessorProfile.user_id)
    matching = db.session.scalar(
        joined.where(*conditions).with_only_columns(func.count(AssessorProfile.id))
    )
    everyone = db.session.scalar(select(func.count(AssessorProfile.id)))
    statement = joined.where(*conditions).options(
        contains_eager(AssessorProfile.user), selectinload(AssessorProfile.accreditations)
    )
    return keyset_page(statement, ORDER, "name", cursor, PER_PAGE), matching, everyone


def countries_in_register() -> list[str]:
    return list(
        db.session.scalars(
            select(AssessorProfile.country_code).distinct().order_by(AssessorProfile.country_code)
        )
    )
