"""The database down, unreachable or too slow: a 503 page (JSON for the API) in bounded
time, never a hang or a raw error; and a session that cannot be closed never escapes."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from labelling import create_app
from labelling.config import engine_options
from labelling.extensions import db

ON_POSTGRESQL = os.environ.get("LABELLING_TEST_DATABASE_URL", "").startswith("postgresql")


def test_postgresql_connections_get_connect_and_statement_timeouts():
    config = {
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "DATABASE_CONNECT_TIMEOUT": 5,
        "DATABASE_STATEMENT_TIMEOUT_MS": 30_000,
    }
    options = engine_options(config, "postgresql+psycopg://db.example.org/labelling")
    assert options["connect_args"] == {
        "connect_timeout": 5,
        "options": "-c statement_timeout=30000",
    }
    assert options["pool_pre_ping"] is True
    assert "connect_args" not in engine_options(config, "sqlite:///x.sqlite")


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
