"""Label services: the label an award creates, and the labels an organisation holds."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from labelling.assessments.models import Application
from labelling.certificates.models import Label, LabelStatus
from labelling.certificates.validity import label_validity
from labelling.core.audit import record_event
from labelling.criteria.framework import Framework
from labelling.extensions import db


def labels_of(organisation_id: int) -> list[Label]:
    """Every label of the organisation, newest first."""
    return list(
        db.session.scalars(
            select(Label)
            .where(Label.organisation_id == organisation_id)
            .order_by(Label.valid_until.desc(), Label.id.desc())
        )
    )


def latest_label(organisation_id: int, level: str | None = None) -> Label | None:
    """The organisation's most recent label that was not revoked (of `level`, if given)."""
    for label in labels_of(organisation_id):
        if label.status != LabelStatus.REVOKED and level in (None, label.level):
            return label
    return None


def create_label_for(application: Application, framework: Framework) -> Label:
    """The label an awarded application gives its organisation.

    A renewal within the level's window continues the previous label of the same level
    with no gap (see validity.label_validity). Requires an awarded application with its
    level and assessment date; flushes, never commits.
    """
    level = framework.level(application.awarded_level)
    previous = latest_label(application.organisation_id, level.id)
    valid_from, valid_until = label_validity(
        level, application.assessment_date, previous.valid_until if previous else None
    )
    label = Label(
        organisation_id=application.organisation_id,
        application_id=application.id,
        level=level.id,
        framework_id=framework.id,
        framework_version=framework.version,
        assessment_date=application.assessment_date,
        valid_from=valid_from,
        valid_until=valid_until,
        previous_label_id=previous.id if previous else None,
    )
    db.session.add(label)
    db.session.flush()
    record_event(
        "label.created",
        "label",
        label.id,
        actor=application.decided_by,
        data={
            "application": application.id,
            "level": level.id,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat(),
        },
    )
    return label


def create_label_on_award(application: Application, framework: Framework, **_extra) -> None:
    """Receiver of assessments.signals.application_awarded."""
    create_label_for(application, framework)


def held_labels(organisation_id: int, today: date | None = None) -> list[tuple[Label, LabelStatus]]:
    today = today or date.today()
    return [(label, label.status_on(today)) for label in labels_of(organisation_id)]
