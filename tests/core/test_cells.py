"""The one rule for spreadsheet cells (CSV injection)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from labelling.core.cells import plain_cell, plain_row


@pytest.mark.parametrize(
    "typed", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "\n=1", '=HYPERLINK("x")']
)
def test_text_that_starts_like_a_formula_is_plain_text(typed):
    assert plain_cell(typed) == "'" + typed


def test_everything_else_is_kept():
    kept = [None, True, 3, -2.5, Decimal("1.5"), date(2026, 1, 5), "Cluster", "a=b", ""]
    assert plain_row(kept) == kept
    assert plain_cell(["a", "b"]) == "['a', 'b']"  # what a cell cannot hold becomes text
