"""What operators see: one JSON log line per request, and `/metrics` for Prometheus.

Each request gets an id (the caller's `X-Request-ID` when it is a sane one, else a new
one), sent back in `X-Request-ID` and written in its log line with the user, the route,
the status, the duration and the SQL it cost. `/metrics` answers only with the token of
METRICS_TOKEN (as `Authorization: Bearer ...`); with several gunicorn workers, set
PROMETHEUS_MULTIPROC_DIR to an empty folder so that it adds up every worker's figures.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import Metric
from sqlalchemy import event
from sqlalchemy.engine import Engine

from labelling.core.hooks import Registry
from labelling.core.logs import REQUEST_LOGGER

request_log = logging.getLogger(REQUEST_LOGGER)
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

REQUESTS = Counter("labelling_requests", "Requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "labelling_request_duration_seconds",
    "Time to answer a request",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
JOBS = Counter("labelling_jobs", "Background jobs run", ["task", "outcome"])


def register_observability(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(_finish_request)
    app.add_url_rule("/metrics", "metrics", metrics)


# The load balancer's health checks are counted, not logged: a line every few seconds per
# host would bury the requests of people.
UNLOGGED_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
# The method comes from the client: any other word is counted as "OTHER", so that nobody
# can grow the metrics (and this worker's memory) by inventing methods.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_series: dict[tuple[str, str, str], tuple] = {}


def _series_for(method: str, route: str, status: str) -> tuple:
    """The counter and histogram children of one route and status, looked up once (the
    client's `labels()` takes a lock and builds a key on every call)."""
    key = (method, route, status)
    found = _series.get(key)
    if found is None:
        found = _series[key] = (REQUESTS.labels(method, route, status), LATENCY.labels(route))
    return found


def _start_request() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if SANE_REQUEST_ID.fullmatch(incoming) else secrets.token_hex(16)
    g.request_started = time.perf_counter()
    _sql.statements, _sql.seconds = 0, 0.0


def _finish_request(response: Response) -> Response:
    started = g.get("request_started")
    if started is None:  # a request that failed before ours began: nothing to report
        return response
    seconds = time.perf_counter() - started
    statements, sql_seconds = _sql_so_far()
    route = request.url_rule.rule if request.url_rule else "(no route)"
    response.headers["X-Request-ID"] = g.request_id
    method = request.method if request.method in KNOWN_METHODS else "OTHER"
    counter, histogram = _series_for(method, route, str(response.status_code))
    counter.inc()
    histogram.observe(seconds)
    if (
        route in UNLOGGED_ROUTES
        or not current_app.config["REQUEST_LOG"]
        or not request_log.isEnabledFor(logging.INFO)
    ):
        return response
    _log_line(
        {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": g.request_id,
            "user_id": _user_id(),
            "method": method,
            "route": route,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
            "sql_statements": statements,
            "sql_ms": round(sql_seconds * 1000, 1),
        }
    )
    return response


def _log_line(fields: dict) -> None:
    # A record made here, without logging's search of the stack for its caller: a line per
    # request should cost little more than writing it (core.logs formats it as JSON).
    request_log.handle(
        request_log.makeRecord(
            request_log.name, logging.INFO, "", 0, "request", (), None, extra=fields
        )
    )


def _user_id() -> int | None:
    # Only a user already loaded: the log line must not cost a query of its own.
    user = g.get("_login_user")
    return getattr(user, "id", None) if user is not None and user.is_authenticated else None


# The SQL a request costs, counted per thread (a sync worker serves one request at a time;
# a thread-local costs a fraction of Flask's `g` on every statement) and reset as each
# request starts.
_sql = threading.local()


def _sql_so_far() -> tuple[int, float]:
    return getattr(_sql, "statements", 0), getattr(_sql, "seconds", 0.0)


@event.listens_for(Engine, "before_cursor_execute")
def _statement_starts(_conn, _cursor, _statement, _parameters, context, _executemany) -> None:
    if context is not None:
        context._labelling_started = time.perf_counter()


@event.listens_for(Engine, "after_cursor_execute")
def _statement_ends(_conn, _cursor, _statement, _parameters, context, _executemany) -> None:
    started = getattr(context, "_labelling_started", None)
    if started is not None:
        statements, seconds = _sql_so_far()
        _sql.statements, _sql.seconds = statements + 1, seconds + time.perf_counter() - started


# --- /metrics ---------------------------------------------------------------------------


def metrics() -> Response:
    token = current_app.config["METRICS_TOKEN"]
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        abort(403)
    figures = CollectorRegistry()
    figures.register(PlatformFigures())
    body = generate_latest(_process_figures()) + generate_latest(figures)
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


def _process_figures():
    """This worker's counters, or every worker's where they share a folder for them."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


# name -> a function yielding metric families read from the database at each scrape
# (the outbox by status, the labels by status), registered by the features that own them.
FIGURES: Registry[Callable[[], Iterable[Metric]]] = Registry("figures for /metrics")


class PlatformFigures:
    """Figures read from the database at each scrape, as the features registered them."""

    def collect(self):
        for figures in FIGURES:
            yield from figures()
