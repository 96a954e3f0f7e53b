"""Keyset cursors: what a list made comes back as it was; anything else is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from labelling.assessments.models import Application
from labelling.certificates.models import Label
from labelling.core.paging import BadCursor, decode_cursor, encode_cursor

ORDER = [(Label.valid_until, False), (Application.submitted_at, True), (Label.id, False)]


def test_a_cursor_comes_back_with_its_types():
    keys = (date(2027, 5, 31), datetime(2026, 12, 4, 5, 36, 50, 114037, tzinfo=UTC), 42)
    assert decode_cursor(encode_cursor("ends", keys), "ends", ORDER) == list(keys)


@pytest.mark.parametrize(
    "keys, name",
    [
        (("2027-05-31", "2026-12-04T05:36:50+00:00", 42), "other"),  # another order's
        (("2027-05-31", "2026-12-04T05:36:50", 42), "ends"),  # a time without its zone
        (("2027-02-30", "2026-12-04T05:36:50+00:00", 42), "ends"),  # no such day
        (("2027-05-31", "2026-12-04T05:36:50+00:00", "42"), "ends"),  # a number as text
        (("2027-05-31", "2026-12-04T05:36:50+00:00", True), "ends"),
        (("2027-05-31", 42), "ends"),  # too few values
    ],
)
def test_a_cursor_not_made_for_this_order_is_refused(keys, name):
    with pytest.raises(BadCursor):
        decode_cursor(encode_cursor(name, keys), "ends", ORDER)


@pytest.mark.parametrize("cursor", ["", "!!!", "bm90IGpzb24", "WzEsMiwzXQ"])
def test_a_cursor_that_is_not_ours_at_all_is_refused(cursor):
    with pytest.raises(BadCursor):
        decode_cursor(cursor, "ends", ORDER)
