"""What the registry plugs into the layers below it: its read model follows every flush that
changes labels, certificates and organisations, and the job that makes its public answers
after a change."""

from __future__ import annotations

from labelling.jobs.queue import TASKS
from labelling.registry.sync import follow_unit_of_work
from labelling.registry.warming import warm_public_answers


def register() -> None:
    follow_unit_of_work()
    TASKS.register("registry.warm", warm_public_answers)
