"""The database down, unreachable or too slow: a 503 page (JSON for the API) in bounded
time, never a hang or a raw error; and a session that cannot be closed never escapes."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import OperationalError

from labelling import create_app
from labelling.config import engine_options
from labelling.core.database import ANSWER_WITHIN
from labelling.extensions import db
from tests.silent_proxy import SilentProxy

ON_POSTGRESQL = os.environ.get("LABELLING_TEST_DATABASE_URL", "").startswith("postgresql")


def test_postgresql_connections_get_timeouts_keepalives_and_an_answer_deadline():
    config = {
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "DATABASE_CONNECT_TIMEOUT": 5,
        "DATABASE_STATEMENT_TIMEOUT_MS": 10_000,
        "DATABASE_ANSWER_GRACE_SECONDS": 2.0,
        "DATABASE_POOL_TIMEOUT": 5,
        "DATABASE_TCP_USER_TIMEOUT_MS": 10_000,
        "DATABASE_COMMAND_STATEMENT_TIMEOUT_MS": 0,
    }
    options = engine_options(config, "postgresql+psycopg://db.example.org/labelling")
    assert options["connect_args"] == {
        "connect_timeout": 5,
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
        "tcp_user_timeout": 10_000,
        "options": "-c statement_timeout=10000",
        ANSWER_WITHIN: 12.0,
    }
    assert options["pool_pre_ping"] is True and options["pool_timeout"] == 5
    assert "connect_args" not in engine_options(config, "sqlite:///x.sqlite")
    # The `labelling` commands (a bulk load, a rebuild): no statement limit, no deadline.
    command = engine_options({**config, "COMMAND_LINE": True}, "postgresql+psycopg://db/x")
    assert "options" not in command["connect_args"]
    assert ANSWER_WITHIN not in command["connect_args"]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="a silent PostgreSQL server")
def test_a_silent_database_answers_503_within_the_deadline_and_recovers(app_config):
    """Issue 26, finding 1: a database that accepts connections and never answers hung a
    request on a held connection until gunicorn killed the worker (no answer at all)."""
    url = make_url(app_config["DATABASE_URL"])
    proxy = SilentProxy((url.host or "127.0.0.1", url.port or 5432))
    through = url.set(host="127.0.0.1", port=proxy.port)
    app = create_app(
        {
            **app_config,
            "DATABASE_URL": through.render_as_string(hide_password=False),
            "DATABASE_STATEMENT_TIMEOUT_MS": 1000,
            "DATABASE_ANSWER_GRACE_SECONDS": 1,
            "DATABASE_CONNECT_TIMEOUT": 2,
        }
    )
    client = app.test_client()
    try:
        assert client.get("/registry/organisations/999999").status_code == 404  # connected
        proxy.silent.set()
        for path in ("/registry/organisations/999999", "/api/v1/organisations/999999"):
            started = time.monotonic()
            answer = client.get(path)
            waited = time.monotonic() - started
            assert answer.status_code == 503, (path, answer.status_code)
            assert waited < 1 + 1 + 2 + 2, waited  # the answer deadline, then a connect
        assert client.get("/healthz").status_code == 200
        proxy.silent.clear()
        assert client.get("/registry/organisations/999999").status_code == 404  # recovered
    finally:
        with app.app_context():
            db.engine.dispose()
        proxy.close()


def test_an_unreachable_database_answers_503_quickly(tmp_path):
    """Issue 16's findings: a closed database port answered 500 (HTML); a silent one hung
    every worker. Port 9 on loopback refuses at once."""
    app = create_app(
        {
            "TESTING_CONFIG": True,
            "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:9/nowhere",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_CONNECT_TIMEOUT": 2,
        }
    )
    client = app.test_client()
    started = time.monotonic()
    page = client.get("/registry")
    api = client.get("/api/v1/organisations")
    assert time.monotonic() - started < 10
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "briefly unavailable" in page.get_data(as_text=True)
    assert api.status_code == 503 and api.get_json()["error"]["status"] == 503
    assert client.get("/healthz").status_code == 200  # the process itself is alive


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the statement timeout is PostgreSQL's")
def test_a_statement_slower_than_the_limit_is_cancelled(app_config):
    app = create_app({**app_config, "DATABASE_STATEMENT_TIMEOUT_MS": 200})
    with app.app_context():
        started = time.monotonic()
        with pytest.raises(OperationalError):
            db.session.execute(text("SELECT pg_sleep(3)"))
        assert time.monotonic() - started < 2
        db.session.rollback()
        assert db.session.execute(text("SELECT 1")).scalar() == 1  # the next one works
        db.session.remove()
        db.engine.dispose()


def test_a_session_that_cannot_close_never_escapes_the_request(app, client, monkeypatch):
    from sqlalchemy.orm import Session

    def broken_close(self):
        raise OperationalError("ROLLBACK", {}, Exception("server closed the connection"))

    monkeypatch.setattr(Session, "close", broken_close)
    response = client.get("/")
    assert response.status_code == 200
