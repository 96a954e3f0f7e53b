"""Complaints: received from anyone, counted only once the e-mail address is confirmed by
a signed link; the secretariat reviews and closes them with an outcome the complainant is
told. Transitions follow the one lifecycle module (COMPLAINT_TRANSITIONS)."""

from __future__ import annotations

from contextlib import nullcontext

from flask import current_app
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import exists, func, select
from sqlalchemy.sql import ColumnElement

from labelling.accounts.models import User
from labelling.accounts.services import staff_members
from labelling.assessments.models import Application
from labelling.assessments.workflow import (
    ComplaintAction,
    ComplaintActor,
    ComplaintState,
    TransitionError,
    check_transition,
)
from labelling.bodies.services import acts_for, visible_condition
from labelling.certificates.models import Label
from labelling.complaints.models import Complaint
from labelling.core.audit import record_event
from labelling.core.http import external_url
from labelling.core.languages import page_locale
from labelling.core.paging import Order, Page, keyset_page
from labelling.db import utcnow
from labelling.extensions import db
from labelling.notifications.services import queue_email
from labelling.organisations.models import Organisation

CONFIRM_SALT = "labelling.complaint-confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600  # a week to click the link


class ComplaintRefused(Exception):
    def __init__(self, code: str, status: int = 409):
        self.code, self.status = code, status
        super().__init__(code)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)


def confirmation_token(complaint: Complaint) -> str:
    return _serializer().dumps({"complaint": complaint.id, "email": complaint.email})


def receive_complaint(organisation: Organisation, name: str, email: str, text: str) -> Complaint:
    """Record the complaint, unconfirmed, and send the confirmation link to `email`."""
    complaint = Complaint(
        organisation_id=organisation.id,
        name=name.strip(),
        email=email.strip(),
        text=text.strip(),
        language=page_locale(),
    )
    db.session.add(complaint)
    db.session.flush()
    record_event("complaint.received", "complaint", complaint.id, to_state=complaint.state)
    queue_email(
        complaint.email,
        "complaint_confirm",
        complaint=complaint,
        organisation=organisation,
        link=external_url("complaints.confirm", token=confirmation_token(complaint)),
    )
    return complaint


def confirm_complaint(token: str) -> Complaint:
    """The complainant followed the link: the complaint now reaches the secretariat.
    Following it again changes nothing. Raises ComplaintRefused("link") for a bad link."""
    try:
        payload = _serializer().loads(token, max_age=CONFIRM_MAX_AGE)
    except BadSignature as exc:
        raise ComplaintRefused("link", 404) from exc
    complaint = db.session.get(Complaint, payload.get("complaint"))
    if complaint is None or complaint.email != payload.get("email"):
        raise ComplaintRefused("link", 404)
    if complaint.status != ComplaintState.UNCONFIRMED:
        return complaint
    _move(complaint, ComplaintAction.CONFIRM, {ComplaintActor.COMPLAINANT}, None)
    complaint.confirmed_at = utcnow()
    organisation = db.session.get(Organisation, complaint.organisation_id)
    for user in staff_members():
        if not may_handle(user, complaint):
            continue  # another body's staff: not theirs to read
        queue_email(
            user.email,
            "complaint_received",
            recipient=user,
            complaint=complaint,
            organisation=organisation,
            link=external_url("complaints.detail", complaint_id=complaint.id),
        )
    return complaint


def review_complaint(complaint: Complaint, actor: User) -> None:
    _move(complaint, ComplaintAction.REVIEW, _actors(actor), actor)
    complaint.handled_by_id = actor.id


def close_complaint(complaint: Complaint, actor: User, outcome: str) -> None:
    """Close with the outcome, which the complainant is told."""
    complaint.outcome = outcome.strip() or None  # before the state: the table checks both
    complaint.closed_at = utcnow()
    complaint.handled_by_id = actor.id
    _move(complaint, ComplaintAction.CLOSE, _actors(actor), actor, outcome)
    with force_locale(complaint.language) if complaint.language else nullcontext():
        queue_email(
            complaint.email,
            "complaint_closed",
            complaint=complaint,
            organisation=db.session.get(Organisation, complaint.organisation_id),
        )


COMPLAINTS_PER_PAGE = 50
COMPLAINT_ORDER: Order = [(Complaint.id, False)]  # the latest received first


def _handled_by(user: User) -> ColumnElement | None:
    """Complaints `user` (staff) may handle, as SQL: about organisations a body they act
    for labelled (the European body's, when no body labelled it); None for all."""
    visible = visible_condition(user, Application.body_id)
    if visible is None:
        return None
    held = (
        select(Label.id)
        .join(Application, Label.application_id == Application.id)
        .where(Label.organisation_id == Complaint.organisation_id)
    )
    condition = exists(held.where(visible))
    if acts_for(user, None):
        condition = condition | ~exists(held)
    return condition


def complaints_page(
    user: User, which: str, cursor: str | None
) -> tuple[Page, int, dict[int, Organisation]]:
    """A page of the open or closed confirmed complaints `user` (staff) may handle, how
    many there are, and their organisations by id. Raises core.paging.BadCursor."""
    closed = Complaint.state == ComplaintState.CLOSED.value
    conditions = [
        Complaint.state != ComplaintState.UNCONFIRMED.value,
        closed if which == "closed" else ~closed,
    ]
    handled = _handled_by(user)
    if handled is not None:
        conditions.append(handled)
    total = db.session.scalar(select(func.count(Complaint.id)).where(*conditions))
    statement = select(Complaint).where(*conditions)
    page = keyset_page(statement, COMPLAINT_ORDER, which, cursor, COMPLAINTS_PER_PAGE)
    ids = {complaint.organisation_id for complaint in page.rows}
    organisations = {
        organisation.id: organisation
        for organisation in db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    }
    return page, total, organisations


def _bodies_by_organisation(organisation_ids: set[int]) -> dict[int, set[int | None]]:
    found: dict[int, set[int | None]] = {}
    rows = db.session.execute(
        select(Label.organisation_id, Application.body_id)
        .join(Application, Label.application_id == Application.id)
        .where(Label.organisation_id.in_(organisation_ids))
    )
    for organisation_id, body_id in rows:
        found.setdefault(organisation_id, set()).add(body_id)
    return found


def handling_bodies(organisation_id: int) -> set[int | None]:
    """The bodies whose labels the organisation holds or held: a complaint about it is
    theirs (None, the European body, when no body labelled it)."""
    return _bodies_by_organisation({organisation_id}).get(organisation_id, {None})


def may_handle(user: User, complaint: Complaint) -> bool:
    """Staff of a body that labelled the organisation: the complainant's name and address
    go no further."""
    return user.is_staff and any(
        acts_for(user, body_id) for body_id in handling_bodies(complaint.organisation_id)
    )


def _actors(user: User) -> set[ComplaintActor]:
    return {ComplaintActor.SECRETARIAT} if user.is_staff else set()


def _move(complaint, action, actors, actor, comment: str = "") -> None:
    before = complaint.status
    try:
        target = check_transition(action, before, actors, comment or "")
    except TransitionError as exc:
        raise ComplaintRefused(exc.reason, exc.status) from exc
    complaint.state = target.value
    db.session.flush()
    record_event(
        f"complaint.{action.value}",
        "complaint",
        complaint.id,
        actor=actor,
        from_state=before.value,
        to_state=target.value,
        comment=(comment or "").strip() or None,
    )
