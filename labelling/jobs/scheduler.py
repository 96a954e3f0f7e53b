"""Periodic work: the outbox sweep and the tick duties at every tick, the daily tasks once
a day.

`labelling scheduler` ticks every SCHEDULER_TICK_SECONDS; a cron line running
`labelling scheduler --once` every minute does the same. Any number of hosts may run
either: the sweep only enqueues messages that are due (one job per message at a time),
and each day's tasks are claimed in `scheduled_run` before they are enqueued, so the
unique constraint lets exactly one host through.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from flask import current_app
from sqlalchemy.exc import IntegrityError

from labelling.core.audit_checkpoints import write_checkpoint
from labelling.core.hooks import Registry
from labelling.extensions import db
from labelling.jobs.models import ScheduledRun
from labelling.jobs.queue import enqueue

# name -> `duty(today)`: what the daily run does, in the order the features registered it
# (the reminders, the purge of ended sessions, of evidence past its retention).
DAILY_DUTIES: Registry[Callable[[date], object]] = Registry("daily duties")

# name -> `duty(now)`: asked at every tick whether to enqueue its work (True when it did);
# cheap to ask, and the work itself decides whether there is anything to do (figures kept
# fresh ahead of their readers).
TICK_DUTIES: Registry[Callable[[datetime], bool]] = Registry("tick duties")


def run_daily_tasks(day: str) -> None:
    """Every registered daily duty for `day`, each committed before the next begins. Safe
    to run twice: a reminder is recorded before it is queued, and what was purged is gone."""
    today = date.fromisoformat(day)
    for duty in DAILY_DUTIES:
        duty(today)
        db.session.commit()
    # Last, so that the day's own events are under the signed head.
    write_checkpoint()


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
    enqueued += [name for name in TICK_DUTIES.names() if TICK_DUTIES[name](now)]
    if now.hour >= current_app.config["DAILY_TASKS_HOUR"]:
        day = now.date().isoformat()
        if claim_period("daily", day):
            enqueue("daily", day, key=f"daily-{day}")
            enqueued.append("daily")
    return enqueued
