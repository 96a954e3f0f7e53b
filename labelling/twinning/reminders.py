"""What `send-reminders` asks of twinning: a request unanswered for the configured days
reminds the asked organisation's managers, once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from labelling.core.http import external_url
from labelling.extensions import db
from labelling.notifications.reminders import Reminder
from labelling.organisations.services import managers_of
from labelling.twinning.models import Partnership
from labelling.twinning.rules import PartnershipState


def unanswered_requests(today: date) -> Iterator[Reminder]:
    days = current_app.config["TWINNING_REMINDER_DAYS"]
    cutoff = datetime.combine(today - timedelta(days=days), time.max, tzinfo=UTC)
    requests = db.session.scalars(
        select(Partnership).where(
            Partnership.state == PartnershipState.REQUESTED.value,
            Partnership.created_at <= cutoff,
        )
    )
    for partnership in requests:
        for manager in managers_of(partnership.partner):
            yield Reminder(
                kind="twinning_unanswered",
                object_type="partnership",
                object_id=partnership.id,
                occasion="unanswered",
                recipient_email=manager.email,
                template="reminder_twinning_request",
                locale=manager.locale,
                context={
                    "recipient": manager,
                    "partnership": partnership,
                    "requester": partnership.requester,
                    "days": days,
                    "link": external_url("twinning_plan.detail", partnership_id=partnership.id),
                },
            )
