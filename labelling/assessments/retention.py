"""Evidence is kept no longer than needed: the files of applications refused or withdrawn
more than EVIDENCE_RETENTION_YEARS ago are deleted (0: kept for ever). Awarded
applications keep theirs: a label may be appealed, renewed or checked while it lives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy import func, select

from labelling.assessments import evidence as evidence_storage
from labelling.assessments.models import Application, Evidence
from labelling.assessments.workflow import State
from labelling.core.audit import record_event
from labelling.extensions import db


@dataclass(frozen=True)
class Expired:
    application_id: int
    state: str
    ended: datetime
    files: int
    bytes: int


def retention_cutoff(today: date, years: int) -> datetime:
    """The same day `years` earlier (28 February for a 29th), at midnight UTC."""
    day = min(today.day, 28) if today.month == 2 else today.day
    return datetime(today.year - years, today.month, day, tzinfo=UTC)


def expired_evidence(today: date) -> list[Expired]:
    years = current_app.config["EVIDENCE_RETENTION_YEARS"]
    if not years:
        return []
    ended = func.coalesce(Application.decided_at, Application.updated_at)
    rows = db.session.execute(
        select(Application.id, Application.state, ended, func.count(), func.sum(Evidence.size))
        .join(Evidence, Evidence.application_id == Application.id)
        .where(
            Application.state.in_([State.REFUSED, State.WITHDRAWN]),
            ended < retention_cutoff(today, years),
            Evidence.stored_name.is_not(None),
        )
        .group_by(Application.id, Application.state, ended)
        .order_by(Application.id)
    )
    return [Expired(*row) for row in rows]


def purge_expired_evidence(today: date) -> list[Expired]:
    """Delete the records (one audit event per application) and commit, then the files:
    a failure may leave a file without its record, never a record without its file."""
    expired = expired_evidence(today)
    doomed: list[str] = []
    for item in expired:
        rows = db.session.scalars(
            select(Evidence).where(
                Evidence.application_id == item.application_id, Evidence.stored_name.is_not(None)
            )
        ).all()
        doomed.extend(row.stored_name for row in rows)
        for row in rows:
            db.session.delete(row)
        record_event(
            "application.evidence_purged",
            "application",
            item.application_id,
            data={"files": item.files},
        )
    db.session.commit()
    for stored_name in doomed:
        evidence_storage.discard(stored_name)
    return expired
