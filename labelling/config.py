"""Configuration: safe defaults, overridden by LABELLING_* environment variables."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from labelling.core.settings_check import settings_problems, stop_for

ENV_PREFIX = "LABELLING_"

# Values read from the environment and how to coerce them.
_BOOL = {"1", "true", "yes", "on"}


def _coerce(raw: str, current: object) -> object:
    if isinstance(current, bool):
        return raw.strip().lower() in _BOOL
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, float):
        return float(raw)
    if isinstance(current, list):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


class Config:
    """Defaults for every environment; SQLite under instance/ is the embedded default."""

    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None  # None -> sqlite:///<instance>/labelling.sqlite
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # PostgreSQL: how long a worker waits for a connection, and for one statement, before
    # the request is answered 503 instead of hanging with the database (0: no limit).
    DATABASE_CONNECT_TIMEOUT = 5  # seconds
    DATABASE_STATEMENT_TIMEOUT_MS = 10_000
    # A database that stops answering: each wait ends after the statement timeout plus
    # this grace, on the client (the server's own timeout cannot fire when it is silent),
    # well inside gunicorn's 30 s worker timeout.
    DATABASE_ANSWER_GRACE_SECONDS = 2.0
    DATABASE_POOL_TIMEOUT = 5  # seconds a thread waits for a pooled connection
    DATABASE_TCP_USER_TIMEOUT_MS = 10_000  # unacknowledged data fails the connection
    # The `labelling` commands (bulk loads, rebuilds, imports, the worker): 0, no limit.
    DATABASE_COMMAND_STATEMENT_TIMEOUT_MS = 0

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # Server-side sessions (accounts.sessions): how long one may sit idle, for most users
    # and for those who decide or see confidential evidence (assessors, secretariat,
    # administrators); how long one lives at most; and, when a manager asks to stay signed
    # in on a device, how long that lasts.
    SESSION_IDLE_MINUTES = 8 * 60
    SESSION_PRIVILEGED_IDLE_MINUTES = 2 * 60
    SESSION_ABSOLUTE_HOURS = 12
    SESSION_REMEMBER_DAYS = 14
    # The second factor (accounts.two_factor): required of assessors, the secretariat and
    # administrators (the demo alone turns it off); a device may be remembered for at most
    # 30 days; a sign-in waits this long for its code; codes tried per account.
    TWO_FACTOR_REQUIRED = True
    TWO_FACTOR_REMEMBER_DAYS = 30
    TWO_FACTOR_PENDING_SECONDS = 600
    TWO_FACTOR_RATE_LIMIT = "5 per minute;30 per hour"
    # `/metrics` (Prometheus) answers only with `Authorization: Bearer <this token>`;
    # empty: it does not exist.
    METRICS_TOKEN = ""
    # One JSON line per request on the `labelling.requests` logger (health checks aside);
    # about 0.05 ms a request. Metrics are kept either way.
    REQUEST_LOG = True  # one JSON object per request on stdout (core.logs)
    LOG_LEVEL = "INFO"  # the platform's own lines on stderr
    LOG_LIBRARIES_LEVEL = "WARNING"  # WeasyPrint's progress, fontTools...: INFO to see them
    DEMO_MODE = False  # set by `labelling demo`: a banner says what differs from production

    LANGUAGES = ["en", "de", "fr", "es", "it", "pl"]
    BABEL_DEFAULT_LOCALE = "en"

    RATELIMIT_STORAGE_URI = "memory://"
    # Per account and address (guessing); per address alone, loose enough for an office
    # or a training room behind one address (spraying many accounts).
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    ADDRESS_LOGIN_RATE_LIMIT = "200 per minute;2000 per hour"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True  # Retry-After on every 429
    # With the limits' Redis down: False, each worker counts in its own memory until Redis
    # returns; True, every request that has a limit is answered 503 meanwhile.
    RATELIMIT_FAIL_CLOSED = False
    # Every Redis client (limits, cache, jobs) waits this long for a connection or an answer:
    # a Redis that is down or silent costs a request this much, never a hung worker. After
    # a failure the cache is left alone for REDIS_RETRY_SECONDS in that worker.
    REDIS_TIMEOUT_SECONDS = 0.5
    REDIS_RETRY_SECONDS = 30
    # Rendered public pages and computed facet counts, keyed by the registry's data
    # version: in-process by default (least recently used out first); set CACHE_REDIS_URL
    # to share one cache between workers and hosts (the rate limits' Redis will do).
    CACHE_TYPE = "labelling.core.lru_cache.LRUCache"
    CACHE_REDIS_URL = ""
    CACHE_DEFAULT_TIMEOUT = 600
    CACHE_THRESHOLD = 5000  # entries kept in each worker
    CACHE_MAX_BYTES = 32 * 2**20  # and at most this much of them
    # Seconds a worker may answer anonymous readers from the data version it last read
    # (0: read it on every request). A change shows everywhere within this time.
    REGISTRY_VERSION_TTL = 1.0
    # After a change, the most-read public answers are made for the new version before a
    # reader asks (registry.warming).
    REGISTRY_WARM_AFTER_CHANGE = True
    API_RATE_LIMIT = "120 per minute"  # per client address, for the open data API
    VERIFY_UPLOAD_RATE_LIMIT = "20 per minute"  # PDF checks on the public verification page
    COMPLAINT_RATE_LIMIT = "5 per hour;20 per day"  # public complaints, per client address
    # comments on a draft in consultation from people not signed in, per client address
    CONSULTATION_RATE_LIMIT = "5 per hour;20 per day"

    PASSWORD_RESET_MAX_AGE = 3600  # seconds a reset link stays valid
    INVITATION_MAX_AGE_DAYS = 14
    EMAIL_CONFIRMATION_MAX_AGE = 3 * 24 * 3600  # seconds a sign-up's confirmation link works
    PASSWORD_MIN_LENGTH = 12
    PASSWORD_MIN_SCORE = 3  # zxcvbn's 0-4: 3 is "safely unguessable" offline at a slow hash
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a hash method name, not a password

    MAIL_SERVER = ""  # empty -> mail goes to the outbox table and the log only
    MAIL_PORT = 587
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_USE_TLS = True
    MAIL_DEFAULT_SENDER = "labelling@localhost"
    MAIL_TIMEOUT_SECONDS = 20  # for each exchange with the mail server
    # A refused message is tried again after 1, 2, 4, ... minutes, at most an hour apart,
    # and given up after this many attempts (the secretariat sees it and may retry it).
    MAIL_RETRY_BASE_SECONDS = 60
    MAIL_RETRY_MAX_SECONDS = 3600
    MAIL_MAX_ATTEMPTS = 10
    MAIL_CLAIM_SECONDS = 300  # a claim this old is a sender that died: another may send
    MAIL_SWEEP_AFTER_SECONDS = 60  # a message queued this long ago is enqueued again

    # Background jobs (RQ on Redis): e-mail delivery and the daily tasks. Empty: they run
    # in-process right after the commit (the embedded demo). A failed job is retried after
    # 30 s, 1, 2, 4 and 8 minutes, then kept this many days in the failed list.
    JOBS_REDIS_URL = ""
    JOBS_QUEUE = "labelling"
    JOB_TIMEOUT_SECONDS = 600
    JOB_MAX_RETRIES = 5
    JOB_RETRY_BASE_SECONDS = 30
    JOB_FAILURE_KEEP_DAYS = 30
    SCHEDULER_TICK_SECONDS = 30
    DAILY_TASKS_HOUR = 5  # UTC: the day's reminders go out at the first tick after it

    EVIDENCE_MAX_BYTES = 20 * 1024 * 1024  # per file
    # The files of applications refused or withdrawn longer ago than this are deleted by
    # the daily tasks (`labelling purge-evidence --dry-run` shows which); 0: kept for ever.
    EVIDENCE_RETENTION_YEARS = 0
    # Uploaded files (evidence, appeal documents): "local", a folder (every web host must
    # see the same one), or "s3", a bucket of AWS S3, MinIO or any S3-compatible service.
    STORAGE_BACKEND = "local"
    EVIDENCE_DIRECTORY = ""  # local: empty -> <instance>/evidence
    STORAGE_S3_BUCKET = ""
    STORAGE_S3_PREFIX = "evidence/"
    STORAGE_S3_ENDPOINT_URL = ""  # empty: AWS; e.g. http://minio.example.org:9000
    STORAGE_S3_REGION = ""
    STORAGE_S3_ACCESS_KEY = ""  # empty: boto3 finds them (AWS_ACCESS_KEY_ID, a role, ...)
    STORAGE_S3_SECRET_KEY = ""
    CRITERIA_DEFAULT_FRAMEWORK = "ecei-2013"
    CRITERIA_DIRECTORY = ""  # empty -> labelling/criteria/frameworks
    # Draft framework versions kept beside the published ones (same layout: <id>/<version>
    # .yaml), read at start-up; only files with the status draft are taken from it.
    CRITERIA_DRAFTS_DIRECTORY = ""  # empty -> <instance>/criteria-drafts
    SITE_NAME = "Cluster Excellence Labelling"
    # The certificate: the labelling body's name (empty: the framework's issuer), an
    # optional logo and signature image (PNG, JPEG or SVG files), and who signs it, as a
    # list of {"name", "role"} or the text "Name|Role; Name|Role".
    LABELLING_BODY_NAME = ""
    CERTIFICATE_LOGO = ""
    CERTIFICATE_SIGNATURE = ""
    CERTIFICATE_SIGNATORIES: list | str = ""
    # The site's address (https://labels.example.org): every absolute link (e-mails, PDFs,
    # QR codes, the API, jobs) is built on it, never on the request, and a request naming
    # another host is refused (400). Required with PostgreSQL (production); in the embedded
    # demo, empty: links follow the address the demo is opened at.
    BASE_URL = ""
    # Keys sealing the secrets kept in the database (second factors), newest first: the
    # first seals, every one unseals (`labelling new-key` makes one, `labelling
    # reseal-secrets` seals all again with the first). Empty: one derived from SECRET_KEY.
    DATA_KEYS: list = []
    # Keys of the audit chain (HMAC-SHA256), newest first: the first keys new events, every
    # one verifies; at least 32 characters each. Empty: one derived from SECRET_KEY.
    AUDIT_KEYS: list = []
    # Signed checkpoints of the audit chain's head, written daily out of the database's
    # reach: with local storage a folder (empty -> <instance>/audit-checkpoints), with S3
    # the files' bucket under this prefix. Give the database's administrators no write
    # access to either.
    AUDIT_CHECKPOINT_DIRECTORY = ""
    AUDIT_CHECKPOINT_S3_PREFIX = "audit-checkpoints/"
    # Other host names the site answers to (e.g. the one a load balancer's health check
    # sends); links are still built on BASE_URL.
    TRUSTED_HOSTS: list = []
    # How many proxies (load balancer, TLS terminator) stand in front of the app: only then
    # are their X-Forwarded-For/-Proto/-Host headers believed (Werkzeug's ProxyFix), else a
    # client could name any address and escape the rate limits. 0: served directly.
    PROXY_COUNT = 0
    # Assessment process (working days count Monday to Friday; public holidays are not known).
    INFORMATION_DEADLINE_WORKING_DAYS = 10  # for the applicant's answers to a question
    ASSESSMENT_DUE_WORKING_DAYS = 20  # from an assessor's acceptance to the finished scoring
    CONFLICT_LOOKBACK_YEARS = 3  # a declared relation this recent bars an assessor
    REMINDER_DAYS_BEFORE_ANSWER_DUE = 3
    LABEL_EXPIRY_REMINDER_DAYS_BEFORE = [90, 30, 7]
    LABEL_EXPIRY_REMINDER_DAYS_AFTER = 7
    BENCHMARK_MIN_PEERS = 5  # smaller peer groups are not shown (anonymity)
    STATISTICS_MIN_GROUP = 5  # accountability figures of smaller groups are not shown
    TWINNING_DECLINE_QUIET_DAYS = 180  # a declined pair is not suggested again for this long
    TWINNING_REMINDER_DAYS = 14  # a request unanswered this long reminds the partner once
    # An organisation's best candidates are kept this long under its profile's version;
    # switching off, pairing and capacity are always applied live.
    TWINNING_SUGGESTIONS_SECONDS = 300


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 - fixed key for reproducible tests only
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    REGISTRY_VERSION_TTL = 0.0  # tests change data and look at once
    REGISTRY_WARM_AFTER_CHANGE = False  # its own tests turn it on
    # Hundreds of tests sign staff in; the second factor's own tests turn it on.
    TWO_FACTOR_REQUIRED = False
    # Cheap hashing keeps hundreds of test sign-ins fast; production keeps scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a method name


def load_config(app, overrides: dict | None = None) -> None:
    """Apply defaults, then LABELLING_* variables, then explicit overrides (tests)."""
    base = Config
    if overrides and overrides.pop("TESTING_CONFIG", False):
        base = TestConfig
    app.config.from_object(base)
    problems = []
    for key in list(app.config):
        raw = os.environ.get(ENV_PREFIX + key)
        if raw is not None:
            try:
                app.config[key] = _coerce(raw, app.config[key])
            except ValueError:
                kind = type(app.config[key]).__name__
                problems.append(f"{ENV_PREFIX}{key}={raw!r}: not a {_KINDS.get(kind, kind)}")
    # Keys with no default still come from the environment.
    for name in ("SECRET_KEY", "DATABASE_URL"):
        raw = os.environ.get(ENV_PREFIX + name)
        if raw:
            app.config[name] = raw
    if overrides:
        app.config.update(overrides)
    if problems:  # the checks below need the values in their types
        stop_for(problems)
    _finalise(app)
    problems = settings_problems(app.config)
    if problems:
        stop_for(problems)


_KINDS = {"int": "whole number", "float": "number"}


def _finalise(app) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
        app.config["SECRET_KEY_FROM_INSTANCE"] = True
    url = app.config.get("DATABASE_URL") or (
        "sqlite:///" + str(Path(app.instance_path) / "labelling.sqlite")
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config, url)
    app.config["RATELIMIT_ENABLED"] = app.config.get("RATELIMIT_ENABLED", True)
    _session_cookie(app.config)
    _trusted_hosts(app.config)
    if app.config.get("CACHE_REDIS_URL") and app.config["CACHE_TYPE"] == Config.CACHE_TYPE:
        app.config["CACHE_TYPE"] = "RedisCache"
    _redis_timeouts(app.config)
    # A request may carry one evidence file plus the form around it.
    if not app.config.get("MAX_CONTENT_LENGTH"):
        app.config["MAX_CONTENT_LENGTH"] = app.config["EVIDENCE_MAX_BYTES"] + 1024 * 1024


def engine_options(config, url: str) -> dict:
    """The engine's options; on PostgreSQL with the timeouts of `core.database`."""
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
    if url.startswith("postgresql"):
        from labelling.core.database import postgres_engine_options

        return postgres_engine_options(config, options)
    return options


def _redis_timeouts(config) -> None:
    """Short socket timeouts on the cache's and the limits' Redis, and what the limits do
    when it is away."""
    timeout = float(config["REDIS_TIMEOUT_SECONDS"])
    options = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    config.setdefault("CACHE_OPTIONS", options)
    if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith(("redis", "rediss")):
        config.setdefault("RATELIMIT_STORAGE_OPTIONS", options)
    config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = not config["RATELIMIT_FAIL_CLOSED"]


def _trusted_hosts(config) -> None:
    """Werkzeug's TRUSTED_HOSTS: the base URL's host and the extra names, or no check (the
    demo, with no base URL and no extra name)."""
    from urllib.parse import urlsplit

    extra = list(config.get("TRUSTED_HOSTS") or [])
    base = config.get("BASE_URL") or ""
    host = urlsplit(base).hostname if "://" in base else None
    names = ([host] if host else []) + extra
    config["TRUSTED_HOSTS"] = names or None


def _session_cookie(config) -> None:
    """The cookie lives as long as a remembered session may; on HTTPS it takes the
    `__Host-` prefix, which browsers accept only from a secure origin, for the whole site."""
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=config["SESSION_REMEMBER_DAYS"])
    if config["SESSION_COOKIE_SECURE"] and config.get("SESSION_COOKIE_NAME") == "session":
        config["SESSION_COOKIE_NAME"] = "__Host-session"
        config["SESSION_COOKIE_PATH"] = "/"
        config["SESSION_COOKIE_DOMAIN"] = None


def _instance_secret(instance: Path) -> str:
    """A per-installation random key, kept in the instance folder so sessions survive restarts."""
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
