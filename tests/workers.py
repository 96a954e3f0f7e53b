"""`labelling worker --burst` in the test's own process."""

from __future__ import annotations

from rq import SimpleWorker

from labelling.jobs.cli import BriefListener
from labelling.jobs.queue import job_queue


class BurstWorker(BriefListener, SimpleWorker):
    """The app's worker without the fork, for running jobs in the test's process."""


def run_worker(app) -> None:
    """What `labelling worker --burst` does, in this process: every job waiting now."""
    queue = job_queue(app)
    BurstWorker([queue], connection=queue.connection).work(burst=True)
