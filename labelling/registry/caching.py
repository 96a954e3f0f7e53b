"""Caching for the public side, keyed by the registry's data version and the day.

Every public page and API answer depends only on the registry's data (labels,
certificates, the organisations' public facts), the day (labels expire at midnight
without any write) and the reader's language. The data version moves on with every
change in the same transaction (`registry.sync`), so a key made of (version, day,
language, request) never serves stale content and nothing needs to be deleted: old
entries simply stop being asked for and time out.

- Rendered fragments and computed values live in Flask-Caching (in-process by default,
  Redis with several workers or hosts).
- Anonymous readers get `ETag`, `Last-Modified`, `Cache-Control: public, max-age=60` and
  `304 Not Modified`; signed-in readers get `Cache-Control: private, no-store`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import wraps
from typing import Any

from flask import (
    Response,
    current_app,
    g,
    has_request_context,
    make_response,
    render_template,
    request,
)
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from labelling.extensions import cache, db

log = logging.getLogger(__name__)

PUBLIC_MAX_AGE = 60  # seconds a browser or proxy may reuse a public answer unasked
_MISSING = object()


@dataclass(frozen=True)
class Version:
    number: int
    changed_at: datetime | None
    today: date

    @property
    def token(self) -> str:
        changed = self.changed_at.timestamp() if self.changed_at else 0
        return f"{self.number}.{changed:.6f}.{self.today.isoformat()}"

    @property
    def last_modified(self) -> datetime:
        """The last change, or the start of today if later: an expiry at midnight
        changes the pages without any write."""
        midnight = datetime.combine(self.today, time(0), tzinfo=UTC)
        changed = self.changed_at or midnight
        return max(changed, midnight).replace(microsecond=0)


def current_version() -> Version:
    """The registry's data version for this request (read once per request)."""
    if "registry_version" not in g:
        from labelling.registry.sync import data_version

        number, changed_at = data_version(db.session.connection())
        g.registry_version = Version(number, changed_at, date.today())
    return g.registry_version


def _locale() -> str:
    return str(get_locale() or "en")


def cache_key(kind: str, *parts: Any) -> str:
    """The key of a kept value: its kind and parts at this data version, day, language
    and site address (absolute links in the content depend on it)."""
    site = request.host_url if has_request_context() else ""
    digest = hashlib.blake2b(repr((site, parts)).encode(), digest_size=12).hexdigest()
    return f"labelling:{kind}:{current_version().token}:{_locale()}:{digest}"


def _read(key: str):
    try:
        return cache.get(key)
    except Exception:  # any cache backend failure (Redis down): serve uncached
        log.warning("cache read failed for %s", key, exc_info=True)
        return None


def _write(key: str, value, timeout: int | None = None) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:  # as above
        log.warning("cache write failed for %s", key, exc_info=True)


def cached(kind: str, parts: tuple, compute: Callable[[], Any], timeout: int | None = None):
    """The value kept for (kind, parts) at this data version, day and language, or
    `compute()` kept for next time (None is never kept)."""
    key = cache_key(kind, *parts)
    value = _read(key)
    if value is None:
        value = compute()
        if value is not None:
            _write(key, value, timeout)
    return value


# Answers worth keeping: found, or gone for good (a revoked certificate's 410).
_KEPT_STATUSES = (200, 410)
_UNKEPT_HEADERS = {"content-length", "set-cookie", "vary"}


def cached_response(kind: str, parts: tuple, produce: Callable[[], Any]) -> Response:
    """The response `produce()` gives, kept whole (status, body, headers) when it is a
    200 or 410; errors are answered afresh each time."""
    key = cache_key(kind, *parts)
    stored = _read(key)
    if stored is None:
        response = make_response(produce())
        if response.status_code not in _KEPT_STATUSES or response.is_streamed:
            return response
        headers = [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in _UNKEPT_HEADERS
        ]
        stored = (response.status_code, response.get_data(), headers)
        _write(key, stored)
    status, body, headers = stored
    return current_app.response_class(body, status=status, headers=headers)


def _is_fresh(etag: str, last_modified: datetime) -> bool:
    if request.if_none_match:
        return request.if_none_match.contains(etag)
    since = request.if_modified_since
    return since is not None and since >= last_modified


def public(view: Callable) -> Callable:
    """For views anyone may read: validators, 304 and shared caching for anonymous
    readers; no caching at all for signed-in ones (their pages carry their name)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user.is_authenticated:
            response = make_response(view(*args, **kwargs))
            response.headers["Cache-Control"] = "private, no-store"
            return response
        version = current_version()
        etag = hashlib.blake2b(
            f"{version.token}|{_locale()}|{request.full_path}".encode(), digest_size=16
        ).hexdigest()
        if _is_fresh(etag, version.last_modified):
            response = current_app.response_class(status=304)
        else:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200:
                return response
        response.set_etag(etag)
        response.last_modified = version.last_modified
        response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        response.vary.update(("Accept-Language", "Cookie"))
        return response

    return wrapper


def framed(title: str, content: str, status: int = 200):
    """A page around content rendered (and escaped) by one of our templates."""
    frame = render_template(
        "partials/cached_page.html",
        title=title,
        content=Markup(content),  # noqa: S704 - our own template's output, already escaped
    )
    return frame, status
