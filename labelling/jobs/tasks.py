"""Every task a job may run, by the name the queue stores (stable across releases)."""

from __future__ import annotations

from collections.abc import Callable

from labelling.certificates.services import store_certificate_pdf
from labelling.jobs.scheduler import run_daily_tasks
from labelling.notifications.delivery import deliver_message, sweep_outbox

TASKS: dict[str, Callable[..., object]] = {
    "mail.deliver": deliver_message,
    "certificate.render": store_certificate_pdf,
    "outbox.sweep": sweep_outbox,
    "daily": run_daily_tasks,
}
