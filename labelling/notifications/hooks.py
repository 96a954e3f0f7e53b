"""What the outbox plugs into the layers below it: its jobs, the daily reminders, its figure."""

from __future__ import annotations

from datetime import date

from labelling.core.observability import FIGURES
from labelling.jobs.queue import TASKS
from labelling.jobs.scheduler import DAILY_DUTIES
from labelling.notifications.delivery import deliver_message, sweep_outbox
from labelling.notifications.reminders import reminder_providers, send_reminders
from labelling.notifications.services import outbox_figures


def send_due_reminders(today: date) -> None:
    send_reminders(reminder_providers(), today)


def register() -> None:
    TASKS.register("mail.deliver", deliver_message)
    TASKS.register("outbox.sweep", sweep_outbox)
    DAILY_DUTIES.register("reminders", send_due_reminders)
    FIGURES.register("outbox", outbox_figures)
