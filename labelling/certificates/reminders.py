"""Label expiry reminders for `send-reminders`: before the label runs out, and once after.

Each occasion (e.g. 30 days before the expiry of 2027-02-28) is sent once; when the
command has not run for a while, only the most imminent occasion reached is sent, never a
stale "90 days left" when seven remain. A label already continued by a renewal gets none.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import aliased

from labelling.certificates.models import Label, LabelStatus
from labelling.core.http import external_url
from labelling.extensions import db
from labelling.notifications.reminders import Reminder
from labelling.organisations.services import managers_of

# After this many days past the expiry, an expired label is history, not news.
AFTER_WINDOW_DAYS = 30


def expiry_occasion(
    valid_until: date, today: date, days_before: list[int], days_after: int
) -> str | None:
    """The reminder occasion `today` reaches for a label expiring on `valid_until`, if any:
    "before-N" for the fewest days left among the offsets reached, "after-N" once expired."""
    days_left = (valid_until - today).days
    if days_left >= 0:
        reached = [days for days in days_before if days_left <= days]
        return f"before-{min(reached)}" if reached else None
    if days_after <= -days_left <= days_after + AFTER_WINDOW_DAYS:
        return f"after-{days_after}"
    return None


def _labels_near_expiry(today: date, days_before: list[int], days_after: int) -> list[Label]:
    successor = aliased(Label)
    renewed = select(successor.id).where(
        successor.previous_label_id == Label.id, successor.status != LabelStatus.REVOKED.value
    )
    return list(
        db.session.scalars(
            select(Label).where(
                Label.status.in_([LabelStatus.ACTIVE.value, LabelStatus.SUSPENDED.value]),
                Label.valid_until <= today + timedelta(days=max(days_before, default=0)),
                Label.valid_until >= today - timedelta(days=days_after + AFTER_WINDOW_DAYS),
                ~renewed.exists(),
            )
        )
    )


def label_expiry(today: date) -> Iterator[Reminder]:
    # From the environment the list arrives as text ("90,30,7").
    days_before = [int(days) for days in current_app.config["LABEL_EXPIRY_REMINDER_DAYS_BEFORE"]]
    days_after = int(current_app.config["LABEL_EXPIRY_REMINDER_DAYS_AFTER"])
    for label in _labels_near_expiry(today, days_before, days_after):
        occasion = expiry_occasion(label.valid_until, today, days_before, days_after)
        if occasion is None:
            continue
        for manager in managers_of(label.organisation):
            if not manager.is_enabled:
                continue
            yield Reminder(
                kind="label_expiry",
                object_type="label",
                object_id=label.id,
                occasion=f"{occasion}-{label.valid_until.isoformat()}",
                recipient_email=manager.email,
                template="reminder_label_expiry",
                locale=manager.locale,
                context={
                    "recipient": manager,
                    "label": label,
                    "days_left": (label.valid_until - today).days,
                    "link": external_url("assessments.start", org_id=label.organisation_id),
                },
            )
