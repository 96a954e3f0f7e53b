"""What `send-reminders` asks of the assessment process: answers the applicant owes soon
(or late), and assessments past their due date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from labelling.assessments.models import Application, Assignment, AssignmentStatus
from labelling.assessments.models import InformationRequest as Request
from labelling.assessments.workflow import State
from labelling.core.http import external_url
from labelling.extensions import db
from labelling.notifications.reminders import Reminder
from labelling.organisations.services import managers_of


def answers_due(today: date) -> Iterator[Reminder]:
    """Open questions due within the configured days (once per deadline), and once more
    when the deadline has passed, to each manager of the organisation."""
    horizon = today + timedelta(days=current_app.config["REMINDER_DAYS_BEFORE_ANSWER_DUE"])
    rows = db.session.execute(
        select(Application, Request.due_on)
        .join(Request, Request.application_id == Application.id)
        .where(
            Application.state == State.MORE_INFORMATION.value,
            Request.replied_at.is_(None),
            Request.due_on <= horizon,
        )
        .group_by(Application.id, Request.due_on)
    )
    for application, due_on in rows:
        is_overdue = due_on < today
        occasion = f"{'overdue' if is_overdue else 'due'}-{due_on.isoformat()}"
        for manager in managers_of(application.organisation):
            yield Reminder(
                kind="answers_due",
                object_type="application",
                object_id=application.id,
                occasion=occasion,
                recipient_email=manager.email,
                template="reminder_answers_due",
                locale=manager.locale,
                context={
                    "recipient": manager,
                    "application": application,
                    "due_on": due_on,
                    "is_overdue": is_overdue,
                    "link": external_url("assessments.detail", app_id=application.id),
                },
            )


def overdue_assessments(today: date) -> Iterator[Reminder]:
    """Accepted assignments past their due date on applications still in assessment."""
    assignments = db.session.scalars(
        select(Assignment)
        .join(Application)
        .where(
            Assignment.status == AssignmentStatus.ACCEPTED.value,
            Assignment.due_on < today,
            Application.state.in_([State.IN_ASSESSMENT.value, State.MORE_INFORMATION.value]),
        )
    )
    for assignment in assignments:
        yield Reminder(
            kind="assessment_overdue",
            object_type="assignment",
            object_id=assignment.id,
            occasion=f"overdue-{assignment.due_on.isoformat()}",
            recipient_email=assignment.assessor.email,
            template="reminder_assessment_overdue",
            locale=assignment.assessor.locale,
            context={
                "recipient": assignment.assessor,
                "application": assignment.application,
                "assignment": assignment,
                "link": external_url("review.workspace", app_id=assignment.application_id),
            },
        )
