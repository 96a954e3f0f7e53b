"""Settings checked at start-up: one clear line per bad value instead of a traceback.

`settings_problems` checks what can be checked without the network (the form of URLs,
numbers in range, rate limits, the secret key) and runs in every start; the
reachability of the database and of Redis is `reachability_problems`, which
`labelling check-settings`, the worker and the scheduler run before they begin.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

PREFIX = "LABELLING_"
REDIS_SCHEMES = ("redis", "rediss", "unix")
MIN_SECRET_LENGTH = 32

# Numbers and the least each may be (a timeout of 0 means "none" where allowed).
AT_LEAST = {
    "MAIL_PORT": 1,
    "MAIL_TIMEOUT_SECONDS": 1,
    "MAIL_RETRY_BASE_SECONDS": 1,
    "MAIL_RETRY_MAX_SECONDS": 1,
    "MAIL_MAX_ATTEMPTS": 1,
    "MAIL_CLAIM_SECONDS": 1,
    "MAIL_SWEEP_AFTER_SECONDS": 0,
    "JOB_TIMEOUT_SECONDS": 1,
    "JOB_MAX_RETRIES": 0,
    "JOB_RETRY_BASE_SECONDS": 0,
    "JOB_FAILURE_KEEP_DAYS": 1,
    "SCHEDULER_TICK_SECONDS": 1,
    "DAILY_TASKS_HOUR": 0,
    "REDIS_TIMEOUT_SECONDS": 0.01,
    "REDIS_RETRY_SECONDS": 0,
    "DATABASE_CONNECT_TIMEOUT": 0,
    "DATABASE_STATEMENT_TIMEOUT_MS": 0,
    "DATABASE_COMMAND_STATEMENT_TIMEOUT_MS": 0,
    "DATABASE_ANSWER_GRACE_SECONDS": 0,
    "DATABASE_POOL_TIMEOUT": 1,
    "DATABASE_TCP_USER_TIMEOUT_MS": 0,
    "EVIDENCE_MAX_BYTES": 1,
    "PASSWORD_MIN_LENGTH": 8,
    "EVIDENCE_RETENTION_YEARS": 0,
}
AT_MOST = {"MAIL_PORT": 65535, "DAILY_TASKS_HOUR": 23, "PASSWORD_MIN_SCORE": 4}


class SettingsError(SystemExit):
    """Bad settings: each problem on its own line, named by its environment variable.

    A SystemExit with status 3, gunicorn's "worker failed to boot": its master then stops
    with that status instead of starting new workers forever behind a listening port."""

    EXIT_STATUS = 3

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        self.message = f"The settings need correcting before the platform can start:\n{lines}"
        super().__init__(self.EXIT_STATUS)

    def __str__(self) -> str:
        return self.message


def stop_for(problems: list[str]) -> NoReturn:
    """Stop the start with the problems on stderr (a SystemExit with a number prints
    nothing by itself)."""
    error = SettingsError(problems)
    print(error.message, file=sys.stderr, flush=True)
    raise error


def settings_problems(config) -> list[str]:
    return [
        *_database_problems(config),
        *_secret_key_problems(config),
        *_redis_problems(config),
        *_storage_problems(config),
        *_rate_limit_problems(config),
        *_number_problems(config),
        *_url_problems(config),
        *_key_problems(config),
        *_language_problems(config),
        *_log_level_problems(config),
    ]


def _database_problems(config) -> list[str]:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    url = config["SQLALCHEMY_DATABASE_URI"]
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        return [
            f"{PREFIX}DATABASE_URL: not a database URL (e.g. postgresql+psycopg://user@host/db)"
        ]
    if backend not in ("sqlite", "postgresql"):
        return [
            f"{PREFIX}DATABASE_URL: {backend!r} is not supported; write "
            "postgresql+psycopg://user@host/db, or leave it unset for SQLite"
        ]
    return []


def _secret_key_problems(config) -> list[str]:
    if config.get("TESTING"):
        return []
    if config.get("SECRET_KEY_FROM_INSTANCE"):
        if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            return [
                f"{PREFIX}SECRET_KEY is not set: with PostgreSQL (production, several hosts) "
                f"every host must share one, of at least {MIN_SECRET_LENGTH} characters"
            ]
        return []
    if len(config["SECRET_KEY"]) < MIN_SECRET_LENGTH:
        return [f"{PREFIX}SECRET_KEY: at least {MIN_SECRET_LENGTH} characters, please"]
    return []


def _redis_problems(config) -> list[str]:
    problems = []
    for key in ("JOBS_REDIS_URL", "CACHE_REDIS_URL"):
        url = config.get(key) or ""
        if url and not _well_formed(url, REDIS_SCHEMES):
            problems.append(f"{PREFIX}{key}: not a Redis URL (e.g. redis://host:6379/0)")
    if config.get("JOBS_REDIS_URL"):
        try:
            import rq  # noqa: F401
        except ImportError:
            problems.append(f"{PREFIX}JOBS_REDIS_URL needs RQ: install the `redis` extra")
    from limits.storage import SCHEMES

    storage = config.get("RATELIMIT_STORAGE_URI") or ""
    if not _well_formed(storage, tuple(SCHEMES)):
        problems.append(
            f"{PREFIX}RATELIMIT_STORAGE_URI: not a storage URI (memory://, redis://host:6379)"
        )
    return problems


def _well_formed(url: str, schemes: tuple[str, ...]) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return False
    return parts.scheme in schemes and (parts.scheme in ("memory", "unix") or bool(parts.netloc))


def _storage_problems(config) -> list[str]:
    backend = config["STORAGE_BACKEND"]
    if backend == "local":
        return []
    if backend != "s3":
        return [f"{PREFIX}STORAGE_BACKEND={backend!r}: write local or s3"]
    problems = []
    if not config["STORAGE_S3_BUCKET"]:
        problems.append(f"{PREFIX}STORAGE_S3_BUCKET: the bucket's name is needed with s3")
    try:
        import boto3  # noqa: F401
    except ImportError:
        problems.append(f"{PREFIX}STORAGE_BACKEND=s3 needs boto3: install the `s3` extra")
    return problems


def _rate_limit_problems(config) -> list[str]:
    from limits import parse_many

    problems = []
    for key in sorted(k for k in config if k.endswith("_RATE_LIMIT")):
        try:
            parse_many(str(config[key]))
        except ValueError:
            problems.append(f"{PREFIX}{key}: not a rate limit (e.g. '10 per minute;50 per hour')")
    return problems


def _number_problems(config) -> list[str]:
    problems = []
    for key in sorted(set(AT_LEAST) | set(AT_MOST)):
        value = config.get(key)
        low, high = AT_LEAST.get(key), AT_MOST.get(key)
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = " to ".join(str(b) for b in (low, high) if b is not None)
            word = "from" if high is not None else "at least"
            problems.append(f"{PREFIX}{key}={value}: must be {word} {bounds}")
    return problems


def _url_problems(config) -> list[str]:
    base = config.get("BASE_URL") or ""
    if base:
        parts = urlsplit(base)
        if not _well_formed(base, ("http", "https")) or parts.query or parts.fragment:
            return [f"{PREFIX}BASE_URL: not a web address (e.g. https://labels.example.org)"]
        if parts.path.strip("/"):
            return [f"{PREFIX}BASE_URL: the site's root, with no path (served at {parts.path})"]
        return []
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") and not config.get("TESTING"):
        return [
            f"{PREFIX}BASE_URL is not set: with PostgreSQL (production) every link in e-mails, "
            "certificates and the API is built on it, e.g. https://labels.example.org"
        ]
    return []


def _key_problems(config) -> list[str]:
    from labelling.core.keys import audit_key_problems
    from labelling.core.sealing import key_problem

    problems = [f"{PREFIX}AUDIT_KEYS: {problem}" for problem in audit_key_problems(config)]
    for number, key in enumerate(config.get("DATA_KEYS") or (), start=1):
        problem = key_problem(key)
        if problem:
            problems.append(f"{PREFIX}DATA_KEYS: key {number} is {problem}")
    return problems


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level_problems(config) -> list[str]:
    return [
        f"{PREFIX}{name}: one of {', '.join(LOG_LEVELS)}"
        for name in ("LOG_LEVEL", "LOG_LIBRARIES_LEVEL")
        if str(config.get(name, "INFO")).upper() not in LOG_LEVELS
    ]


def _language_problems(config) -> list[str]:
    translations = Path(__file__).resolve().parent.parent / "translations"
    offered = {"en"} | {p.name for p in translations.iterdir() if (p / "LC_MESSAGES").is_dir()}
    problems = [
        f"{PREFIX}LANGUAGES: no translation for {code!r} (there are {', '.join(sorted(offered))})"
        for code in config["LANGUAGES"]
        if code not in offered
    ]
    if config["BABEL_DEFAULT_LOCALE"] not in config["LANGUAGES"]:
        problems.append(f"{PREFIX}BABEL_DEFAULT_LOCALE: not one of {PREFIX}LANGUAGES")
    return problems


def reachability_problems(config) -> list[str]:
    """The database and every configured Redis, tried once each."""
    from sqlalchemy import text

    from labelling.extensions import db

    problems = []
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        problems.append(f"{PREFIX}DATABASE_URL: cannot connect ({_first_line(exc)})")
    for key in ("JOBS_REDIS_URL", "CACHE_REDIS_URL", "RATELIMIT_STORAGE_URI"):
        url = config.get(key) or ""
        if urlsplit(url).scheme in REDIS_SCHEMES:
            problem = _redis_unreachable(url, config["REDIS_TIMEOUT_SECONDS"])
            if problem:
                problems.append(f"{PREFIX}{key}: cannot connect ({problem})")
    return problems


def _redis_unreachable(url: str, timeout: float) -> str | None:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        client = Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        client.ping()
        client.close()
    except (RedisError, ValueError) as exc:
        return _first_line(exc)
    return None


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
