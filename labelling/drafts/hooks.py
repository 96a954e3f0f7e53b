"""What drafts plug into the layers below them: the simulation runs as a background job."""

from __future__ import annotations

from labelling.drafts.simulation import run
from labelling.jobs.queue import TASKS


def register() -> None:
    TASKS.register("drafts.simulate", run)
