"""Appeals: lodging one within the framework's period, forming an independent panel, and
the panel's decision, with its effect on the application or the label.

Every service checks its transition against the one lifecycle table
(`assessments.workflow.APPEAL_TRANSITIONS`), audits, queues e-mail and flushes; the
request commits.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from labelling.accounts.models import User
from labelling.accounts.services import staff_members
from labelling.appeals.models import Appeal, AppealPanelMember, AppealSubject
from labelling.assessments import services
from labelling.assessments.evidence import StoredFile
from labelling.assessments.models import Application, AssignmentStatus
from labelling.assessments.workflow import (
    Action,
    AppealAction,
    AppealState,
    State,
    TransitionError,
    check_transition,
)
from labelling.certificates.models import Label, LabelStatus
from labelling.core.audit import AuditEvent, record_event
from labelling.core.http import external_url
from labelling.criteria.framework import Framework
from labelling.db import utcnow
from labelling.extensions import db
from labelling.frameworks.services import loaded
from labelling.notifications.services import mail_people
from labelling.organisations.models import Organisation
from labelling.organisations.services import managers_of

MIN_PANEL = 2


class AppealRefused(Exception):
    """The step is not allowed: `code` says why, `status` is the HTTP answer."""

    def __init__(self, code: str, status: int = 409, detail: str = ""):
        self.code, self.status, self.detail = code, status, detail
        super().__init__(f"{code} {detail}".strip())


# --- what may be appealed ----------------------------------------------------------------------


def subject_of_application(application: Application, framework: Framework) -> AppealSubject | None:
    """A refusal, or an award below the level applied for; None otherwise."""
    if application.status == State.REFUSED:
        return AppealSubject.REFUSAL
    if application.status == State.AWARDED and application.awarded_level:
        ranks = {level.id: level.rank for level in framework.levels}
        if ranks[application.awarded_level] < ranks[application.level]:
            return AppealSubject.LOWER_LEVEL
    return None


def subject_of_label(label: Label) -> AppealSubject | None:
    return {
        LabelStatus.SUSPENDED.value: AppealSubject.SUSPENSION,
        LabelStatus.REVOKED.value: AppealSubject.REVOCATION,
    }.get(label.status)


def framework_of_label(label: Label) -> Framework:
    return loaded().get(label.framework_id, label.framework_version)


def decision_of(application: Application | None, label: Label | None):
    """(subject, when it was decided, its key, organisation id, framework) or None."""
    if application is not None:
        framework = services.framework_of(application)
        subject = subject_of_application(application, framework)
        when = application.decided_at
        key = f"application:{application.id}:{when.isoformat() if when else ''}"
        return subject, when, key, application.organisation_id, framework
    subject = subject_of_label(label)
    when = label.status_changed_at or label.created_at
    key = f"label:{label.id}:{label.status}:{when.isoformat() if when else ''}"
    return subject, when, key, label.organisation_id, framework_of_label(label)


def appeal_deadline(decided: datetime, framework: Framework) -> date:
    return decided.date() + timedelta(days=framework.appeal_period_days)


def open_appeal(application: Application | None = None, label: Label | None = None):
    """The appeal under way against this application's decision or this label, if any."""
    column = Appeal.application_id if application is not None else Appeal.label_id
    subject = application if application is not None else label
    return db.session.scalar(
        select(Appeal)
        .where(column == subject.id, Appeal.state.in_([s.value for s in AppealState if s.is_open]))
        .order_by(Appeal.id.desc())
    )


def appeals_of(application: Application | None = None, label: Label | None = None):
    column = Appeal.application_id if application is not None else Appeal.label_id
    subject = application if application is not None else label
    return list(db.session.scalars(select(Appeal).where(column == subject.id)))


def may_appeal(actor: User, application=None, label=None, today: date | None = None) -> str | None:
    """Why `actor` may not appeal now (a reason code), or None when they may."""
    subject, when, key, organisation_id, framework = decision_of(application, label)
    organisation = db.session.get(Organisation, organisation_id)
    if organisation.membership_of(actor) is None:
        return "not_on_the_team"
    if subject is None or when is None:
        return "nothing_to_appeal"
    if db.session.scalar(select(Appeal.id).where(Appeal.decision_key == key)) is not None:
        return "already_appealed"
    if (today or date.today()) > appeal_deadline(when, framework):
        return "appeal_period_over"
    return None


def lodge_appeal(
    actor: User,
    grounds: str,
    *,
    application: Application | None = None,
    label: Label | None = None,
    document: StoredFile | None = None,
    today: date | None = None,
) -> Appeal:
    """The organisation's team appeals a refusal, a lower level, a suspension or a
    revocation, with grounds (and a document), within the framework's period; one appeal
    per decision. Raises AppealRefused (403 off the team, 409 otherwise, 422 no grounds)."""
    today = today or date.today()
    problem = may_appeal(actor, application, label, today)
    if problem:
        raise AppealRefused(problem, 403 if problem == "not_on_the_team" else 409)
    if not grounds.strip():
        raise AppealRefused("grounds_required", 422)
    subject, when, key, organisation_id, framework = decision_of(application, label)
    appeal = Appeal(
        organisation_id=organisation_id,
        application_id=application.id if application is not None else None,
        label_id=label.id if label is not None else None,
        subject=subject.value,
        decision_key=key,
        decision_made_at=when,
        grounds=grounds.strip(),
        lodged_by_id=actor.id,
        lodged_at=utcnow(),
        due_on=today + timedelta(days=framework.appeal_decision_days),
    )
    if document is not None:
        appeal.document_stored_name = document.stored_name
        appeal.document_filename = document.filename
        appeal.document_content_type = document.content_type
    db.session.add(appeal)
    db.session.flush()
    _audit(appeal, "appeal.lodged", actor, to_state=AppealState.LODGED, comment=appeal.grounds)
    mail_people(
        staff_members(),
        "appeal_lodged",
        appeal=appeal,
        organisation=db.session.get(Organisation, organisation_id),
        link=external_url("appeals.detail", appeal_id=appeal.id),
    )
    return appeal


# --- the panel -----------------------------------------------------------------------------------


def panel_conflicts(appeal: Appeal, user: User) -> list[str]:
    """Why `user` may not sit on the appeal's panel (reason codes); empty when they may:
    staff who took no part in the assessment or the decision appealed, and are not on the
    organisation's team."""
    reasons = []
    if not user.is_staff:
        reasons.append("not_staff")
    organisation = db.session.get(Organisation, appeal.organisation_id)
    if organisation.membership_of(user) is not None:
        reasons.append("on_the_team")
    application = _application_behind(appeal)
    if application is not None:
        assignment = application.assignment_of(user)
        if assignment is not None and assignment.status != AssignmentStatus.DECLINED:
            reasons.append("assessed")
        if application.decided_by_id == user.id:
            reasons.append("decided")
    if appeal.label_id is not None and _changed_label(appeal.label_id, user):
        reasons.append("decided")
    return sorted(set(reasons), key=reasons.index)


def _application_behind(appeal: Appeal) -> Application | None:
    if appeal.application_id is not None:
        return db.session.get(Application, appeal.application_id)
    label = db.session.get(Label, appeal.label_id)
    return db.session.get(Application, label.application_id) if label else None


def _changed_label(label_id: int, user: User) -> bool:
    """Whether `user` suspended or revoked the label."""
    return (
        db.session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.object_type == "label",
                AuditEvent.object_id == label_id,
                AuditEvent.action.in_(["label.suspend", "label.revoke"]),
                AuditEvent.actor_id == user.id,
            )
        )
        is not None
    )


def panel_candidates(appeal: Appeal) -> list[tuple[User, list[str]]]:
    """Every member of staff with the reasons each may not sit (empty: may)."""
    return [(user, panel_conflicts(appeal, user)) for user in staff_members()]


def form_panel(appeal: Appeal, actor: User, members: list[User]) -> None:
    """The secretariat names at least two people with no part in what is appealed."""
    check_step(appeal, AppealAction.FORM_PANEL, actor)
    unique = list({user.id: user for user in members}.values())
    if len(unique) < MIN_PANEL:
        raise AppealRefused("panel_too_small", 422)
    for user in unique:
        conflicts = panel_conflicts(appeal, user)
        if conflicts:
            raise AppealRefused("panel_conflict", 409, f"{user.full_name}: {conflicts[0]}")
    appeal.panel = [AppealPanelMember(user_id=user.id) for user in unique]
    _move(appeal, AppealAction.FORM_PANEL, actor, "")
    mail_people(
        unique,
        "appeal_panel",
        appeal=appeal,
        organisation=db.session.get(Organisation, appeal.organisation_id),
        link=external_url("appeals.detail", appeal_id=appeal.id),
    )


# --- the decision -----------------------------------------------------------------------------


def decide_appeal(appeal: Appeal, actor: User, overturn: bool, reasons: str) -> None:
    """A panel member records the panel's decision, with reasons. Overturned: a refusal or
    lower level is decided again (the application returns to "assessed"); a suspended or
    revoked label is valid again, and verification says so."""
    action = AppealAction.OVERTURN if overturn else AppealAction.UPHOLD
    check_step(appeal, action, actor, reasons)
    appeal.outcome_reason = reasons.strip()
    appeal.decided_by_id = actor.id
    appeal.decided_at = utcnow()
    _move(appeal, action, actor, reasons)
    if overturn:
        _undo_the_decision(appeal, actor, reasons.strip())
    organisation = db.session.get(Organisation, appeal.organisation_id)
    mail_people(
        managers_of(organisation),
        "appeal_decided",
        appeal=appeal,
        organisation=organisation,
        link=external_url("appeals.detail", appeal_id=appeal.id),
    )


def _undo_the_decision(appeal: Appeal, actor: User, reasons: str) -> None:
    if appeal.subject_kind.is_about_a_label:
        label = db.session.get(Label, appeal.label_id)
        before = label.status
        label.status = LabelStatus.ACTIVE.value
        label.status_reason = None
        label.status_changed_at = utcnow()
        db.session.flush()
        record_event(
            "label.reinstate",
            "label",
            label.id,
            actor=actor,
            from_state=before,
            to_state=label.status,
            comment=reasons,
        )
        return
    application = db.session.get(Application, appeal.application_id)
    try:
        services.apply_transition(application, Action.REOPEN_ON_APPEAL, actor, reasons)
    except TransitionError as exc:
        raise AppealRefused("cannot_reopen", exc.status) from exc
    application.decided_at = None
    application.decided_by_id = None
    application.decision_reason = None
    application.awarded_level = None
    db.session.flush()


# --- the table ----------------------------------------------------------------------------------


def check_step(appeal: Appeal, action: AppealAction, actor: User, comment: str = "") -> None:
    """Raise AppealRefused unless `actor` may take `action` now (before asking to confirm)."""
    try:
        check_transition(action, appeal.status, appeal.actors_for(actor), comment)
    except TransitionError as exc:
        raise AppealRefused(exc.reason, exc.status) from exc


def _move(appeal: Appeal, action: AppealAction, actor: User, comment: str) -> None:
    before = appeal.status
    target = check_transition(action, before, appeal.actors_for(actor), comment)
    appeal.state = target.value
    db.session.flush()
    _audit(appeal, f"appeal.{action.value}", actor, before, target, comment)


def _audit(appeal, action, actor, from_state=None, to_state=None, comment=None) -> None:
    """On the appeal, and on the application or label it concerns (their timelines). (A
    label's public verification shows "under appeal": registry.sync renews its kept pages
    as the appeal is flushed.)"""
    values = {
        "actor": actor,
        "from_state": from_state.value if from_state else None,
        "to_state": to_state.value if to_state else None,
        "comment": (comment or "").strip() or None,
        "data": {"appeal": appeal.id, "subject": appeal.subject},
    }
    record_event(action, "appeal", appeal.id, **values)
    if appeal.application_id is not None:
        record_event(action, "application", appeal.application_id, **values)
    if appeal.label_id is not None:
        record_event(action, "label", appeal.label_id, **values)


def overdue_appeals(today: date) -> list[Appeal]:
    """Open appeals past the panel's due date (for the reminders)."""
    return list(
        db.session.scalars(
            select(Appeal).where(
                Appeal.state.in_([s.value for s in AppealState if s.is_open]),
                Appeal.due_on < today,
            )
        )
    )
