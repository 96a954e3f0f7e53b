"""Caching for the public side, keyed by the registry's data version and the day.

Every public page and API answer depends only on the registry's data (labels,
certificates, the organisations' public facts), the day (labels expire at midnight
without any write) and the reader's language. The data version moves on with every
change in the same transaction (`registry.sync`), so a key made of (version, day,
language, request) never serves stale content and nothing needs to be deleted: old
entries simply stop being asked for and time out.

- Rendered fragments and computed values (the facet cube) live in Flask-Caching
  (in-process by default, Redis with several workers or hosts).
- Anonymous readers get `ETag`, `Last-Modified`, `Cache-Control: public, max-age=60` and
  `304 Not Modified`, and each answer is kept whole; a worker may serve them from the
  data version it read up to REGISTRY_VERSION_TTL seconds before, so a kept answer costs
  no query. Signed-in readers get `Cache-Control: private, no-store` and the version as
  committed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import wraps
from time import monotonic
from typing import Any

from flask import (
    Response,
    current_app,
    g,
    has_request_context,
    make_response,
    render_template,
    request,
    session,
)
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from labelling.core.kept import read, write
from labelling.extensions import db
from labelling.registry.sync import VERSION_MEMO, data_version

log = logging.getLogger(__name__)

PUBLIC_MAX_AGE = 60  # seconds a browser or proxy may reuse a public answer unasked


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
    """The registry's data version for this request.

    Signed-in readers (the secretariat checking what it just changed) always get the
    version as committed. Anonymous readers may get it as this worker read it up to
    REGISTRY_VERSION_TTL seconds ago (default 1): a cached public page then needs no
    database round trip at all, and a change reaches every worker within that second.
    The worker that made a change forgets its memo at the commit (registry.sync)."""
    if "registry_version" in g:
        return g.registry_version
    ttl = current_app.config["REGISTRY_VERSION_TTL"]
    memo = current_app.extensions.get(VERSION_MEMO)
    now = monotonic()
    anonymous = not current_user.is_authenticated
    if anonymous and ttl > 0 and memo is not None and memo[0] > now:
        version = memo[1]
    else:
        number, changed_at = data_version(db.session.connection())
        version = Version(number, changed_at, date.today())
        current_app.extensions[VERSION_MEMO] = (now + ttl, version)
    if version.today != date.today():  # midnight passed since it was read
        version = Version(version.number, version.changed_at, date.today())
    g.registry_version = version
    return version


def _locale() -> str:
    return str(get_locale() or "en")


def cache_key(kind: str, *parts: Any) -> str:
    """The key of a kept value: its kind and parts at this data version, day, language
    and site address (absolute links in the content depend on it)."""
    site = request.host_url if has_request_context() else ""
    digest = hashlib.blake2b(repr((site, parts)).encode(), digest_size=12).hexdigest()
    return f"labelling:{kind}:{current_version().token}:{_locale()}:{digest}"


# After a cache failure (Redis down, or silent until its timeout) this worker leaves the
# cache alone for REDIS_RETRY_SECONDS (core.kept): one slow request then, not every one.
def cached(kind: str, parts: tuple, compute: Callable[[], Any], page_content: bool = False):
    """The value kept for (kind, parts) at this data version, day and language, or
    `compute()` kept for next time (None is never kept).

    `page_content` marks the content of one page: not kept while the whole answer is
    being kept (see `public`), which would hold the same thing twice."""
    if page_content and g.get("keeping_whole_answer"):
        return compute()
    key = cache_key(kind, *parts)
    value = read(key)
    if value is None:
        value = compute()
        if value is not None:
            write(key, value)
    return value


# Answers worth keeping whole: found, or gone for good (a revoked certificate's 410).
_KEPT_STATUSES = (200, 410)
_UNKEPT_HEADERS = {"content-length", "set-cookie", "vary"}


def _kept_response(key: str, produce: Callable[[], Any]) -> Response:
    """The response kept under `key`, or `produce()`'s, kept when it is a 200 or a 410
    (errors are answered afresh; streamed downloads are never kept)."""
    stored = read(key)
    if stored is not None:
        status, body, headers = stored
        return current_app.response_class(body, status=status, headers=headers)
    response = make_response(produce())
    if response.status_code in _KEPT_STATUSES and not response.is_streamed:
        headers = [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in _UNKEPT_HEADERS
        ]
        write(key, (response.status_code, response.get_data(), headers))
    return response


def _is_fresh(etag: str, last_modified: datetime) -> bool:
    if request.if_none_match:
        return request.if_none_match.contains(etag)
    since = request.if_modified_since
    return since is not None and since >= last_modified


def public(view: Callable | None = None, *, max_age: int = PUBLIC_MAX_AGE) -> Callable:
    """For views anyone may read. Anonymous readers: validators and 304, shared caching,
    and the whole answer kept per data version, day, language and URL, so that a kept
    page costs no query and no rendering. Signed-in readers: no caching at all (their
    pages carry their name); the views still reuse kept fragments for them.

    `max_age=0` makes browsers and proxies ask every time (a 304 when nothing changed):
    for answers that must never be a minute late, such as a certificate's verification
    after a revocation."""
    if view is None:
        return lambda view: public(view, max_age=max_age)
    freshness = f"public, max-age={max_age}" if max_age else "public, no-cache"

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user.is_authenticated:
            response = make_response(view(*args, **kwargs))
            response.headers["Cache-Control"] = "private, no-store"
            return response
        version = current_version()
        answer = f"{version.token}|{_locale()}|{request.host_url}|{request.full_path}"
        etag = hashlib.blake2b(answer.encode(), digest_size=16).hexdigest()
        if _is_fresh(etag, version.last_modified):
            response = current_app.response_class(status=304)
        elif "_flashes" in session:  # a message waits for this reader: render it
            response = make_response(view(*args, **kwargs))
        else:
            g.keeping_whole_answer = True
            key = cache_key("response", request.full_path)
            response = _kept_response(key, lambda: view(*args, **kwargs))
        if response.status_code not in (200, 304):
            return response
        response.set_etag(etag)
        response.last_modified = version.last_modified
        response.headers["Cache-Control"] = freshness
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
