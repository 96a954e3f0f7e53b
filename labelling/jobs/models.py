"""What the scheduler records: which periodic task has started for which period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from labelling.db import UTCDateTime, utcnow
from labelling.extensions import db


class ScheduledRun(db.Model):
    """A periodic task that has started for its period (e.g. the reminders of one day).

    The scheduler inserts the row before it enqueues the task: on several hosts, or with a
    cron line on each, the unique constraint lets exactly one of them through.
    """

    __tablename__ = "scheduled_run"
    __table_args__ = (UniqueConstraint("task", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(40), nullable=False)
    period: Mapped[str] = mapped_column(String(40), nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
