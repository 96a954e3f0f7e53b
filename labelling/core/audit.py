"""The audit log: one row for every state change and every e-mail, who did it and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from labelling.db import UTCDateTime, utcnow
from labelling.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(80), nullable=False)
    object_type: Mapped[str] = mapped_column(String(40), nullable=False)
    object_id: Mapped[int | None]
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    comment: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)


def record_event(
    action: str,
    obj_type: str,
    obj_id: int | None,
    *,
    actor=None,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller's commit makes it durable)."""
    actor_id = getattr(actor, "id", None) if actor is not None else None
    event = AuditEvent(
        action=action,
        object_type=obj_type,
        object_id=obj_id,
        actor_id=actor_id,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        data=data,
    )
    db.session.add(event)
    return event


def events_for(obj_type: str, obj_id: int) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.object_type == obj_type, AuditEvent.object_id == obj_id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
    return list(db.session.scalars(stmt))


def _action_labels() -> dict[str, str]:
    from flask_babel import gettext as _

    return {
        "user.registered": _("Account created"),
        "user.signed_in": _("Signed in"),
        "user.password_reset_requested": _("Password reset requested"),
        "user.password_changed": _("Password changed"),
        "user.roles_changed": _("Roles changed"),
        "organisation.created": _("Organisation registered"),
        "organisation.updated": _("Profile updated"),
        "organisation.member_invited": _("Team member invited"),
        "organisation.member_joined": _("Team member joined"),
        "organisation.member_removed": _("Team member removed"),
        "email.queued": _("E-mail queued"),
        "application.created": _("Application started"),
        "application.imported": _("Earlier award recorded from the existing register"),
        "application.answers_saved": _("Answers saved"),
        "application.evidence_added": _("Evidence added"),
        "application.improvement_areas_saved": _("Improvement areas saved"),
        "application.not_applicable_saved": _("Not-applicable indicators saved"),
        "application.evidence_removed": _("Evidence removed"),
        "application.submit": _("Application submitted"),
        "application.withdraw": _("Application withdrawn"),
        "application.start_screening": _("Eligibility screening started"),
        "application.return_to_applicant": _("Returned to the applicant"),
        "application.start_assessment": _("Assessment started"),
        "application.request_information": _("More information requested"),
        "application.answer_information": _("Information provided"),
        "application.complete_assessment": _("Assessment completed"),
        "application.send_back": _("Sent back to the assessors"),
        "application.award": _("Label awarded"),
        "application.refuse": _("Label refused"),
        "application.eligibility_confirmed": _("Eligibility confirmed"),
        "label.created": _("Label created"),
        "label.certificate_issued": _("Certificate issued"),
        "label.suspend": _("Label suspended"),
        "label.restore": _("Label restored"),
        "label.revoke": _("Label revoked"),
        "label.reinstate": _("Label valid again after an appeal"),
        "application.reopen_on_appeal": _("Decision reopened after an appeal"),
        "appeal.lodged": _("Appeal lodged"),
        "complaint.received": _("Complaint received, e-mail not yet confirmed"),
        "complaint.confirm_complaint": _("E-mail confirmed: complaint received"),
        "complaint.review_complaint": _("Review started"),
        "complaint.close_complaint": _("Complaint closed"),
        "appeal.form_panel": _("Appeal panel formed"),
        "appeal.uphold": _("Appeal rejected by the panel"),
        "appeal.overturn": _("Appeal upheld by the panel"),
        "application.assessor_assigned": _("Assessor asked to assess"),
        "application.assessor_removed": _("Assessor taken off"),
        "application.assignment_accepted": _("Assignment accepted, no conflict declared"),
        "application.assignment_declined": _("Assignment declined"),
        "application.indicator_scored": _("Indicator rated"),
        "application.indicator_consolidated": _("Indicator consolidated"),
        "application.question_added": _("Question added"),
        "application.improvement_areas_checked": _("Improvement areas checked"),
        "application.recommendation_saved": _("Recommendation saved"),
        "assessor.profile_created": _("Assessor added to the register"),
        "assessor.profile_updated": _("Assessor profile updated"),
        "assessor.accreditation_granted": _("Accreditation granted"),
        "assessor.accreditation_suspended": _("Accreditation suspended"),
        "assessor.accreditation_restored": _("Accreditation restored"),
        "assessor.conflict_declared": _("Conflict of interest declared"),
        "assessor.declaration_removed": _("Declaration removed"),
    }


def action_label(action: str) -> str:
    """The translated, human wording of an audit action code."""
    return _action_labels().get(action, action)
