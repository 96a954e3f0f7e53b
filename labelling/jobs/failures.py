"""The dead-letter list: jobs that failed after every retry, kept by RQ, shown to staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from labelling.jobs.queue import job_queue, queue_configured


class QueueUnavailable(Exception):
    """Redis did not answer."""


@dataclass(frozen=True)
class FailedJob:
    id: str
    description: str
    failed_at: datetime | None
    error: str  # the exception's last line; the whole traceback is in the worker's log


def _registry():
    from rq.registry import FailedJobRegistry

    queue = job_queue()
    return FailedJobRegistry(queue=queue)


def failed_jobs(limit: int = 200) -> list[FailedJob]:
    """The failed jobs, newest first; empty without a queue; QueueUnavailable when Redis
    does not answer."""
    if not queue_configured():
        return []
    from redis.exceptions import RedisError
    from rq.job import Job

    try:
        registry = _registry()
        ids = registry.get_job_ids(0, limit - 1, desc=True)
        jobs = Job.fetch_many(ids, connection=registry.connection)
    except RedisError as exc:
        raise QueueUnavailable from exc
    return [
        FailedJob(
            id=job.id,
            description=job.description or job.id,
            failed_at=job.ended_at,
            error=_last_line(job.latest_result()),
        )
        for job in jobs
        if job is not None
    ]


def _last_line(result) -> str:
    text = (getattr(result, "exc_string", None) or "").strip()
    return text.splitlines()[-1] if text else ""


def retry_failed_job(job_id: str) -> bool:
    """Put a failed job back on the queue; False when it is no longer in the list."""
    if not queue_configured():
        return False
    from redis.exceptions import RedisError
    from rq.exceptions import InvalidJobOperation, NoSuchJobError

    try:
        registry = _registry()
        if job_id not in registry.get_job_ids():
            return False
        registry.requeue(job_id)
    except (NoSuchJobError, InvalidJobOperation):
        return False
    except RedisError as exc:
        raise QueueUnavailable from exc
    return True
