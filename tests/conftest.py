"""Fixtures: the app from the factory on SQLite or PostgreSQL, a clean database per test."""

from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import delete

from labelling import create_app
from labelling.extensions import db

PASSWORD = "correct horse battery"

pytest_plugins = ["tests.factories"]


def _postgres_throwaway(url: str):
    """Create a database for this run next to the one in url; return its URL and a dropper."""
    import psycopg

    name = f"labelling_test_{uuid.uuid4().hex[:10]}"
    admin_dsn = re.sub(r"^postgresql\+psycopg://", "postgresql://", url)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return _replace_db(url, name), drop


def _replace_db(url: str, name: str) -> str:
    head, _, tail = url.rpartition("/")
    query = tail.split("?", 1)[1] if "?" in tail else ""
    return f"{head}/{name}" + (f"?{query}" if query else "")


@contextmanager
def throwaway_database(sqlite_directory: Path):
    """An empty database for the run: PostgreSQL when configured, else a SQLite file."""
    url = os.environ.get("LABELLING_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield "sqlite:///" + str(sqlite_directory / "test.sqlite")
        return
    fresh, drop = _postgres_throwaway(url)
    try:
        yield fresh
    finally:
        drop()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with throwaway_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    """Create the schema once per run; each test then starts from empty tables."""
    app = create_app(_config(database_url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return database_url


def _config(database_url, instance_path) -> dict:
    return {
        "TESTING_CONFIG": True,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance_path),
        "SERVER_NAME": None,
    }


@pytest.fixture
def app_config(_schema, tmp_path) -> dict:
    """Override entries in a test module to configure the app (e.g. enable CSRF)."""
    return _config(_schema, tmp_path / "instance")


def _fresh_g() -> None:
    # The test keeps one app context open across requests (to use db.session between
    # them), so `g` would outlive a request; production starts every request with a new one.
    g.__dict__.clear()


@pytest.fixture
def app(app_config):
    app = create_app(dict(app_config))
    app.test_client_class = ClosingClient
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _empty_tables() -> None:
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(delete(table))


@pytest.fixture
def client(app):
    return app.test_client()


class ClosingClient(FlaskClient):
    """A test client that closes each response, as every WSGI server does, so work run
    after the response (core.after_response) happens before the test looks."""

    def open(self, *args, buffered=True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


@pytest.fixture
def mail_server():
    from tests.mailserver import MailServer

    server = MailServer().start()
    yield server
    server.stop()


REDIS_URL = os.environ.get("LABELLING_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def job_queue_config():
    """Settings for a job queue of this test's own on the machine's Redis; its keys go
    at the end. Without Redis the test is skipped, except under CI, where it fails."""
    from redis import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except RedisError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis at {REDIS_URL} is required under CI: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    queue = f"labelling-test-{uuid.uuid4().hex[:10]}"
    yield {"JOBS_REDIS_URL": REDIS_URL, "JOBS_QUEUE": queue}
    for key in client.scan_iter(match=f"*{queue}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def shared_cache_config(job_queue_config):
    """A job queue of this test's own and the cache in the same Redis, as several hosts
    share them; the cache's keys go with the queue's at the end."""
    prefix = job_queue_config["JOBS_QUEUE"] + ":"
    return {**job_queue_config, "CACHE_REDIS_URL": job_queue_config["JOBS_REDIS_URL"],
            "CACHE_KEY_PREFIX": prefix}  # fmt: skip
