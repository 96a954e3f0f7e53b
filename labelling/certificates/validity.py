"""How long a label is valid: pure date arithmetic from the framework's level data."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from labelling.criteria.framework import Level


def end_of_month(year: int, month: int) -> date:
    """The last day of `month` in `year`, where month may run past 12 (it carries over)."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, calendar.monthrange(year, month)[1])


def months_after(day: date, months: int) -> date:
    """The last day of the month `months` months after `day`'s month."""
    return end_of_month(day.year, day.month + months)


def label_validity(
    level: Level, assessment_date: date, previous_valid_until: date | None = None
) -> tuple[date, date]:
    """(valid_from, valid_until) of a label assessed on `assessment_date`.

    A new label counts `validity_months` from the month of the assessment, that month
    included: assessed in March 2026 with 24 months, it is valid to the end of February
    2028. A renewal assessed before the previous label's expiry, or within
    `renewal_window_months` after it, continues the previous label with no gap: from the
    day after its expiry, for `renewal_extension_months`.
    """
    if previous_valid_until is not None:
        window_ends = months_after(previous_valid_until, level.renewal_window_months)
        if assessment_date <= window_ends:
            return (
                previous_valid_until + timedelta(days=1),
                months_after(previous_valid_until, level.renewal_extension_months),
            )
    return assessment_date, months_after(assessment_date, level.validity_months - 1)
