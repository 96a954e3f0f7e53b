"""The staff's list of appeals at any size: open ones most urgent first, decided ones
newest first, each a page at a time by keyset; who sees which is decided in the
database (the body of the decision appealed, or a seat on its panel), not by loading
every appeal and asking each."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from labelling.accounts.models import User
from labelling.appeals.models import Appeal, AppealPanelMember
from labelling.assessments.models import Application
from labelling.assessments.workflow import AppealState
from labelling.bodies.services import visible_condition
from labelling.certificates.models import Label
from labelling.core.paging import Order, Page, keyset_page
from labelling.extensions import db
from labelling.organisations.models import Organisation

PER_PAGE = 50
OPEN_STATES = [state.value for state in AppealState if state.is_open]
ORDERS: dict[str, Order] = {
    "open": [(Appeal.due_on, True), (Appeal.id, True)],  # the most urgent first
    "decided": [(Appeal.id, False)],  # the latest first
}


def _seen_by(user: User, statement):
    """`statement` (on Appeal) kept to the appeals `user` acts on: staff of the body whose
    decision is appealed, or a member of the appeal's panel."""
    direct, through_label = aliased(Application), aliased(Application)
    body = func.coalesce(direct.body_id, through_label.body_id)
    visible = visible_condition(user, body)
    if visible is None:
        return statement
    on_panel = Appeal.id.in_(
        select(AppealPanelMember.appeal_id).where(AppealPanelMember.user_id == user.id)
    )
    return (
        statement.outerjoin(direct, direct.id == Appeal.application_id)
        .outerjoin(Label, Label.id == Appeal.label_id)
        .outerjoin(through_label, through_label.id == Label.application_id)
        .where(or_(visible, on_panel))
    )


def appeals_page(
    user: User, which: str, cursor: str | None
) -> tuple[Page, int, dict[int, Organisation]]:
    """A page of the open or decided appeals `user` acts on, how many there are, and
    their organisations by id. Raises core.paging.BadCursor."""
    is_open = Appeal.state.in_(OPEN_STATES)
    statement = _seen_by(user, select(Appeal).where(is_open if which == "open" else ~is_open))
    total = db.session.scalar(statement.with_only_columns(func.count(Appeal.id)))
    page = keyset_page(statement, ORDERS[which], which, cursor, PER_PAGE)
    ids = {appeal.organisation_id for appeal in page.rows}
    organisations = {
        organisation.id: organisation
        for organisation in db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    }
    return page, total, organisations
