"""Working-day arithmetic for deadlines (Monday to Friday)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelling.assessments.deadlines import add_working_days, working_days_between

MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (MONDAY, 10, date(2026, 12, 7)),  # two weeks later, a Monday
        (MONDAY, 0, MONDAY),
        (MONDAY, 1, date(2026, 11, 24)),
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday -> Monday
        (date(2026, 11, 27), 10, date(2026, 12, 11)),  # Friday -> Friday two weeks on
        (date(2026, 11, 28), 10, date(2026, 12, 11)),  # Saturday: Monday is day one
        (date(2026, 11, 29), 10, date(2026, 12, 11)),  # Sunday likewise
        (date(2026, 12, 24), 3, date(2026, 12, 29)),  # holidays are not modelled
    ],
)
def test_add_working_days(start, days, expected):
    assert add_working_days(start, days) == expected


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(MONDAY, -1)


def test_working_days_between_counts_after_the_start():
    assert working_days_between(MONDAY, date(2026, 12, 7)) == 10
    assert working_days_between(date(2026, 12, 7), MONDAY) == -10
    assert working_days_between(MONDAY, MONDAY) == 0


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    days=st.integers(min_value=1, max_value=300),
)
def test_the_deadline_is_a_weekday_and_counts_back(start, days):
    due = add_working_days(start, days)
    assert due.weekday() < 5
    assert working_days_between(start, due) == days
    assert due - start >= timedelta(days=days)  # never sooner than calendar days


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    span=st.integers(min_value=-800, max_value=800),
)
def test_working_days_between_counts_each_weekday_once(start, span):
    """The arithmetic (whole weeks, then the days left) agrees with counting day by day."""
    end = start + timedelta(days=span)
    low, high = min(start, end), max(start, end)
    counted = sum(1 for n in range(1, (high - low).days + 1) if (low + timedelta(n)).weekday() < 5)
    assert working_days_between(start, end) == (counted if end >= start else -counted)
