"""The SQL statements a piece of work sends to the database, for tests that count them."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from labelling.extensions import db


@contextmanager
def counted_statements():
    """The statements sent while the block runs (a list that fills as they go)."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
