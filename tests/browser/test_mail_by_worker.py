"""A forgotten password, in production's shape: the request only enqueues, `labelling
worker` (RQ on Redis) delivers to a real mail server, `labelling scheduler` brings a
refused message back when its back-off has passed, and the link from the delivered
e-mail opens in the browser."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import create_user

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config, mail_server, job_queue_config):
    return {**app_config, **mail_server.config(), **job_queue_config}


@pytest.fixture
def worker_and_scheduler(app, tmp_path):
    """`labelling worker` and `labelling scheduler` as the README starts them, on the
    test's database, Redis queue and mail server."""
    config = app.config
    env = {
        **os.environ,
        "LABELLING_DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "LABELLING_INSTANCE_PATH": str(tmp_path / "worker-instance"),
        "LABELLING_SECRET_KEY": "a-secret-the-worker-needs-for-nothing-here",
        "LABELLING_BASE_URL": "http://127.0.0.1",
        "LABELLING_JOBS_REDIS_URL": config["JOBS_REDIS_URL"],
        "LABELLING_JOBS_QUEUE": config["JOBS_QUEUE"],
        "LABELLING_MAIL_SERVER": config["MAIL_SERVER"],
        "LABELLING_MAIL_PORT": str(config["MAIL_PORT"]),
        "LABELLING_MAIL_USE_TLS": "false",
        "LABELLING_MAIL_RETRY_BASE_SECONDS": "1",
        "LABELLING_SCHEDULER_TICK_SECONDS": "1",
        # A request's enqueue may miss Redis on a busy machine (0.5 s socket timeout); the
        # sweep then finds the queued message, as in production, only sooner.
        "LABELLING_MAIL_SWEEP_AFTER_SECONDS": "5",
    }
    labelling = Path(sys.executable).parent / "labelling"
    logs = tmp_path / "background.log"
    with logs.open("wb") as log:
        processes = [
            subprocess.Popen([labelling, command], env=env, stdout=log, stderr=subprocess.STDOUT)
            for command in ("worker", "scheduler")
        ]
        try:
            yield logs
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=20)


def wait_for(condition, seconds: float, what: str, logs: Path, caplog):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            said = logs.read_text()
            pytest.fail(
                f"{what} within {seconds} s; the app said:\n{caplog.text}\n"
                f"worker and scheduler said:\n{said}"
            )
        time.sleep(0.2)


def test_the_reset_link_arrives_through_the_worker_and_works(
    page, mail_server, worker_and_scheduler, caplog
):
    create_user("ines@example.org", "Inès Iturbe")
    mail_server.reply = "421 Busy, try again later"  # the first attempt is refused
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail address").fill("ines@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_text("If an account uses this address")).to_be_visible()

    logs = worker_and_scheduler
    wait_for(lambda: mail_server.transactions >= 1, 30, "no delivery attempt", logs, caplog)
    mail_server.reply = None  # the server is back; the scheduler's sweep retries
    wait_for(lambda: mail_server.messages, 30, "no e-mail delivered", logs, caplog)
    [message] = mail_server.messages
    assert message["To"] == "ines@example.org"
    link = re.search(r"https?://\S+/password/reset/\S+", message.get_payload(decode=True).decode())

    page.goto(link.group(0))
    page.get_by_label("New password").fill("a brand new passphrase")
    page.get_by_label("Repeat the password").fill("a brand new passphrase")
    page.get_by_role("button", name="Save the new password").click()
    page.goto("/login")
    page.get_by_label("E-mail address").fill("ines@example.org")
    page.get_by_label("Password").fill("a brand new passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Inès Iturbe")).to_be_visible()
    assert len(mail_server.messages) == 1
