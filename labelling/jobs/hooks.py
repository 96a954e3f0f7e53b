"""What the job infrastructure registers of its own: the daily run, as a task the scheduler
enqueues once a day."""

from __future__ import annotations

from labelling.jobs.queue import TASKS
from labelling.jobs.scheduler import run_daily_tasks


def register() -> None:
    TASKS.register("daily", run_daily_tasks)
