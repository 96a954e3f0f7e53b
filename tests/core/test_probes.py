"""Probes and start-up: /healthz needs nothing, /readyz checks what the app depends on, a
cold start imports no PDF or migration machinery, and the README's production start
serves the public side."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from labelling import create_app
from tests.conftest import throwaway_database

REDIS = ("127.0.0.1", 6379)


def unreachable_database(database_url: str, tmp_path: Path) -> str:
    if database_url.startswith("postgresql"):
        return "postgresql+psycopg://postgres@127.0.0.1:1/nothing?connect_timeout=2"
    return f"sqlite:///{tmp_path / 'no such folder' / 'db.sqlite'}"


@pytest.fixture
def broken_app(database_url, tmp_path):
    return create_app(
        {
            "TESTING_CONFIG": True,
            "DATABASE_URL": unreachable_database(database_url, tmp_path),
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )


def test_healthz_answers_without_the_database(broken_app):
    response = broken_app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_says_503_and_why_when_the_database_is_unreachable(broken_app):
    response = broken_app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"].startswith("unavailable (")
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_with_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok"}}


def test_readyz_checks_the_redis_the_configuration_names(app_config):
    down = create_app(app_config | {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"})
    body = down.test_client().get("/readyz")
    assert body.status_code == 503
    assert body.get_json()["checks"]["redis_rate_limits"].startswith("unavailable (")
    with socket.socket() as probe:
        if probe.connect_ex(REDIS) != 0:
            pytest.skip("no Redis on 127.0.0.1:6379 to check the good case against")
    up = create_app(
        app_config
        | {
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            "CACHE_REDIS_URL": "redis://127.0.0.1:6379/1",
        }
    )
    answer = up.test_client().get("/readyz")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["checks"] == {
        "database": "ok",
        "redis_rate_limits": "ok",
        "redis_cache": "ok",
    }


COLD_START = """
import sys
from labelling import create_app
create_app({"DATABASE_URL": "sqlite://", "INSTANCE_PATH": sys.argv[1]})
heavy = [name for name in ("weasyprint", "alembic", "openpyxl") if name in sys.modules]
print("heavy:", ",".join(heavy) or "none")
"""


def test_a_cold_start_imports_neither_weasyprint_nor_alembic(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", COLD_START, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "heavy: none" in result.stdout


def test_the_command_help_lists_commands_quietly(tmp_path):
    labelling = Path(sys.executable).parent / "labelling"
    result = subprocess.run(
        [str(labelling), "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=os.environ | {"LABELLING_INSTANCE_PATH": str(tmp_path)},
    )
    for command in ("db", "demo", "registry-rebuild", "send-reminders"):
        assert f"  {command} " in result.stdout
    assert "Fetching and parsing" not in result.stdout + result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_the_readme_production_start_serves_the_public_side(tmp_path):
    """`labelling db upgrade`, then `gunicorn -w 2 'labelling:create_app()'`, as the
    README writes it, on a database of its own (PostgreSQL when the suite runs there)."""
    binaries = Path(sys.executable).parent
    port, health_port = free_port(), free_port()
    with throwaway_database(tmp_path) as url:
        env = os.environ | {
            "LABELLING_DATABASE_URL": url,
            "LABELLING_INSTANCE_PATH": str(tmp_path / "instance"),
            "LABELLING_SECRET_KEY": "a-production-secret-for-this-test",
            "LABELLING_BASE_URL": f"http://127.0.0.1:{port}",
            "LABELLING_HEALTH_BIND": f"127.0.0.1:{health_port}",
        }
        subprocess.run(
            [str(binaries / "labelling"), "db", "upgrade"],
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        server = subprocess.Popen(
            [str(binaries / "gunicorn"), "-c", "python:labelling.gunicorn_conf", "-w", "2",
             "-b", f"127.0.0.1:{port}", "labelling:create_app()"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(f"{base}/readyz")
            with urllib.request.urlopen(f"{base}/registry", timeout=10) as response:  # noqa: S310
                assert response.status == 200
                assert response.headers["Cache-Control"] == "public, max-age=60"
                assert b"No labels have been issued yet" in response.read()
            with urllib.request.urlopen(f"{base}/api/v1/organisations", timeout=10) as response:  # noqa: S310
                assert response.status == 200
            # The workers' own health listener: it never waits behind a request.
            health = f"http://127.0.0.1:{health_port}/healthz"
            with urllib.request.urlopen(health, timeout=10) as response:
                assert response.status == 200 and json.loads(response.read())["status"] == "ok"
        finally:
            server.terminate()
            out, errors = server.communicate(timeout=30)
    # Issue 26, finding 7: the request log is JSON lines of its own on stdout (it was
    # "INFO:labelling.requests:{...}" among everything else), WeasyPrint's INFO kept out.
    lines = [json.loads(line) for line in out.splitlines()]
    assert {line["route"] for line in lines} >= {"/registry", "/api/v1/organisations"}
    assert all(line["event"] == "request" for line in lines)
    assert "labelling.requests" not in errors and "INFO:" not in errors
    # Each worker compiled every template, configured the mappers, read the translations
    # and connected to the database before its first request (issue 27).
    assert errors.count(" templates compiled") == 2, errors
    assert errors.count(" ready: mappers configured, translations read") == 2, errors


def test_gunicorn_stops_with_the_message_when_the_settings_are_wrong(tmp_path):
    """A secret key too short: gunicorn stops with status 3 and the message instead of
    starting new workers forever behind a listening port (issue 26, finding 7)."""
    from labelling.core.settings_check import SettingsError

    env = os.environ | {
        "LABELLING_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "LABELLING_INSTANCE_PATH": str(tmp_path / "instance"),
        "LABELLING_SECRET_KEY": "too-short",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [
            str(gunicorn),
            "-c",
            "python:labelling.gunicorn_conf",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{free_port()}",
            "labelling:create_app()",
        ],  # as the README says
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        status = server.wait(timeout=60)
    finally:
        server.kill()
    errors = server.stderr.read()
    assert status == SettingsError.EXIT_STATUS, errors
    assert "LABELLING_SECRET_KEY: at least 32 characters" in errors
    assert "Traceback" not in errors
