"""Reminders that go out at most once: each is recorded before its e-mail is queued.

Providers (callables `today -> Iterable[Reminder]`) say what is due; `send_reminders`
skips what the `sent_reminder` table already holds, so the command is safe to run twice,
or twice at once (the unique constraint decides; the loser skips).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from labelling.core.hooks import Registry
from labelling.extensions import db
from labelling.notifications.models import SentReminder
from labelling.notifications.services import queue_email


@dataclass(frozen=True)
class Reminder:
    kind: str
    object_type: str
    object_id: int
    occasion: str  # what it is about, e.g. "due-2026-12-07"; a new occasion reminds again
    recipient_email: str
    template: str
    context: dict = field(default_factory=dict, hash=False, compare=False)
    locale: str | None = None


Provider = Callable[[date], Iterable[Reminder]]

# Every reminder the daily run checks, registered by the features that have them.
REMINDERS: Registry[Provider] = Registry("reminders")


def reminder_providers() -> list[Provider]:
    return list(REMINDERS)


def _already_sent(reminder: Reminder) -> bool:
    return (
        db.session.scalar(
            select(SentReminder.id).where(
                SentReminder.kind == reminder.kind,
                SentReminder.object_type == reminder.object_type,
                SentReminder.object_id == reminder.object_id,
                SentReminder.occasion == reminder.occasion,
                SentReminder.recipient == reminder.recipient_email,
            )
        )
        is not None
    )


def _send_once(reminder: Reminder) -> bool:
    """Record and queue one reminder; False when it was (or is being) sent already."""
    if _already_sent(reminder):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                SentReminder(
                    kind=reminder.kind,
                    object_type=reminder.object_type,
                    object_id=reminder.object_id,
                    occasion=reminder.occasion,
                    recipient=reminder.recipient_email,
                )
            )
            db.session.flush()
            locale = reminder.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
            with force_locale(locale):
                queue_email(reminder.recipient_email, reminder.template, **reminder.context)
    except IntegrityError:
        return False  # a concurrent run recorded it first
    return True


def send_reminders(providers: Iterable[Provider], today: date) -> int:
    """Queue every due reminder not sent before; returns how many. The caller commits."""
    return sum(1 for provider in providers for reminder in provider(today) if _send_once(reminder))
