"""PostgreSQL connections that never wait on a silent database longer than a set time.

A server that accepts connections but never answers (a stopped process, a lost network
path behind a proxy) leaves libpq waiting forever on a connection it already holds: the
server's statement timeout cannot fire, and TCP keepalives and `tcp_user_timeout` only
help when the packets themselves are lost (a stopped process still has them
acknowledged). So every wait for an answer has a deadline here, on the client: the
statement timeout plus a grace, after which the connection is closed and the request
answers 503 (an OperationalError, which SQLAlchemy then treats as a disconnect).
"""

from __future__ import annotations

import time
from functools import lru_cache

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Engine

# libpq's TCP settings: a dead peer is found within about a minute even with no request
# waiting (keepalives), and unacknowledged data fails the connection after this long.
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}
# Our own key in the engine's connect_args, taken out before libpq sees them.
ANSWER_WITHIN = "labelling_answer_within"


class SilentDatabase(psycopg.OperationalError):
    """The database did not answer within the deadline; the connection was closed."""


@lru_cache(maxsize=8)
def deadline_connection(answer_within: float | None) -> type[psycopg.Connection]:
    """A psycopg Connection class whose every wait for the server ends after
    `answer_within` seconds (None: no deadline, for bulk commands)."""

    class DeadlineConnection(psycopg.Connection):
        def wait(self, gen, interval=0.1, timeout=None):  # psycopg's own signature
            if answer_within is None:
                return super().wait(gen, interval, timeout)
            limit = answer_within if timeout is None else min(timeout, answer_within)
            started = time.monotonic()
            try:
                return super().wait(gen, interval, limit)
            except psycopg.OperationalError as exc:
                if time.monotonic() - started < limit or self.closed:
                    raise
                self.close()  # half-way through a protocol exchange: not reusable
                raise SilentDatabase(
                    f"no answer from the database within {limit:g} s; connection closed"
                ) from exc

    return DeadlineConnection


def postgres_engine_options(config, options: dict) -> dict:
    """Connect timeout, statement timeout, keepalives, TCP user timeout, the pool's wait
    and the answer deadline, for an engine on PostgreSQL."""
    connect_args = dict(options.get("connect_args", {}))
    if config["DATABASE_CONNECT_TIMEOUT"]:
        connect_args.setdefault("connect_timeout", int(config["DATABASE_CONNECT_TIMEOUT"]))
    for name, value in KEEPALIVES.items():
        connect_args.setdefault(name, value)
    if config["DATABASE_TCP_USER_TIMEOUT_MS"]:
        connect_args.setdefault("tcp_user_timeout", int(config["DATABASE_TCP_USER_TIMEOUT_MS"]))
    statement_ms = statement_timeout_ms(config)
    if statement_ms:
        connect_args.setdefault("options", f"-c statement_timeout={statement_ms}")
        answer_within = statement_ms / 1000 + float(config["DATABASE_ANSWER_GRACE_SECONDS"])
        connect_args.setdefault(ANSWER_WITHIN, answer_within)
    options["connect_args"] = connect_args
    options.setdefault("pool_timeout", float(config["DATABASE_POOL_TIMEOUT"]))
    return options


def statement_timeout_ms(config) -> int:
    """The request's statement limit; commands (a bulk load, a rebuild, an import) have
    their own, none by default."""
    if config.get("COMMAND_LINE"):
        return int(config["DATABASE_COMMAND_STATEMENT_TIMEOUT_MS"])
    return int(config["DATABASE_STATEMENT_TIMEOUT_MS"])


@event.listens_for(Engine, "do_connect")
def _connect_with_a_deadline(dialect, connection_record, cargs, cparams):
    """Open PostgreSQL connections as DeadlineConnection where the engine asks for one."""
    answer_within = cparams.pop(ANSWER_WITHIN, None)
    if answer_within is None:
        return None  # SQLAlchemy connects as usual
    return deadline_connection(answer_within).connect(*cargs, **cparams)
