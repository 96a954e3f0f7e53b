"""The audit log: one row for every state change and every e-mail, who did it and when.

The rows form a keyed hash chain: each carries the HMAC-SHA256 of its own content and of
the row before it, under an audit key kept outside the database (core.keys, named by
`key_id`), computed as it is written, in the writer's transaction. Nobody who can only
write to the database can recompute a valid chain; events from before the chain was keyed
keep their plain SHA-256 (no `key_id`), and none may follow a keyed one. Signed
checkpoints of the head, written outside the database (core.audit_checkpoints), show a
tail that was cut or replaced. Changing, removing or
slipping in a row breaks the chain from there on; `labelling audit verify` walks it and
names the first broken link. Decisions and certificates record the head of the chain at
their time, and the public verification page shows it, so that even a rewrite of the
whole chain from some point on disagrees with what was published.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event, inspect, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from labelling.core.keys import audit_keys
from labelling.db import UTCDateTime, utcnow
from labelling.extensions import db

GENESIS = "0" * 64  # the "previous hash" of the first event
# PostgreSQL advisory lock that serialises writers of the chain until they commit, so
# that two transactions never both extend the same head (a fork).
CHAIN_LOCK = 0x1AB_E11ED


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
    # Unique both: an event has one successor, so a chain that forked could not be written.
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    chain_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    # The audit key its hash is keyed with (core.keys.key_id); None: a plain SHA-256, from
    # before the chain was keyed.
    key_id: Mapped[str | None] = mapped_column(String(16))


def event_digest(row, prev_hash: str, key: bytes | None = None) -> str:
    """The HMAC-SHA256 under `key` (SHA-256 without one) of an event's content and of the
    previous event's hash. `row` is an AuditEvent or a row with the same attributes (the
    verifier reads plain rows)."""
    content = {
        "created_at": _utc_iso(row.created_at),
        "actor_id": row.actor_id,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "from_state": row.from_state,
        "to_state": row.to_state,
        "comment": row.comment,
        "data": row.data,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if key is None:
        return hashlib.sha256(canonical.encode()).hexdigest()
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def _utc_iso(moment: datetime) -> str:
    from datetime import UTC

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@event.listens_for(Session, "before_flush")
def _chain_new_events(session: Session, _flush_context, _instances) -> None:
    """Link the events about to be written to the head of the chain, in the order they
    were recorded, under the chain lock (held until this transaction ends)."""
    new = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not new:
        return
    new.sort(key=lambda obj: inspect(obj).insert_order)
    with session.no_autoflush:
        lock_chain(session)
        head = chain_head(session)
    key_id, key = audit_keys()[0]
    for item in new:
        item.created_at = item.created_at or utcnow()
        # Microseconds are what every database keeps; the hash is of the stored value.
        item.prev_hash = head
        item.key_id = key_id
        item.chain_hash = head = event_digest(item, head, key)


def lock_chain(session: Session) -> None:
    """Hold the right to extend the chain until this transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    else:
        # SQLite has one writer at a time: a write statement (matching nothing) takes
        # that place before the head is read.
        session.execute(text("UPDATE audit_event SET id = id WHERE 1 = 0"))


def chain_head(session: Session | None = None) -> str:
    """The hash of the latest event written (in this transaction's view), or GENESIS."""
    session = session or db.session
    head = session.execute(
        select(AuditEvent.chain_hash).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar()
    return head or GENESIS


def current_chain_head() -> str:
    """The head including this transaction's own pending events: what a decision or a
    certificate records."""
    db.session.flush()
    return chain_head()


@dataclass(frozen=True)
class BrokenLink:
    event_id: int
    problem: str  # "changed": its content no longer matches its hash; "unlinked": the
    # event before it is not the one it was written after (removed, inserted or reordered);
    # "unkeyed": a plain hash after keyed ones; "unknown key": keyed with a key not set;
    # "plain head": the latest event is not keyed


def verify_chain(batch: int = 2000) -> tuple[int, BrokenLink | None]:
    """Walk the whole chain in order: how many events, and the first broken link."""
    keys = dict(audit_keys())
    expected_prev = GENESIS
    count, keyed = 0, False
    for row in _rows_in_order(batch):
        count += 1
        if row.prev_hash != expected_prev:
            return count, BrokenLink(row.id, "unlinked")
        if row.key_id is None and keyed:
            return count, BrokenLink(row.id, "unkeyed")
        if row.key_id is not None and row.key_id not in keys:
            return count, BrokenLink(row.id, "unknown key")
        keyed = row.key_id is not None
        key = keys.get(row.key_id) if keyed else None
        if not hmac.compare_digest(event_digest(row, row.prev_hash, key), row.chain_hash):
            return count, BrokenLink(row.id, "changed")
        expected_prev = row.chain_hash
    if count and not keyed:
        # Every event written since the chain was keyed bears the key (the upgrade that
        # keyed it wrote one): a plain head is a chain rewritten without the key.
        return count, BrokenLink(row.id, "plain head")
    return count, None


def _rows_in_order(batch: int) -> Iterator:
    columns = [c for c in AuditEvent.__table__.columns]
    last_id = 0
    while True:
        rows = db.session.execute(
            select(*columns).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


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
        "user.session_ended": _("Session ended"),
        "user.email_confirmed": _("E-mail address confirmed"),
        "user.second_factor_enabled": _("Two-step sign-in turned on"),
        "user.second_factor_disabled": _("Two-step sign-in turned off"),
        "user.second_factor_failed": _("Wrong second-factor code"),
        "user.recovery_code_used": _("Recovery code used"),
        "user.recovery_codes_renewed": _("New recovery codes"),
        "user.roles_changed": _("Roles changed"),
        "user.erased": _("Account erased at its holder's request"),
        "organisation.created": _("Organisation registered"),
        "organisation.updated": _("Profile updated"),
        "organisation.member_invited": _("Team member invited"),
        "organisation.member_joined": _("Team member joined"),
        "organisation.member_removed": _("Team member removed"),
        "technology_area_name.mapped": _("A register's name for a technology area mapped"),
        "technology_area_name.forgotten": _("A register's name for a technology area forgotten"),
        "email.queued": _("E-mail queued"),
        "email.retried": _("E-mail sent again by hand"),
        "job.retried": _("Failed background job put back on the queue"),
        "application.created": _("Application started"),
        "application.imported": _("Earlier award recorded from the existing register"),
        "application.answers_saved": _("Answers saved"),
        "application.evidence_added": _("Evidence added"),
        "application.improvement_areas_saved": _("Improvement areas saved"),
        "application.not_applicable_saved": _("Not-applicable indicators saved"),
        "application.evidence_removed": _("Evidence removed"),
        "application.evidence_purged": _("Evidence files deleted after the retention period"),
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
        "twinning.switched_on": _("Twinning switched on"),
        "twinning.switched_off": _("Twinning switched off"),
        "twinning.profile_saved": _("Twinning settings saved"),
        "twinning.requested": _("Twinning requested"),
        "twinning.accepted": _("Twinning request accepted"),
        "twinning.declined": _("Twinning request declined"),
        "twinning.withdrawn": _("Twinning request withdrawn"),
        "twinning.ended": _("Partnership ended"),
        "twinning.plan_saved": _("Twinning plan saved"),
        "twinning.activity_added": _("Activity added to the plan"),
        "twinning.activity_removed": _("Activity removed from the plan"),
        "audit.chain_keyed": _("Audit trail keyed from here on"),
        "draft.simulated": _("Impact of a draft simulated"),
        "calibration.case_created": _("Reference case drafted"),
        "calibration.case_published": _("Reference case published"),
        "calibration.case_withdrawn": _("Reference case withdrawn"),
        "calibration.completed": _("Calibration exercise completed"),
        "calibration.requirement_set": _("Calibration rule of the body changed"),
        "consultation.opened": _("Draft opened for public comment"),
        "consultation.commented": _("Comment on a draft received"),
        "consultation.comment_confirmed": _("Comment on a draft confirmed"),
        "consultation.responded": _("Response to comments written"),
        "consultation.responses_published": _("Responses to comments published"),
        "consultation.report_published": _("Consultation report published"),
    }


def action_label(action: str) -> str:
    """The translated, human wording of an audit action code."""
    return _action_labels().get(action, action)
