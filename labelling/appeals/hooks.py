"""What appeals plug into the layers below them: the reminder of overdue panels, the
documents in a person's data download, and the appeals shown on an application's page."""

from __future__ import annotations

from sqlalchemy import select

from labelling.accounts.models import User
from labelling.accounts.personal_data import UPLOADED_FILES
from labelling.appeals.models import Appeal
from labelling.appeals.reminders import overdue_panels
from labelling.appeals.services import appeals_of, may_appeal
from labelling.assessments.signals import application_page
from labelling.extensions import db
from labelling.notifications.reminders import REMINDERS


def documents_lodged_by(user: User) -> list[tuple[str, str]]:
    """(stored name, name in the download) of each appeal document the person lodged."""
    rows = db.session.execute(
        select(Appeal.id, Appeal.document_stored_name, Appeal.document_filename).where(
            Appeal.lodged_by_id == user.id, Appeal.document_stored_name.is_not(None)
        )
    )
    return [(stored, f"appeals/{id_}-{name}") for id_, stored, name in rows]


def appeals_on_application_page(application, *, user, **_context) -> dict:
    """Its appeals, and whether the reader may lodge one, once the application is decided."""
    if not application.is_decided:
        return {}
    return {
        "appeals": appeals_of(application=application),
        "may_appeal": may_appeal(user, application=application) is None,
    }


def register() -> None:
    application_page.connect(appeals_on_application_page)
    REMINDERS.register("overdue-panels", overdue_panels)
    UPLOADED_FILES.register("appeal-documents", documents_lodged_by)
