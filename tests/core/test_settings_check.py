"""Bad settings stop the start with one clear line each, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from labelling import create_app
from labelling.core.settings_check import SettingsError
from tests.mailserver import free_port

LABELLING = Path(sys.executable).parent / "labelling"


def problems_of(tmp_path, monkeypatch, **environment) -> list[str]:
    for key, value in environment.items():
        monkeypatch.setenv(f"LABELLING_{key}", value)
    with pytest.raises(SettingsError) as raised:
        create_app({"INSTANCE_PATH": str(tmp_path)})
    return raised.value.problems


def test_each_bad_value_is_named_once(tmp_path, monkeypatch):
    problems = problems_of(
        tmp_path,
        monkeypatch,
        DATABASE_URL="postgres://labelling@db/labelling",
        JOBS_REDIS_URL="http://redis.example.org",
        CACHE_REDIS_URL="redis://host:port/1",
        RATELIMIT_STORAGE_URI="carrier-pigeon://",
        LOGIN_RATE_LIMIT="lots",
        DAILY_TASKS_HOUR="25",
        BASE_URL="labels.example.org",
        LANGUAGES="en,xx",
    )
    assert [p.split(":")[0].split("=")[0] for p in problems] == [
        "LABELLING_DATABASE_URL",
        "LABELLING_JOBS_REDIS_URL",
        "LABELLING_CACHE_REDIS_URL",
        "LABELLING_RATELIMIT_STORAGE_URI",
        "LABELLING_LOGIN_RATE_LIMIT",
        "LABELLING_DAILY_TASKS_HOUR",
        "LABELLING_BASE_URL",
        "LABELLING_LANGUAGES",
    ]


def test_a_number_that_is_not_one(tmp_path, monkeypatch):
    assert problems_of(tmp_path, monkeypatch, MAIL_PORT="abc") == [
        "LABELLING_MAIL_PORT='abc': not a whole number"
    ]


def test_production_needs_a_shared_secret_key_and_a_base_url(tmp_path, monkeypatch):
    url = "postgresql+psycopg://labelling@db.example.org/labelling"
    assert problems_of(tmp_path, monkeypatch, DATABASE_URL=url) == [
        "LABELLING_SECRET_KEY is not set: with PostgreSQL (production, several hosts) every "
        "host must share one, of at least 32 characters",
        "LABELLING_BASE_URL is not set: with PostgreSQL (production) every link in e-mails, "
        "certificates and the API is built on it, e.g. https://labels.example.org",
    ]
    base = "https://labels.example.org"
    assert problems_of(
        tmp_path, monkeypatch, DATABASE_URL=url, SECRET_KEY="short", BASE_URL=base
    ) == ["LABELLING_SECRET_KEY: at least 32 characters, please"]


@pytest.mark.parametrize(
    "base, problem",
    [
        ("labels.example.org", "not a web address (e.g. https://labels.example.org)"),
        ("https://labels.example.org/?a=1", "not a web address (e.g. https://labels.example.org)"),
        ("https://example.org/labels", "the site's root, with no path (served at /labels)"),
    ],
)
def test_a_base_url_is_the_site_root(tmp_path, monkeypatch, base, problem):
    assert problems_of(tmp_path, monkeypatch, BASE_URL=base) == [f"LABELLING_BASE_URL: {problem}"]


def run(command: str, tmp_path, **environment) -> subprocess.CompletedProcess:
    env = (
        os.environ
        | {"LABELLING_INSTANCE_PATH": str(tmp_path)}
        | {f"LABELLING_{key}": value for key, value in environment.items()}
    )
    return subprocess.run([LABELLING, command], env=env, capture_output=True, text=True, timeout=60)


def test_the_command_line_says_what_is_wrong_without_a_traceback(tmp_path):
    result = run("check-settings", tmp_path, MAIL_PORT="abc", JOBS_REDIS_URL="http://x")
    assert result.returncode == SettingsError.EXIT_STATUS
    assert "LABELLING_MAIL_PORT='abc': not a whole number" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_settings_tries_the_database_and_redis(tmp_path):
    result = run(
        "check-settings",
        tmp_path,
        SECRET_KEY="k" * 40,
        BASE_URL="https://labels.example.org",
        DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/x",
        JOBS_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
        DATABASE_CONNECT_TIMEOUT="2",
    )
    assert result.returncode == SettingsError.EXIT_STATUS, result.stdout
    lines = result.stderr.splitlines()
    assert any(line.startswith("  - LABELLING_DATABASE_URL: cannot connect") for line in lines)
    assert any(line.startswith("  - LABELLING_JOBS_REDIS_URL: cannot connect") for line in lines)
    assert "Traceback" not in result.stderr
    sound = run("check-settings", tmp_path)
    assert sound.returncode == 0, sound.stderr
    assert "The settings are sound" in sound.stdout
