"""Error pages for people, one JSON envelope for the API: never a bare 500."""

from __future__ import annotations

import logging

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from labelling.extensions import db

log = logging.getLogger(__name__)


def _titles() -> dict[int, str]:
    return {
        400: _("The request could not be understood"),
        403: _("You may not see this page"),
        404: _("Page not found"),
        405: _("This action is not allowed here"),
        409: _("This conflicts with the current state"),
        410: _("This is no longer valid"),
        413: _("The upload is too large"),
        422: _("Some input needs correcting"),
        429: _("Too many attempts"),
        500: _("Something went wrong on our side"),
        503: _("Briefly unavailable"),
    }


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def error_response(
    status: int,
    message: str | None = None,
    headers=None,
    details: dict | None = None,
    attachments: dict | None = None,
):
    """The error page, or for the API the one JSON envelope: {"error": {status, title,
    message, ...details}, ...attachments}."""
    title = _titles().get(status, _("Error"))
    if _wants_json():
        error = {"status": status, "title": title, "message": message or title}
        body = {"error": error | (details or {})} | (attachments or {})
        return jsonify(body), status, headers or {}
    return (
        render_template("errors/error.html", status=status, title=title, message=message),
        status,
        headers or {},
    )


def briefly_unavailable():
    """503 for a database or Redis that is away: nothing was written; try again soon."""
    return error_response(
        503,
        _("The service is briefly unavailable. Nothing was saved: try again in a moment."),
        {"Retry-After": "5"},
    )


def csrf_error_response():
    return error_response(
        400,
        _(
            "The form had expired or came from elsewhere. Go back, reload the page and "
            "send it again."
        ),
    )


def _changed_meanwhile() -> str:
    return _(
        "Someone else changed this at the same moment, or it was sent twice. Nothing was "
        "changed by this request: reload the page to see where things stand."
    )


def is_unique_violation(exc: IntegrityError) -> bool:
    """PostgreSQL's unique_violation (23505), or SQLite's UNIQUE constraint failure."""
    code = getattr(exc.orig, "sqlstate", None)
    return code == "23505" or "UNIQUE constraint failed" in str(exc.orig)


def _rollback_quietly() -> None:
    """Roll back, where the connection itself may be what failed."""
    try:
        db.session.rollback()
    except Exception:  # a dead connection: let the pool replace it
        log.warning("Rollback failed; the connection is dropped", exc_info=True)
        db.session.invalidate()


def _nobody_signed_in() -> None:
    from flask import g

    from labelling.extensions import login_manager

    g._login_user = login_manager.anonymous_user()


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return csrf_error_response()

    @app.errorhandler(SecurityError)
    def untrusted_host(exc: SecurityError):
        # A Host header not in TRUSTED_HOSTS: no URL can be built for it (no page, no
        # template), so a short plain answer naming nothing of the request.
        text = _("This site is not served at the address requested.")
        return text, 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if isinstance(exc, InternalServerError):
            return unexpected_error(exc)
        # Our own aborts carry a translated message; Werkzeug's default texts are English.
        is_custom = exc.description != type(exc).description
        message = exc.description if is_custom else None
        if exc.code == 429:
            message = _("Too many attempts. Wait a minute and try again.")
        # Keep the headers that tell the client what to do next (e.g. Allow on a 405).
        headers = {k: v for k, v in exc.get_headers() if k.lower() in ("retry-after", "allow")}
        return error_response(exc.code or 500, message, headers)

    @app.errorhandler(StaleDataError)
    def changed_meanwhile(exc: StaleDataError):
        # A row version moved under the request: someone (or a second click) was first.
        db.session.rollback()
        return error_response(409, _changed_meanwhile())

    @app.errorhandler(IntegrityError)
    def conflicting_write(exc: IntegrityError):
        db.session.rollback()
        if not is_unique_violation(exc):
            return unexpected_error(exc)
        # A rule of one (one draft per level, one assignment per assessor, one successor
        # per audit event) met by a simultaneous request: this one changes nothing.
        return error_response(409, _changed_meanwhile())

    @app.errorhandler(OperationalError)
    def database_unavailable(exc: OperationalError):
        # Down, unreachable, or too slow (a statement timeout): nothing was written, and
        # the next request tries again on a fresh connection (pool pre-ping).
        _rollback_quietly()
        _nobody_signed_in()  # the page must not ask the database who is reading it
        log.warning("Database unavailable on %s %s: %s", request.method, request.path, exc.orig)
        return briefly_unavailable()

    try:
        from redis.exceptions import RedisError
    except ImportError:  # the embedded default runs without the redis extra
        RedisError = None

    if RedisError is not None:

        @app.errorhandler(RedisError)
        def redis_unavailable(exc):
            # Only what must not go on without Redis raises here: rate limits set to fail
            # closed (RATELIMIT_FAIL_CLOSED). The cache and the job queue carry on without.
            _rollback_quietly()
            log.warning("Redis unavailable on %s %s: %s", request.method, request.path, exc)
            return briefly_unavailable()

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        # Roll back so a failed request never leaves a half-written record behind.
        db.session.rollback()
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(500, _("The error has been logged. Nothing was saved."))
