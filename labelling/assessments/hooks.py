"""What applications plug into the layers below them: their reminders, the daily purge of
evidence past its retention, the evidence in a person's data download, and the
applications shown on an organisation's page."""

from __future__ import annotations

from sqlalchemy import select

from labelling.accounts.models import User
from labelling.accounts.personal_data import UPLOADED_FILES
from labelling.assessments.models import Evidence
from labelling.assessments.reminders import answers_due, overdue_assessments
from labelling.assessments.retention import purge_expired_evidence
from labelling.assessments.services import applications_of
from labelling.extensions import db
from labelling.jobs.scheduler import DAILY_DUTIES
from labelling.notifications.reminders import REMINDERS
from labelling.organisations.signals import organisation_page


def evidence_uploaded_by(user: User) -> list[tuple[str, str]]:
    """(stored name, name in the download) of each evidence file the person uploaded."""
    rows = db.session.execute(
        select(Evidence.id, Evidence.stored_name, Evidence.filename).where(
            Evidence.uploaded_by_id == user.id, Evidence.stored_name.is_not(None)
        )
    )
    return [(stored, f"evidence/{id_}-{name}") for id_, stored, name in rows]


def applications_on_organisation_page(organisation, **_context) -> dict:
    return {"applications": applications_of([organisation.id])}


def register() -> None:
    organisation_page.connect(applications_on_organisation_page)
    REMINDERS.register("answers-due", answers_due)
    REMINDERS.register("overdue-assessments", overdue_assessments)
    DAILY_DUTIES.register("purge-evidence", purge_expired_evidence)
    UPLOADED_FILES.register("evidence", evidence_uploaded_by)
