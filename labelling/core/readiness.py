"""Readiness checks: can this worker serve requests that need its dependencies?"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import text

from labelling.extensions import db

log = logging.getLogger(__name__)
REDIS_TIMEOUT_SECONDS = 2


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database makes us unready
        log.warning("readiness: database unavailable: %s", exc)
        db.session.rollback()
        return f"unavailable ({type(exc).__name__})"
    return "ok"


def _redis_urls() -> dict[str, str]:
    """The Redis servers this configuration uses, by what uses them."""
    config = current_app.config
    urls = {}
    if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith(("redis://", "rediss://")):
        urls["rate_limits"] = config["RATELIMIT_STORAGE_URI"]
    if config.get("CACHE_TYPE") == "RedisCache" and config.get("CACHE_REDIS_URL"):
        urls["cache"] = config["CACHE_REDIS_URL"]
    return urls


def _redis(url: str) -> str:
    import redis

    try:
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        client.ping()
    except Exception as exc:  # any failure to reach Redis makes us unready
        log.warning("readiness: Redis unavailable: %s", exc)
        return f"unavailable ({type(exc).__name__})"
    return "ok"


def check_dependencies() -> dict[str, str]:
    """name -> "ok" or why not, for the database and every Redis in use."""
    checks = {"database": _database()}
    for name, url in _redis_urls().items():
        checks[f"redis_{name}"] = _redis(url)
    return checks
