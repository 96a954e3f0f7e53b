"""Enqueue named tasks after the commit of what they act on; run them in a worker.

A task is a function a feature registers in `TASKS` under a name the queue stores (stable
across releases), called with plain arguments (ids, not objects) so that a job holds
nothing stale. Every task is idempotent: the record it acts on says whether the work is
done, so a job run twice (a retry, a worker that died, a sweep that enqueued it again)
does the work once.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from contextlib import suppress

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from labelling.core.hooks import Registry
from labelling.core.http import site_request_context
from labelling.core.observability import JOBS
from labelling.extensions import db

log = logging.getLogger(__name__)
job_log = logging.getLogger("labelling.jobs")

# name -> function; each feature registers its own from its hooks (jobs knows none of them).
TASKS: Registry[Callable[..., object]] = Registry("background tasks")


def queue_configured() -> bool:
    return bool(current_app.config.get("JOBS_REDIS_URL"))


def redis_connection(app=None):
    """The jobs' Redis client, one per application, with short socket timeouts: a Redis
    that is down or silent costs a request REDIS_TIMEOUT_SECONDS, never a hung worker."""
    app = app or current_app._get_current_object()
    client = app.extensions.get("jobs_redis")
    if client is None:
        from redis import Redis

        timeout = app.config["REDIS_TIMEOUT_SECONDS"]
        client = Redis.from_url(
            app.config["JOBS_REDIS_URL"], socket_timeout=timeout, socket_connect_timeout=timeout
        )
        app.extensions["jobs_redis"] = client
    return client


def job_queue(app=None):
    from rq import Queue

    app = app or current_app._get_current_object()
    return Queue(app.config["JOBS_QUEUE"], connection=redis_connection(app))


def retry_intervals(config) -> list[int]:
    """Seconds before each retry of a failed job: base, 2 x base, 4 x base, ..."""
    base = int(config["JOB_RETRY_BASE_SECONDS"])
    return [base * 2**attempt for attempt in range(int(config["JOB_MAX_RETRIES"]))]


def enqueue(
    task: str, *args: int | str, key: str | None = None, replace_stale: bool = False
) -> bool:
    """Have `task` run with `args` in the background; False when Redis could not take it.

    `key` names the work (e.g. "mail-42"; letters, digits, "-" and "_"): while a job with
    that key waits or runs, a second enqueue adds nothing (the queue's name prefixes it,
    so installations sharing one Redis keep apart). Without a queue configured the task
    runs here and now (the caller has committed). When Redis is down nothing is lost: a
    task acts on a database record, which the scheduler's sweep finds and enqueues again.

    `replace_stale` is the sweep's: it knows the record is still waiting, so a job under
    the key that is not waiting in the queue (one whose worker was killed: RQ keeps it
    "started" until its own clean-up, minutes later; or failed, kept for 30 days) is
    removed and the work enqueued again. Tasks are idempotent, so even a job that was in
    fact still running does the work once.
    """
    if not queue_configured():
        run_in_process(task, *args)
        return True
    from redis.exceptions import RedisError
    from rq import Retry
    from rq.exceptions import DuplicateJobError

    config = current_app.config
    intervals = retry_intervals(config)
    try:
        job_queue().enqueue_call(
            "labelling.jobs.queue.perform",
            args=(task, *args),
            job_id=f"{config['JOBS_QUEUE']}-{key}" if key else None,
            unique=key is not None,
            retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
            timeout=config["JOB_TIMEOUT_SECONDS"],
            result_ttl=0,  # the database holds the outcome; a key is free again at once
            failure_ttl=config["JOB_FAILURE_KEEP_DAYS"] * 86400,
            description=f"{task}{args!r}",
        )
    except DuplicateJobError:
        if replace_stale and _removed_unless_waiting(f"{config['JOBS_QUEUE']}-{key}"):
            return enqueue(task, *args, key=key)
        return True
    except RedisError as exc:
        log.warning("Job %s%r not queued (Redis: %s); the sweep will find it", task, args, exc)
        return False
    return True


def _removed_unless_waiting(job_id: str) -> bool:
    """Remove the job `job_id` unless it waits to run (queued, scheduled or deferred);
    True when the id is free."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    try:
        job = Job.fetch(job_id, connection=redis_connection())
    except NoSuchJobError:
        return True  # it ended meanwhile
    if job.get_status(refresh=False) in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED):
        return False
    job.delete()
    log.info("Job %s was no longer waiting (its worker died, or it failed): enqueued again", job_id)
    return True


AFTER_COMMIT = "labelling.jobs.after_commit"


def enqueue_after_commit(task: str, *args: int | str, key: str | None = None) -> None:
    """Enqueue once the current transaction commits (what the task acts on is then there
    for the worker to read); nothing when it rolls back. A keyed task asked for twice in
    one transaction is enqueued once (the key names the work)."""
    pending = db.session.info.setdefault(AFTER_COMMIT, [])
    if key is None or all(key != other for _task, _args, other in pending):
        pending.append((task, args, key))


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    if session.in_nested_transaction():
        # A savepoint was released (`begin_nested`): SQLAlchemy says "commit", but nothing
        # is committed until the transaction around it is; a worker would not see it yet.
        return
    pending = session.info.pop(AFTER_COMMIT, None)
    if pending and current_app:
        for task, args, key in pending:
            enqueue(task, *args, key=key)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    # A savepoint rolled back leaves the transaction, and what it enqueued, going on (a task
    # whose record was rolled back with the savepoint finds nothing to do).
    if not session.in_nested_transaction():
        session.info.pop(AFTER_COMMIT, None)


def run_in_process(task: str, *args: int | str) -> None:
    """Run a task now, as the embedded default does; a failure is logged, never raised
    (the caller's transaction has committed, and its response must not fail)."""
    with suppress(Exception):
        perform(task, *args)


def perform(task: str, *args: int | str) -> None:
    """The worker's entry point: one task in a fresh application context and transaction,
    ending in one JSON log line. A failure rolls back and raises, so RQ retries it."""
    app = current_app._get_current_object()
    started = time.perf_counter()
    outcome = "done"
    # A new application context is a new session: the caller's (a request that has just
    # committed, the worker's own) is left as it was.
    with app.app_context(), site_request_context(app):
        try:
            TASKS[task](*args)
            db.session.commit()
        except Exception:
            outcome = "failed"
            db.session.rollback()
            job_log.exception("Job %s%r failed", task, args)
            raise
        finally:
            db.session.remove()
            JOBS.labels(task, outcome).inc()
            job_log.info(
                json.dumps(
                    {
                        "event": "job",
                        "task": task,
                        "args": list(args),
                        "outcome": outcome,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                )
            )
