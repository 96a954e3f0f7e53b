"""What drafts plug into the layers below them: the simulation runs as a background job, and
the criteria pages say when a version is (or was) in consultation."""

from __future__ import annotations

from labelling.drafts.consultation import notice
from labelling.drafts.simulation import run
from labelling.frameworks.services import VERSION_NOTICES
from labelling.jobs.queue import TASKS


def register() -> None:
    TASKS.register("drafts.simulate", run)
    VERSION_NOTICES.register("consultation", notice)
