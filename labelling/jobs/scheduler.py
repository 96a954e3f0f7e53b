"""Periodic work: the outbox sweep at every tick, the daily tasks once a day.

`labelling scheduler` ticks every SCHEDULER_TICK_SECONDS; a cron line running
`labelling scheduler --once` every minute does the same. Any number of hosts may run
either: the sweep only enqueues messages that are due (one job per message at a time),
and each day's tasks are claimed in `scheduled_run` before they are enqueued, so the
unique constraint lets exactly one host through.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from sqlalchemy.exc import IntegrityError

from labelling.extensions import db
from labelling.jobs.models import ScheduledRun
from labelling.jobs.queue import enqueue


def reminder_providers() -> list:
    """Every reminder the daily tasks check, in order; a feature with reminders adds its own."""
    from labelling.appeals.reminders import overdue_panels
    from labelling.assessments.reminders import answers_due, overdue_assessments
    from labelling.certificates.reminders import label_expiry

    return [answers_due, overdue_assessments, label_expiry, overdue_panels]


def run_daily_tasks(day: str) -> int:
    """The day's reminders, the purge of ended sessions and of evidence past its retention;
    returns the reminders queued. Safe to run twice: a reminder is recorded before it is
    queued, and what was purged is gone."""
    from labelling.accounts.sessions import purge_expired_sessions
    from labelling.assessments.retention import purge_expired_evidence
    from labelling.notifications.reminders import send_reminders

    today = date.fromisoformat(day)
    queued = send_reminders(reminder_providers(), today)
    purge_expired_sessions()
    db.session.commit()
    purge_expired_evidence(today)
    return queued


def claim_period(task: str, period: str) -> bool:
    """Record that `task` starts for `period` (committed); False when a host did already."""
    try:
        db.session.add(ScheduledRun(task=task, period=period))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def tick(now: datetime) -> list[str]:
    """Enqueue what is due at `now` (UTC); returns the tasks enqueued."""
    enqueued = ["outbox.sweep"] if enqueue("outbox.sweep") else []
    if now.hour >= current_app.config["DAILY_TASKS_HOUR"]:
        day = now.date().isoformat()
        if claim_period("daily", day):
            enqueue("daily", day, key=f"daily-{day}")
            enqueued.append("daily")
    return enqueued
