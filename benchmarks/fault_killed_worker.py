"""`faults.py --fault killed-worker`: job workers SIGKILLed while they send e-mail.

Queues `--messages` e-mails through the app, then runs `--job-workers` real `labelling
worker` processes and a `labelling scheduler` against a mail server that takes
`--mail-delay` seconds over each message's data. For `--seconds`, every 2-6 s one worker
is killed with its work horse (SIGKILL to every process of its session, as a lost host
does) and a new one started (as systemd would). Then nothing is killed, and it
waits up to `--wait` seconds for every message to be sent (or marked maybe delivered).

It reports how many messages were delivered, how many copies the mail server received
(a worker killed after the data but before the reply leaves a message that goes out
again, under the same Message-ID), what was still unsent, and how long the last message
took after the last kill: the claim timeout (`--claim-seconds`) plus a scheduler tick
is the promise (issue 26, finding 3; before the fix a killed job's id blocked the sweep's
new job until RQ's own clean-up, 10-13 minutes).
"""

from __future__ import annotations

import collections
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from types import SimpleNamespace

from chain_pages import ROOT, VENV_BIN, _environment

from tests.mailserver import MailServer
from tests.processes import kill_session

REDIS_URL = "redis://127.0.0.1:6379/0"
TICK_SECONDS = 2


def _worker_environment(args, database: str, instance: str, mail: MailServer) -> dict:
    env = _environment(database, instance, args.port)
    env.update(
        {
            # The checkout this script belongs to, also for `labelling` (a console script
            # whose own directory, not the working one, comes first on its path).
            "PYTHONPATH": str(ROOT),
            "LABELLING_JOBS_REDIS_URL": REDIS_URL,
            "LABELLING_JOBS_QUEUE": f"labelling-faults-{uuid.uuid4().hex[:8]}",
            "LABELLING_MAIL_SERVER": "127.0.0.1",
            "LABELLING_MAIL_PORT": str(mail.port),
            "LABELLING_MAIL_USE_TLS": "false",
            "LABELLING_MAIL_CLAIM_SECONDS": str(args.claim_seconds),
            "LABELLING_MAIL_SWEEP_AFTER_SECONDS": str(args.claim_seconds),
            "LABELLING_SCHEDULER_TICK_SECONDS": str(TICK_SECONDS),
        }
    )
    return env


def _start(env: dict, command: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(VENV_BIN / "labelling"), command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a session of its own, its work horse's too
    )


def _queue_messages(env: dict, count: int) -> None:
    """`count` password-reset e-mails, queued as a request would queue them (the job of
    each enqueued after the commit)."""
    os.environ.update(env)
    from labelling import create_app
    from labelling.extensions import db
    from labelling.notifications.services import queue_email

    app = create_app()
    with app.test_request_context():
        for n in range(count):
            user = SimpleNamespace(full_name=f"Reader {n}")
            queue_email(f"reader{n}@example.org", "password_reset", user=user, link="http://x/")
        db.session.commit()


def _outbox(env: dict) -> collections.Counter:
    import psycopg

    url = env["LABELLING_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT status, count(*) FROM outbox_message GROUP BY status")
        return collections.Counter(dict(rows.fetchall()))


def _killer(env: dict, workers: list, stop: threading.Event, kills: list[float]) -> None:
    while not stop.wait(random.uniform(2, 6)):
        index = random.randrange(len(workers))
        kill_session(workers[index].pid)  # the worker and the work horse it forked
        workers[index].wait()
        kills.append(time.monotonic())
        workers[index] = _start(env, "worker")


def killed_worker_run(args, database: str, instance: str) -> bool:
    mail = MailServer().start()
    mail.delay = args.mail_delay
    env = _worker_environment(args, database, instance, mail)
    subprocess.run(
        [str(VENV_BIN / "labelling"), "db", "upgrade"], env=env, check=True, capture_output=True
    )
    _queue_messages(env, args.messages)
    started = time.monotonic()
    workers = [_start(env, "worker") for _ in range(args.job_workers)]
    scheduler = _start(env, "scheduler")
    stop, kills = threading.Event(), []
    killer = threading.Thread(target=_killer, args=(env, workers, stop, kills))
    killer.start()
    try:
        time.sleep(args.seconds)
        stop.set()
        killer.join()
        last_kill = kills[-1] if kills else time.monotonic()
        deadline = time.monotonic() + args.wait
        while time.monotonic() < deadline:
            statuses = _outbox(env)
            if statuses["queued"] + statuses["sending"] + statuses["failed"] == 0:
                break
            time.sleep(0.5)
        done = time.monotonic()
    finally:
        for process in [*workers, scheduler]:
            kill_session(process.pid)
            process.wait()
        mail.stop()
    statuses = _outbox(env)
    copies = collections.Counter(mail.message_ids())
    received, repeated = len(copies), sum(n - 1 for n in copies.values())
    unsent = args.messages - statuses["sent"] - statuses["unconfirmed"]
    print(
        f"{args.messages} e-mails, {args.job_workers} workers, mail server {args.mail_delay} s "
        f"per message; claim timeout {args.claim_seconds} s, scheduler tick {TICK_SECONDS} s"
    )
    print(f"workers killed: {len(kills)} in {args.seconds} s")
    print(f"outbox at the end: {dict(sorted(statuses.items()))}")
    print(
        f"received by the mail server: {received} distinct, {repeated} copies again "
        f"(same Message-ID); never received: {args.messages - received}"
    )
    print(
        f"all settled {done - last_kill:.1f} s after the last kill "
        f"({done - started:.1f} s after the start)"
        if unsent == 0
        else f"{unsent} still unsent {args.wait} s after the last kill"
    )
    return unsent == 0 and received == args.messages


def add_arguments(parser) -> None:
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument("--mail-delay", type=float, default=0.3)
    parser.add_argument("--claim-seconds", type=int, default=20)
    parser.add_argument("--wait", type=int, default=120)


if __name__ == "__main__":
    sys.exit("run it through faults.py --fault killed-worker")
