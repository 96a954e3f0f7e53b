"""`labelling worker` and `labelling scheduler`: the two processes beside the web servers."""

from __future__ import annotations

import logging
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from labelling.core.settings_check import reachability_problems, stop_for
from labelling.db import utcnow
from labelling.extensions import db
from labelling.jobs.queue import job_queue, queue_configured
from labelling.jobs.scheduler import tick

log = logging.getLogger(__name__)


def require_reachable_services() -> None:
    """The database and Redis answer, or the process stops with one line for each."""
    problems = reachability_problems(current_app.config)
    if problems:
        stop_for(problems)


# RQ listens for commands (stop a job, shut down) on a pub/sub thread that wakes every
# 60 s, and redis-py's stop() now waits for that thread: a worker's shutdown, and every
# `--burst` run, could hang for a minute after its last job. Waking every second bounds it.
PUBSUB_WAKE_SECONDS = 1


class BriefListener:
    """For RQ workers: their command listener wakes every PUBSUB_WAKE_SECONDS."""

    def subscribe(self):
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=PUBSUB_WAKE_SECONDS,
            daemon=True,
            exception_handler=self._pubsub_exception_handler,
        )


def app_worker_class():
    from rq import Worker

    class AppWorker(BriefListener, Worker):
        """RQ's forking worker; each job's child process opens database connections of
        its own instead of sharing the parent's (a connection must not cross a fork)."""

        def main_work_horse(self, job, queue):
            db.engine.dispose(close=False)
            return super().main_work_horse(job, queue)

    return AppWorker


@click.command("check-settings")
@with_appcontext
def check_settings():
    """Check the settings and that the database and Redis answer (before starting)."""
    require_reachable_services()  # the settings' form was checked when the app was made
    click.echo("The settings are sound; the database and Redis answer.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then exit.")
@with_appcontext
def worker(burst: bool):
    """Run background jobs from Redis (LABELLING_JOBS_REDIS_URL), retries included."""
    if not queue_configured():
        raise click.ClickException(
            "LABELLING_JOBS_REDIS_URL is not set: jobs run inside the web process."
        )
    require_reachable_services()
    queue = job_queue()
    worker = app_worker_class()([queue], connection=queue.connection)
    # The worker's own scheduler moves retries whose back-off has passed onto the queue.
    worker.work(burst=burst, with_scheduler=True, logging_level="INFO")


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Enqueue what is due now, then exit (for cron).")
@with_appcontext
def scheduler(once: bool):
    """Enqueue the periodic work: the outbox sweep at each tick, the reminders daily.

    Safe on several hosts at once; alternatively run `labelling scheduler --once` from
    cron every minute.
    """
    require_reachable_services()
    interval = current_app.config["SCHEDULER_TICK_SECONDS"]
    while True:
        try:
            enqueued = tick(utcnow())
        except Exception:
            # A database or Redis away for a while must not end the scheduler.
            db.session.rollback()
            log.exception("Scheduler tick failed; trying again in %s s", interval)
            enqueued = []
        if once:
            click.echo(f"Enqueued: {', '.join(enqueued) or 'nothing'}.")
            return
        time.sleep(interval)
