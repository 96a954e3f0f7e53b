"""Background jobs on the machine's Redis: requests enqueue, the worker delivers, the
scheduler's sweep picks up what Redis lost, failed jobs wait for the secretariat."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from labelling.accounts.models import Role
from labelling.core.audit import AuditEvent
from labelling.db import utcnow
from labelling.extensions import db
from labelling.jobs.cli import app_worker_class
from labelling.jobs.models import ScheduledRun
from labelling.jobs.queue import enqueue, job_queue
from labelling.jobs.scheduler import tick
from labelling.notifications.models import OutboxMessage, OutboxStatus
from tests.factories import create_user, sign_in
from tests.mailserver import free_port
from tests.processes import kill_session
from tests.workers import run_worker


def ask_for_a_reset(client, email: str):
    response = client.post("/password/forgot", data={"email": email})
    assert response.status_code == 303
    return response


class TestWithRedis:
    @pytest.fixture
    def app_config(self, app_config, mail_server, job_queue_config):
        return {**app_config, **mail_server.config(), **job_queue_config}

    def test_a_reset_request_only_enqueues_and_the_worker_delivers(self, app, client, mail_server):
        # Seen: a reset request waited 5 s on a slow mail server, 20 s on a silent one.
        user = create_user("reset@example.org")
        mail_server.delay = 30  # would hold the request for half a minute if it sent
        ask_for_a_reset(client, user.email)
        assert mail_server.transactions == 0  # the request never spoke to the mail server
        assert job_queue(app).count == 1
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.status == OutboxStatus.QUEUED
        mail_server.delay = 0
        run_worker(app)
        [sent] = mail_server.messages
        assert sent["To"] == user.email and sent["Message-ID"] == message.message_id
        assert "/password/reset/" in sent.get_payload(decode=True).decode()
        db.session.expire_all()
        assert db.session.get(OutboxMessage, message.id).status == OutboxStatus.SENT

    def test_enqueueing_the_same_message_twice_makes_one_job(self, app):
        assert enqueue("mail.deliver", 1, key="mail-1")
        assert enqueue("mail.deliver", 1, key="mail-1")
        assert job_queue(app).count == 1

    def test_with_redis_down_the_request_works_and_the_sweep_sends_later(
        self, app, client, mail_server, job_queue_config
    ):
        user = create_user("reset@example.org")
        app.config["JOBS_REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
        app.extensions.pop("jobs_redis", None)
        ask_for_a_reset(client, user.email)
        assert db.session.scalars(select(OutboxMessage.status)).one() == OutboxStatus.QUEUED
        # Redis returns; the scheduler's next tick enqueues the sweep, the worker sends.
        app.config["JOBS_REDIS_URL"] = job_queue_config["JOBS_REDIS_URL"]
        app.extensions.pop("jobs_redis", None)
        app.config["MAIL_SWEEP_AFTER_SECONDS"] = 0
        assert "outbox.sweep" in tick(utcnow())
        run_worker(app)
        assert [m["To"] for m in mail_server.messages] == [user.email]

    def test_a_failed_job_waits_in_the_list_and_staff_put_it_back(self, app, client):
        app.config["JOB_MAX_RETRIES"] = 0
        enqueue("daily", "not-a-day")  # fails: ValueError
        run_worker(app)
        admin = create_user("admin@example.org", roles=(Role.ADMIN,))
        sign_in(client, admin.email)
        page = client.get("/secretariat/deliveries/").get_data(as_text=True)
        assert "daily(&#39;not-a-day&#39;,)" in page
        assert "Invalid isoformat string" in page
        [job_id] = job_queue(app).failed_job_registry.get_job_ids()
        response = client.post(f"/secretariat/deliveries/jobs/{job_id}/retry")
        assert response.status_code == 302
        assert job_queue(app).count == 1
        assert job_queue(app).failed_job_registry.get_job_ids() == []
        assert db.session.scalars(select(AuditEvent.action)).all()[-1] == "job.retried"


def test_a_worker_stops_listening_for_commands_within_seconds(app, job_queue_config):
    """Seen twice in full runs: a burst run took 60 s more after its last job, and a
    worker's shutdown outlasted 20 s. RQ's command listener wakes every 60 s, and
    redis-py's stop() waits for it (stopping just after a message came always waits)."""
    app.config.update(job_queue_config)
    queue = job_queue(app)
    worker = app_worker_class()([queue], connection=queue.connection)
    worker.subscribe()
    time.sleep(0.3)  # the listener is waiting for a message
    started = time.monotonic()
    # What RQ's unsubscribe() meets when the "unsubscribed" reply was read before the
    # stop: the listener back in its wait, and nothing more coming.
    worker.pubsub_thread.stop()
    assert time.monotonic() - started < 3
    worker.unsubscribe()


class TestScheduler:
    def test_the_daily_tasks_run_once_a_day_whatever_the_hosts(self, app):
        hour = app.config["DAILY_TASKS_HOUR"]
        morning = datetime(2026, 12, 2, hour, 0).astimezone()
        assert tick(morning - timedelta(hours=1)) == ["outbox.sweep"]
        assert tick(morning) == ["outbox.sweep", "daily"]
        assert tick(morning + timedelta(minutes=1)) == ["outbox.sweep"]  # another host
        assert tick(morning + timedelta(days=1)) == ["outbox.sweep", "daily"]
        periods = db.session.scalars(select(ScheduledRun.period).order_by(ScheduledRun.id))
        assert periods.all() == ["2026-12-02", "2026-12-03"]

    def test_the_once_command_is_the_cron_line(self, app):
        runner = app.test_cli_runner()
        result = runner.invoke(args=["scheduler", "--once"])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("Enqueued: outbox.sweep")

    def test_the_worker_needs_a_queue(self, app):
        result = app.test_cli_runner().invoke(args=["worker", "--burst"])
        assert result.exit_code != 0
        assert "LABELLING_JOBS_REDIS_URL is not set" in result.output


class TestDeadLetters:
    @pytest.fixture
    def app_config(self, app_config, mail_server):
        return {**app_config, **mail_server.config()}

    def test_staff_see_a_given_up_message_and_send_it_again(self, app, client, mail_server):
        mail_server.reply = "550 Mailbox unavailable"
        user = create_user("bounce@example.org")
        ask_for_a_reset(client, user.email)
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.status == OutboxStatus.GIVEN_UP
        admin = create_user("admin@example.org", roles=(Role.ADMIN,))
        sign_in(client, admin.email)
        page = client.get("/secretariat/deliveries/").get_data(as_text=True)
        assert "bounce@example.org" in page and "Given up" in page and "550" in page
        mail_server.reply = None
        client.post(f"/secretariat/deliveries/{message.id}/retry")
        assert [m["To"] for m in mail_server.messages] == [user.email]
        db.session.expire_all()
        assert db.session.get(OutboxMessage, message.id).status == OutboxStatus.SENT
        page = client.get("/secretariat/deliveries/").get_data(as_text=True)
        assert "Every message has been delivered." in page


def test_work_named_twice_in_one_transaction_is_enqueued_once(app, monkeypatch):
    from labelling.jobs import queue

    ran = []
    monkeypatch.setattr(queue, "enqueue", lambda task, *args, key=None: ran.append((task, key)))
    queue.enqueue_after_commit("outbox.sweep", key="sweep")
    queue.enqueue_after_commit("outbox.sweep", key="sweep")
    queue.enqueue_after_commit("mail.deliver", 1)
    queue.enqueue_after_commit("mail.deliver", 1)  # no key: nothing says it is the same work
    db.session.commit()
    assert ran == [("outbox.sweep", "sweep"), ("mail.deliver", None), ("mail.deliver", None)]


class TestAWorkerKilledMidSend:
    """Issue 26, finding 3: a worker killed while sending left RQ holding the job under the
    message's id; the sweep's new job was refused as a duplicate, and the message waited
    10-13 minutes for RQ's own clean-up instead of the claim timeout."""

    CLAIM_SECONDS = 2

    @pytest.fixture
    def app_config(self, app_config, mail_server, job_queue_config):
        return {
            **app_config,
            **mail_server.config(),
            **job_queue_config,
            "MAIL_CLAIM_SECONDS": self.CLAIM_SECONDS,
        }

    def start_worker(self, app, tmp_path) -> subprocess.Popen:
        config = app.config
        env = os.environ | {
            "LABELLING_DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
            "LABELLING_INSTANCE_PATH": str(tmp_path / "worker"),
            "LABELLING_SECRET_KEY": "a-worker-secret-key-for-this-test-only-0123",
            "LABELLING_BASE_URL": "http://localhost",
            "LABELLING_JOBS_REDIS_URL": config["JOBS_REDIS_URL"],
            "LABELLING_JOBS_QUEUE": config["JOBS_QUEUE"],
            "LABELLING_MAIL_SERVER": config["MAIL_SERVER"],
            "LABELLING_MAIL_PORT": str(config["MAIL_PORT"]),
            "LABELLING_MAIL_USE_TLS": "false",
            "LABELLING_MAIL_TIMEOUT_SECONDS": "60",
            "LABELLING_MAIL_CLAIM_SECONDS": str(self.CLAIM_SECONDS),
        }
        labelling = Path(sys.executable).parent / "labelling"
        return subprocess.Popen(
            [str(labelling), "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a session of its own, its work horse's too
        )

    @pytest.mark.parametrize("left_as", ["started", "failed"])
    def test_a_job_killed_before_its_claim_does_not_block_the_sweep(
        self, app, client, mail_server, left_as
    ):
        """Seen in `benchmarks/faults.py --fault killed-worker`: a worker killed after it
        took the job and before it claimed the message left the message queued and RQ
        holding the job as started (until its clean-up, minutes later; a failed one for
        30 days); the sweep's job under the same id was refused, so nothing sent it."""
        from rq.job import JobStatus

        user = create_user("abandoned@example.org")
        ask_for_a_reset(client, user.email)
        message = db.session.scalars(select(OutboxMessage)).one()
        queue = job_queue(app)
        [job] = queue.get_jobs()
        queue.remove(job)  # taken by a worker, which then died
        job.set_status(JobStatus.STARTED if left_as == "started" else JobStatus.FAILED)
        app.config["MAIL_SWEEP_AFTER_SECONDS"] = 0
        tick(utcnow())  # the scheduler's sweep
        run_worker(app)
        db.session.refresh(message)
        assert message.status == OutboxStatus.SENT
        assert mail_server.message_ids() == [message.message_id]

    @pytest.mark.parametrize("point", ["before the data", "after the data"])
    def test_the_message_goes_out_after_the_claim_timeout(
        self, app, client, mail_server, tmp_path, point
    ):
        user = create_user("killed@example.org")
        if point == "before the data":
            mail_server.mail_delay = 60
        else:
            mail_server.delay = 60
        ask_for_a_reset(client, user.email)
        worker = self.start_worker(app, tmp_path)
        reached = mail_server.receiving if point == "after the data" else None
        deadline = time.monotonic() + 60
        while not (reached.is_set() if reached else mail_server.transactions):
            assert time.monotonic() < deadline and worker.poll() is None, "never sent"
            time.sleep(0.05)
        assert kill_session(worker.pid) >= 2  # the worker and its work horse, mid-send
        worker.wait(timeout=10)
        killed_at = time.monotonic()
        message = db.session.scalars(select(OutboxMessage)).one()
        db.session.refresh(message)
        assert message.status == OutboxStatus.SENDING
        mail_server.mail_delay = mail_server.delay = 0
        time.sleep(self.CLAIM_SECONDS + 0.5)
        swept_at = time.monotonic()
        tick(utcnow())  # the scheduler's sweep
        delivered_at = time.monotonic()
        run_worker(app)
        db.session.refresh(message)
        assert message.status == OutboxStatus.SENT
        took = {"sweep": delivered_at - swept_at, "delivery": time.monotonic() - delivered_at}
        # (The delivery once took 60 s more: the worker's command listener; see
        # test_a_worker_stops_listening_for_commands_within_seconds.)
        assert time.monotonic() - killed_at < self.CLAIM_SECONDS + 10, took
        # Caught before the data: one copy. After it: the server had it, and the second
        # copy carries the same Message-ID, which mail systems take for a duplicate.
        copies = 1 if point == "before the data" else 2
        assert mail_server.message_ids() == [message.message_id] * copies
