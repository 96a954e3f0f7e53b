"""Keyset paging: the rows after the last one shown, in an order that ends in a unique
column, so that the 2,000th page costs what the first does (OFFSET reads and drops every
row before it). A cursor is the last row's sort values and the order's name, opaque to
the reader and checked on the way back: a cursor made for another order, or by hand, is
refused (BadCursor), never passed to the database as it came."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, and_, or_, type_coerce
from sqlalchemy.sql import ColumnElement

from labelling.extensions import db

Order = list[tuple[ColumnElement, bool]]  # (expression, ascending), the last one unique


class BadCursor(ValueError):
    """The cursor was not made by this list for this order."""


@dataclass(frozen=True)
class Page:
    rows: list
    next_cursor: str | None  # None on the last page
    is_first: bool


def encode_cursor(order_name: str, keys: tuple) -> str:
    # Dates and times (a datetime is a date) as ISO text, with their offset.
    plain = [value.isoformat() if isinstance(value, date) else value for value in keys]
    raw = json.dumps([order_name, plain], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order_name: str, order: Order) -> list:
    """The sort values a cursor holds, each of its column's type; BadCursor otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, values = json.loads(raw)
    except (ValueError, binascii.Error, TypeError) as exc:
        raise BadCursor(cursor) from exc
    if name != order_name or not isinstance(values, list) or len(values) != len(order):
        raise BadCursor(cursor)
    decoded = []
    for (expression, _ascending), value in zip(order, values, strict=True):
        python_type = _python_type(expression.type)
        expected = {date: str, datetime: str, int: int, str: str}.get(python_type)
        if expected is None or not isinstance(value, expected) or isinstance(value, bool):
            raise BadCursor(cursor)
        try:
            decoded.append(_parsed(python_type, value))
        except ValueError as exc:
            raise BadCursor(cursor) from exc
    return decoded


def _python_type(sql_type) -> type:
    # A TypeDecorator (UTCDateTime) says `object`; the type it decorates knows.
    return getattr(sql_type, "impl_instance", sql_type).python_type


def _parsed(python_type: type, value):
    if python_type is datetime:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError(value)  # ours always carry their offset (UTC)
        return parsed
    return date.fromisoformat(value) if python_type is date else value


def after(order: Order, values: list) -> ColumnElement:
    """Rows after `values` in this order (a keyset predicate for any mix of directions)."""
    alternatives = []
    for i, (expression, ascending) in enumerate(order):
        value = type_coerce(values[i], expression.type)
        step = expression > value if ascending else expression < value
        earlier = [order[j][0] == type_coerce(values[j], order[j][0].type) for j in range(i)]
        alternatives.append(and_(*earlier, step))
    return or_(*alternatives)


def holding(text: str, *columns: ColumnElement) -> ColumnElement:
    """Rows where any of `columns` holds `text`, whatever its case; "%" and "_" in it are
    characters, not patterns (the filters of the staff's lists)."""
    return or_(*(column.icontains(text, autoescape=True) for column in columns))


def ordered(statement: Select, order: Order) -> Select:
    return statement.order_by(
        *(expression.asc() if ascending else expression.desc() for expression, ascending in order)
    )


def keyset_page(
    statement: Select, order: Order, order_name: str, cursor: str | None, per_page: int
) -> Page:
    """One page of `statement`'s rows (each row as the statement selects it) in `order`,
    after `cursor`; one row more is read to know whether another page follows."""
    keyed = ordered(
        statement.add_columns(
            *(expression.label(f"_k{i}") for i, (expression, _) in enumerate(order))
        ),
        order,
    )
    if cursor:
        keyed = keyed.where(after(order, decode_cursor(cursor, order_name, order)))
    found = db.session.execute(keyed.limit(per_page + 1)).all()
    width = len(found[0]) - len(order) if found else 0
    rows = [row[0] if width == 1 else tuple(row[:width]) for row in found[:per_page]]
    next_cursor = None
    if len(found) > per_page:
        last = found[per_page - 1]
        next_cursor = encode_cursor(order_name, tuple(last[width:]))
    return Page(rows=rows, next_cursor=next_cursor, is_first=not cursor)
