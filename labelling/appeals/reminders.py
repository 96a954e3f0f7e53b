"""Reminders about appeals: a panel whose decision is overdue (once per member)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from labelling.appeals.services import overdue_appeals
from labelling.core.http import external_url
from labelling.extensions import db
from labelling.notifications.reminders import Reminder
from labelling.organisations.models import Organisation


def overdue_panels(today: date) -> Iterator[Reminder]:
    """Open appeals past the panel's due date: each panel member is reminded once."""
    for appeal in overdue_appeals(today):
        organisation = db.session.get(Organisation, appeal.organisation_id)
        for user in appeal.panel_users or []:
            yield Reminder(
                kind="appeal_overdue",
                object_type="appeal",
                object_id=appeal.id,
                occasion=f"overdue-{appeal.due_on.isoformat()}-{user.id}",
                recipient_email=user.email,
                template="reminder_appeal_overdue",
                locale=user.locale,
                context={
                    "recipient": user,
                    "appeal": appeal,
                    "organisation": organisation,
                    "link": external_url("appeals.detail", appeal_id=appeal.id),
                },
            )
