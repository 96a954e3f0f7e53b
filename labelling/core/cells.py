"""One rule for every cell the platform writes into a CSV or XLSX file: text a spreadsheet
would run as a formula (CSV injection: "=HYPERLINK(...)", "+1", "@SUM(...)") is written as
plain text, with a leading apostrophe; numbers, booleans and dates stay what they are."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def looks_like_a_formula(text: str) -> bool:
    """What a spreadsheet would run as a formula: never a name, often an injection."""
    return text.startswith(FORMULA_STARTS)


def plain_cell(value):
    """The value as a spreadsheet cell that can never be a formula."""
    if value is None or isinstance(value, bool | int | float | Decimal | date | datetime):
        return value
    text = str(value)
    return "'" + text if looks_like_a_formula(text) else text


def plain_row(values) -> list:
    return [plain_cell(value) for value in values]
