"""Label validity from the framework's level data: new labels and gap-free renewals."""

from __future__ import annotations

from datetime import date

import pytest

from labelling.certificates.validity import end_of_month, label_validity, months_after
from labelling.criteria.framework import Assessors, Level, LevelRules

GOLD = Level(
    id="gold",
    rank=3,
    name="Gold",
    tagline="",
    validity_months=24,
    renewal_window_months=12,
    renewal_extension_months=24,
    assessors=Assessors(count=2, role="auditor"),
    rules=LevelRules(),
)


def test_month_arithmetic_carries_over_years_and_leap_days():
    assert end_of_month(2026, 14) == date(2027, 2, 28)
    assert end_of_month(2028, 2) == date(2028, 2, 29)
    assert months_after(date(2026, 12, 31), 1) == date(2027, 1, 31)


@pytest.mark.parametrize(
    ("assessed", "previous_until", "expected"),
    [
        # A new label: 24 months counted from the month of the assessment, that month included.
        (date(2026, 3, 15), None, (date(2026, 3, 15), date(2028, 2, 29))),
        (date(2026, 12, 1), None, (date(2026, 12, 1), date(2028, 11, 30))),
        # A renewal assessed before expiry continues with no gap.
        (date(2027, 12, 10), date(2028, 2, 29), (date(2028, 3, 1), date(2030, 2, 28))),
        # ... and still within the 12-month window after expiry.
        (date(2029, 2, 20), date(2028, 2, 29), (date(2028, 3, 1), date(2030, 2, 28))),
        # After the window it is a new label from the assessment.
        (date(2029, 3, 1), date(2028, 2, 29), (date(2029, 3, 1), date(2031, 2, 28))),
    ],
)
def test_label_validity(assessed, previous_until, expected):
    assert label_validity(GOLD, assessed, previous_until) == expected
