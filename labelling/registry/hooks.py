"""What the registry plugs into the layers below it: its read model follows every flush that
changes labels, certificates and organisations, the job that makes its public answers
after a change, and the one that keeps the accountability figures fresh."""

from __future__ import annotations

from labelling.jobs.queue import TASKS
from labelling.jobs.scheduler import TICK_DUTIES
from labelling.registry.accountability import refresh_figures, schedule_refresh
from labelling.registry.sync import follow_unit_of_work
from labelling.registry.warming import warm_public_answers


def register() -> None:
    follow_unit_of_work()
    TASKS.register("registry.warm", warm_public_answers)
    TASKS.register("registry.accountability", refresh_figures)
    TICK_DUTIES.register("registry.accountability", schedule_refresh)
