"""Reading and writing the shared cache so that a cache failure never fails a page: after
a failed read or write the cache is left alone for REDIS_RETRY_SECONDS in this worker, and
the page is served as if nothing had been kept."""

from __future__ import annotations

import logging
from time import monotonic

from flask import current_app

from labelling.extensions import cache

log = logging.getLogger(__name__)

_resting_until = 0.0


def _failed(operation: str, key: str) -> None:
    global _resting_until
    _resting_until = monotonic() + current_app.config["REDIS_RETRY_SECONDS"]
    log.warning("cache %s failed for %s; serving uncached for a while", operation, key)


def read(key: str):
    """The value kept under `key`; None when nothing is kept or the cache fails."""
    if monotonic() < _resting_until:
        return None
    try:
        return cache.get(key)
    except Exception:  # any cache backend failure (Redis down): serve uncached
        _failed("read", key)
        return None


def write(key: str, value, timeout: int | None = None) -> None:
    if monotonic() < _resting_until:
        return
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:  # as above
        _failed("write", key)
