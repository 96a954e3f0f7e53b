"""PostgreSQL connections killed under load: no request hangs, failures answer 503, the
app recovers without a restart, and no transition is half-applied.

    .venv/bin/python benchmarks/faults.py [--seconds 30] [--threads 8] [--workers 2]

Loads `labelling demo` into a throwaway PostgreSQL database on this machine, starts
gunicorn on it, and drives it for `--seconds` with `--threads` clients, each a signed-in
demo manager or an anonymous reader: reads (the registry, the API, an application page)
and writes with state transitions (start a Silver application, withdraw it). Meanwhile a
killer ends every connection of the app's database (`pg_terminate_backend`) every 1 to 5
seconds. Then it checks:

- every request got an answer within the client's timeout (10 s): none hung;
- every failed request answered 503 with the "Briefly unavailable" page (or its JSON);
- after the last kill, every kind of request succeeds again, with no restart;
- every application's state is the `to_state` of its last audit event, and each
  transition event has its application in that state or later: nothing half-applied.

    .venv/bin/python benchmarks/faults.py --fault silent [--worker-class gthread]

puts a proxy between gunicorn and PostgreSQL that goes silent for `--seconds` (it keeps
accepting connections and reading, and answers nothing, as a stopped database process or
a broken path behind a load balancer does), while readers ask for pages that need the
database and a probe asks for `/healthz` every 0.2 s. It reports the answers and their
slowest time during the silence, the probe's waits, gunicorn's `WORKER TIMEOUT` kills, and
the recovery once the proxy forwards again (issue 26, finding 1).

    .venv/bin/python benchmarks/faults.py --fault killed-worker [--messages 200]

kills job workers with SIGKILL while they send e-mail (see fault_killed_worker.py).
"""

from __future__ import annotations

import argparse
import collections
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from sqlalchemy import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from chain_pages import (
    PASSWORD,
    ROOT,
    _create_database,
    _drop_database,
    _environment,
    _serve,
)
from fault_killed_worker import add_arguments, killed_worker_run
from load import signed_in

from tests.silent_proxy import SilentProxy

CLIENT_TIMEOUT = 10


def _demo(database: str, instance: str, port: int) -> None:
    env = _environment(database, instance, port)
    labelling = Path(sys.executable).parent / "labelling"
    subprocess.run([labelling, "demo", "--no-serve"], env=env, check=True, capture_output=True)


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: collections.Counter = collections.Counter()
        self.unclear: list[str] = []  # failures that were not a clean 503
        self.slowest = 0.0
        self.hung = 0
        self.cut_off = 0

    def add(self, what: str, response: requests.Response | None, seconds: float) -> None:
        with self.lock:
            self.slowest = max(self.slowest, seconds)
            if response is None:
                self.hung += 1
                self.statuses["no answer"] += 1
                return
            self.statuses[response.status_code] += 1
            if response.status_code >= 500 and not _clean_503(response):
                self.unclear.append(f"{what}: {response.status_code} {response.text[:120]!r}")


def _clean_503(response: requests.Response) -> bool:
    if response.status_code != 503:
        return False
    if response.url.endswith("/readyz"):  # readiness says so in its own JSON
        return '"unavailable"' in response.text
    return "Briefly unavailable" in response.text or '"status":503' in response.text.replace(
        " ", ""
    )


def _token(page: str) -> str | None:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    return found.group(1) if found else None


def _request(tally: Tally, session, method: str, url: str, timeout=CLIENT_TIMEOUT, **kwargs):
    started = time.perf_counter()
    try:
        response = session.request(method, url, timeout=timeout, allow_redirects=False, **kwargs)
    except requests.exceptions.ChunkedEncodingError:
        tally.cut_off += 1  # a streamed answer (the registry's JSON) lost its database
        return None
    except (requests.Timeout, requests.ConnectionError):
        response = None
    tally.add(f"{method} {url}", response, time.perf_counter() - started)
    return response


def _writer(base: str, organisation_id: int, tally: Tally, stop: threading.Event) -> None:
    """Start a Silver application and withdraw it, over and over."""
    session = signed_in(base, "manager@example.org", PASSWORD)
    new = f"{base}/organisations/{organisation_id}/applications/new"
    while not stop.is_set():
        page = _request(tally, session, "GET", new)
        token = _token(page.text) if page is not None and page.ok else None
        if token is None:
            continue
        started = _request(
            tally,
            session,
            "POST",
            new,
            data={"csrf_token": token, "level": "silver", "kind": "new"},
        )
        if started is None or started.status_code != 303:
            continue
        detail = started.headers["Location"]
        app_id = int(detail.rstrip("/").rsplit("/", 1)[1])
        _request(
            tally,
            session,
            "POST",
            f"{base}/applications/{app_id}/withdraw",
            data={"csrf_token": token, "confirmed": "yes", "comment": "fault test"},
        )


def _reader(base: str, tally: Tally, stop: threading.Event) -> None:
    session = requests.Session()
    paths = [
        "/registry",
        "/registry?q=food",
        "/api/v1/organisations",
        "/api/v1/registry.json",
        "/healthz",
        "/readyz",
        "/",
    ]
    while not stop.is_set():
        _request(tally, session, "GET", base + random.choice(paths))


def _killer(database: str, stop: threading.Event, kills: list[int]) -> None:
    import psycopg

    name = database.rsplit("/", 1)[1]
    admin = database.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0]
    with psycopg.connect(admin + "/postgres", autocommit=True) as conn:
        while not stop.wait(random.uniform(1, 5)):
            ended = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            ).fetchone()[0]
            kills.append(ended)


def _consistency(database: str) -> list[str]:
    """Applications whose state is not the one their last transition recorded."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                """
                SELECT a.id, a.state, (
                    SELECT e.to_state FROM audit_event e
                    WHERE e.object_type = 'application' AND e.object_id = a.id
                      AND e.to_state IS NOT NULL
                    ORDER BY e.id DESC LIMIT 1) AS last_to
                FROM application a
                """
            )
        ).all()
    engine.dispose()
    return [
        f"application #{id_} is {state}, its last transition says {last_to}"
        for id_, state, last_to in rows
        if last_to is not None and state != last_to
    ]


def _organisation_of_manager(database: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database)
    with engine.connect() as conn:
        found = conn.execute(
            text(
                """
                SELECT m.organisation_id FROM organisation_membership m
                JOIN "user" u ON u.id = m.user_id
                WHERE u.email = 'manager@example.org' ORDER BY m.organisation_id LIMIT 1
                """
            )
        ).scalar_one()
    engine.dispose()
    return found


SILENT_CLIENT_TIMEOUT = 60  # longer than gunicorn's 30 s: a killed worker shows as such


def _database_reader(base: str, tallies: dict, phase: dict, stop: threading.Event) -> None:
    """Pages that need the database on every request (nothing kept can answer them)."""
    session = requests.Session()
    while not stop.is_set():
        word = "".join(random.choices("abcdefghijklmnopqrstuvwxyz", k=6))
        path = random.choice([f"/verify/GOLD-{word}", f"/api/v1/certificates/SILVER-{word}"])
        tally = tallies[phase["now"]]
        _request(tally, session, "GET", base + path, timeout=SILENT_CLIENT_TIMEOUT)


def _probe(base: str, waits: dict, phase: dict, stop: threading.Event) -> None:
    """The load balancer's health check: /healthz every 0.2 s, its wait recorded."""
    session = requests.Session()
    while not stop.is_set():
        now = phase["now"]
        started = time.perf_counter()
        try:
            ok = session.get(base + "/healthz", timeout=SILENT_CLIENT_TIMEOUT).ok
        except requests.RequestException:
            ok = False
        waits[now].append((time.perf_counter() - started, ok))
        time.sleep(0.2)


def _silent_run(args, database: str, instance: str) -> bool:
    url = make_url(database)
    proxy = SilentProxy((url.host or "127.0.0.1", url.port or 5432))
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    log = Path(instance) / "gunicorn.log"
    # (A checkout from before issue 26 has no gunicorn_conf: it runs without.)
    has_config = (ROOT / "labelling" / "gunicorn_conf.py").exists()
    extra = ["-c", "python:labelling.gunicorn_conf"] if has_config else []
    if args.worker_class == "gthread":
        extra += ["--worker-class", "gthread", "--threads", str(args.threads_per_worker)]
    env = _environment(through, instance, args.port)
    probed = f"http://127.0.0.1:{args.port}"
    if args.health_listener:  # the workers' own /healthz listener (gunicorn_conf)
        env["LABELLING_HEALTH_BIND"] = f"127.0.0.1:{args.port + 1}"
        probed = f"http://127.0.0.1:{args.port + 1}"
    server = _serve(env, args.port, args.workers, log, tuple(extra))
    base = f"http://127.0.0.1:{args.port}"
    phases = ("before", "silent", "after")
    tallies = {name: Tally() for name in phases}
    waits: dict = {name: [] for name in phases}
    phase, stop = {"now": "before"}, threading.Event()
    threads = [
        threading.Thread(target=_database_reader, args=(base, tallies, phase, stop))
        for _ in range(args.threads)
    ] + [threading.Thread(target=_probe, args=(probed, waits, phase, stop))]
    try:
        for thread in threads:
            thread.start()
        time.sleep(5)
        phase["now"] = "silent"
        proxy.silent.set()
        time.sleep(args.seconds)
        proxy.silent.clear()
        phase["now"] = "after"
        time.sleep(SILENT_CLIENT_TIMEOUT / 2)  # what was waiting ends; then fresh requests
        tallies["after"], waits["after"] = Tally(), []
        time.sleep(5)
        stop.set()
        for thread in threads:
            thread.join(timeout=SILENT_CLIENT_TIMEOUT + 5)
    finally:
        server.terminate()
        server.wait(timeout=20)
        proxy.close()
    kills = log.read_text().count("WORKER TIMEOUT")
    print(
        f"silent database for {args.seconds} s; {args.workers} {args.worker_class} workers"
        + (f" x {args.threads_per_worker} threads" if args.worker_class == "gthread" else "")
        + f"; {args.threads} readers of pages that need the database; /healthz every 0.2 s"
        + (" on the health listener" if args.health_listener else " on the main port")
    )
    for name in phases:
        tally, probe = tallies[name], sorted(w for w, _ok in waits[name])
        failed = sum(1 for _w, ok in waits[name] if not ok)
        print(
            f"{name:>6}: requests {dict(sorted(tally.statuses.items(), key=str))}, other 5xx "
            f"{len(tally.unclear)}, slowest {tally.slowest:.1f} s; /healthz {len(probe)} probes, "
            f"p50 {1000 * probe[len(probe) // 2] if probe else 0:.0f} ms, slowest "
            f"{probe[-1] if probe else 0:.1f} s, failed {failed}"
        )
    print(f"gunicorn WORKER TIMEOUT kills: {kills}")
    silent, after = tallies["silent"], tallies["after"]
    return (
        silent.hung == 0
        and not silent.unclear
        and kills == 0
        and set(after.statuses) == {404}  # the readers' numbers exist nowhere
        and all(ok for _w, ok in waits["after"])
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8093)
    parser.add_argument("--fault", choices=["kills", "silent", "killed-worker"], default="kills")
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads-per-worker", type=int, default=4)
    parser.add_argument("--health-listener", action="store_true")
    add_arguments(parser)  # --fault killed-worker's
    args = parser.parse_args()

    database = _create_database(args.database)
    instance = tempfile.mkdtemp(prefix="labelling-faults-")
    server = None
    try:
        if args.fault == "killed-worker":
            ok = killed_worker_run(args, database, instance)
            print("PASS" if ok else "FAIL")
            raise SystemExit(0 if ok else 1)
        _demo(database, instance, args.port)
        if args.fault == "silent":
            ok = _silent_run(args, database, instance)
            print("PASS" if ok else "FAIL")
            raise SystemExit(0 if ok else 1)
        organisation_id = _organisation_of_manager(database)
        log = Path(instance) / "gunicorn.log"
        server = _serve(_environment(database, instance, args.port), args.port, args.workers, log)
        base = f"http://127.0.0.1:{args.port}"
        tally, stop, kills = Tally(), threading.Event(), []
        writers = max(1, args.threads // 4)
        threads = [
            threading.Thread(target=_writer, args=(base, organisation_id, tally, stop))
            for _ in range(writers)
        ] + [
            threading.Thread(target=_reader, args=(base, tally, stop))
            for _ in range(args.threads - writers)
        ]
        killer = threading.Thread(target=_killer, args=(database, stop, kills))
        for thread in [*threads, killer]:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in [*threads, killer]:
            thread.join(timeout=CLIENT_TIMEOUT + 5)

        # Recovery: with the killing over, every kind of request works again.
        after = Tally()
        manager = signed_in(base, "manager@example.org", PASSWORD)
        for path in [
            "/registry",
            "/api/v1/organisations",
            "/healthz",
            "/readyz",
            f"/organisations/{organisation_id}/applications/new",
        ]:
            for _ in range(5):
                _request(after, manager, "GET", base + path)
        problems = _consistency(database)

        total = sum(tally.statuses.values())
        failed = sum(n for status, n in tally.statuses.items() if status == 503)
        print(
            f"{args.seconds} s, {args.threads} clients ({writers} writing), {args.workers} workers"
        )
        print(f"kills: {len(kills)} rounds, {sum(kills)} connections ended")
        print(f"requests: {total}, by status: {dict(sorted(tally.statuses.items(), key=str))}")
        print(
            f"503 (clean): {failed} = {100 * failed / max(total, 1):.1f} %; other 5xx: "
            f"{len(tally.unclear)}; no answer within {CLIENT_TIMEOUT} s: {tally.hung}"
        )
        print(
            f"slowest answer: {tally.slowest * 1000:.0f} ms; streamed answers cut off: "
            f"{tally.cut_off}"
        )
        print(f"after the last kill: {dict(after.statuses)}")
        print(f"applications whose state and audit trail disagree: {len(problems)}")
        for line in [*tally.unclear[:10], *problems[:10]]:
            print("  " + line)
        ok = (
            not tally.unclear
            and tally.hung == 0
            and set(after.statuses) == {200}
            and not problems
            and kills
        )
        if tally.unclear:
            errors = [line for line in log.read_text().splitlines() if "Error" in line]
            print("server log, errors:", *errors[-15:], sep="\n  ")
        print("PASS" if ok else "FAIL")
        raise SystemExit(0 if ok else 1)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        _drop_database(database)


if __name__ == "__main__":
    main()
