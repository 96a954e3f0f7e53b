"""Server time of every page of the Gold chain on the demo data, as its users load them.

    .venv/bin/python benchmarks/chain_pages.py [--database postgresql+psycopg://...]
        [--repeat 15] [--workers 2]

Loads `labelling demo` into a fresh database (by default a throwaway PostgreSQL database
on this machine, dropped afterwards), starts gunicorn on it, signs in as each demo role
with a real session (CSRF token and all), and requests each page of the chain `--repeat`
times, one request at a time over loopback: the time to the last byte is the server's time
plus a loopback round trip. Each page is reported as median and slowest, and as a ratio to
`/healthz` (no database) measured in the same run. Target (issue 12): no page of the chain
slower than 300 ms on the demo data.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PASSWORD = "demo-password"  # noqa: S105 - the demo's printed password
sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import signed_in  # noqa: E402

TARGET_MS = 300


def _create_database(url: str) -> str:
    """A fresh database beside the one `url` names; returns its URL."""
    import psycopg

    name = f"labelling_chain_{os.getpid()}"
    admin = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}"


def _drop_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    admin = base.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _environment(database: str, instance: str, port: int) -> dict:
    return {
        **os.environ,
        "LABELLING_DATABASE_URL": database,
        "LABELLING_INSTANCE_PATH": instance,
        "LABELLING_SECRET_KEY": "chain-pages-benchmark-key-of-32-characters",
        "LABELLING_BASE_URL": f"http://127.0.0.1:{port}",
        "LABELLING_RATELIMIT_ENABLED": "false",
        # The demo's accounts, as `labelling demo` serves them: without a second factor.
        "LABELLING_TWO_FACTOR_REQUIRED": "false",
    }


def _serve(
    env: dict, port: int, workers: int, log: Path | None = None, extra: tuple[str, ...] = ()
) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "-c",
            "python:labelling.gunicorn_conf",  # as the README's production section
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            *extra,
            "labelling:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab") if log else subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return server
        except requests.RequestException:  # not up yet, or its first answer still coming
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def _timed(session: requests.Session, url: str, repeat: int) -> tuple[float, float]:
    session.get(url)  # warm: the first request of a worker loads templates and criteria
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = session.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples), max(samples)


def _ids(database: str) -> dict:
    """The demo's objects the pages are about, read from the database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database)
    with engine.connect() as conn:

        def one(sql: str) -> int | str:
            return conn.execute(text(sql)).scalar_one()

        ids = {
            "nordic": one(
                "SELECT a.id FROM application a JOIN organisation o ON o.id = a.organisation_id "
                "WHERE o.short_name = 'NordicFood' AND a.level = 'gold'"
            ),
            "nordic_org": one("SELECT id FROM organisation WHERE short_name = 'NordicFood'"),
            "assessed": one("SELECT id FROM application WHERE state = 'assessed' LIMIT 1"),
            "awarded": one(
                "SELECT a.id FROM application a JOIN organisation o ON o.id = a.organisation_id "
                "WHERE a.state = 'awarded' AND o.legal_name LIKE 'Clúster Agroalimentario%'"
            ),
            "label": one(
                "SELECT l.id FROM label l JOIN organisation o ON o.id = l.organisation_id "
                "WHERE o.legal_name LIKE 'Clúster Agroalimentario%'"
            ),
            "certificate": one(
                "SELECT c.number FROM certificate c JOIN label l ON l.id = c.label_id "
                "JOIN organisation o ON o.id = l.organisation_id "
                "WHERE o.legal_name LIKE 'Clúster Agroalimentario%'"
            ),
        }
    engine.dispose()
    return ids


def pages(ids: dict) -> list[tuple[str, str, str]]:
    """(who, what, path) for each page of the chain."""
    nordic, assessed, awarded = ids["nordic"], ids["assessed"], ids["awarded"]
    return [
        ("public", "home", "/"),
        ("public", "registry", "/registry"),
        ("public", "verification", f"/verify/{ids['certificate']}"),
        ("manager", "dashboard", "/dashboard"),
        ("manager", "organisation", f"/organisations/{ids['nordic_org']}"),
        ("manager", "application (question pending)", f"/applications/{nordic}"),
        ("manager", "questionnaire section", f"/applications/{nordic}/questionnaire/structure"),
        ("manager", "benchmarking report", f"/applications/{nordic}/benchmarking"),
        ("assessor", "my assignments", "/assignments"),
        ("assessor", "assessment overview", f"/applications/{nordic}/review"),
        ("assessor", "scoring: area 1", f"/applications/{nordic}/review/areas/1"),
        ("assessor", "scoring: area 4 (largest)", f"/applications/{nordic}/review/areas/4"),
        ("assessor", "consolidation", f"/applications/{nordic}/consolidation"),
        ("secretariat", "dashboard", "/dashboard"),
        ("secretariat", "queue", "/secretariat/applications"),
        ("secretariat", "screening", f"/secretariat/applications/{nordic}"),
        ("secretariat", "decision", f"/secretariat/applications/{assessed}/decision"),
        ("secretariat", "awarded application", f"/applications/{awarded}"),
        ("secretariat", "label", f"/secretariat/labels/{ids['label']}"),
        ("secretariat", "labels", "/secretariat/labels/"),
    ]


ROLES = {
    "manager": "manager@example.org",
    "assessor": "assessor@example.org",
    "secretariat": "secretariat@example.org",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    is_postgres = args.database.startswith("postgresql")
    database = _create_database(args.database) if is_postgres else args.database
    instance = tempfile.mkdtemp(prefix="chain-pages-")
    env = _environment(database, instance, args.port)
    server = None
    try:
        started = time.perf_counter()
        subprocess.run(
            [str(VENV_BIN / "labelling"), "demo", "--no-serve"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        print(f"demo loaded in {time.perf_counter() - started:.1f} s ({database.split('/')[0]})")
        server = _serve(env, args.port, args.workers)
        base = f"http://127.0.0.1:{args.port}"
        sessions = {"public": requests.Session()}
        sessions |= {role: signed_in(base, email, PASSWORD) for role, email in ROLES.items()}
        floor, _ = _timed(sessions["public"], f"{base}/healthz", args.repeat)
        print("\n| who | page | median ms | slowest ms | median / floor |\n|---|---|---|---|---|")
        print(f"| - | /healthz (the floor) | {floor:.1f} | | 1.0x |")
        worst = 0.0
        for who, what, path in pages(_ids(database)):
            median, slowest = _timed(sessions[who], base + path, args.repeat)
            worst = max(worst, slowest)
            print(f"| {who} | {what} | {median:.1f} | {slowest:.1f} | {median / floor:.1f}x |")
        verdict = "met" if worst <= TARGET_MS else "MISSED"
        print(
            f"\nslowest request of the chain: {worst:.0f} ms (target <= {TARGET_MS} ms: {verdict})"
        )
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
        if is_postgres:
            _drop_database(database)


if __name__ == "__main__":
    main()
