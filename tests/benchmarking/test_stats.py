"""Quartiles and percentile ranks: by hand, against Python's statistics module, and the
database's answer against both."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelling.benchmarking.peers import size_band
from labelling.benchmarking.stats import (
    distribution,
    percentile_rank,
    quantile,
    quantile_position,
)

values = st.lists(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    min_size=2,
    max_size=60,
)


def test_hand_computed_quartiles():
    # 1 2 3 4 5 6 7 8: positions 1.75, 3.5 and 5.25 (0-based)
    data = [1, 2, 3, 4, 5, 6, 7, 8]
    assert [quantile(data, p) for p in (0.25, 0.5, 0.75)] == [2.75, 4.5, 6.25]
    shown = distribution([7, 1, 3, 9, 5])
    assert (shown.minimum, shown.q1, shown.median, shown.q3, shown.maximum) == (1, 3, 5, 7, 9)
    assert quantile_position(5, 0.25) == (1, 0.0)
    assert quantile_position(4, 0.75) == (2, 0.25)
    assert quantile([42.0], 0.5) == 42.0


def test_hand_computed_percentile_ranks():
    # Value 5 among 1 3 5 5 9: two below, two level: (2 + 1) / 5
    assert percentile_rank(2, 2, 5) == 60.0
    assert percentile_rank(0, 1, 5) == 10.0  # the lowest of five
    assert percentile_rank(4, 1, 5) == 90.0  # the highest
    with pytest.raises(ValueError):
        percentile_rank(0, 0, 0)


@settings(max_examples=200)
@given(values)
def test_quartiles_agree_with_the_statistics_module(data):
    ordered = sorted(data)
    expected = statistics.quantiles(data, n=4, method="inclusive")
    found = [quantile(ordered, p) for p in (0.25, 0.5, 0.75)]
    assert found == pytest.approx(expected, rel=1e-9, abs=1e-6)
    assert quantile(ordered, 0.5) == pytest.approx(statistics.median(data), rel=1e-9, abs=1e-6)


@settings(max_examples=200)
@given(values, st.integers(min_value=0, max_value=59))
def test_a_percentile_rank_counts_below_and_half_the_ties(data, index):
    own = data[index % len(data)]
    below = sum(1 for value in data if value < own)
    equal = sum(1 for value in data if value == own)
    rank = percentile_rank(below, equal, len(data))
    assert 0 < rank < 100
    # The same as the mean of the "strictly below" and "at or below" shares.
    at_or_below = sum(1 for value in data if value <= own) / len(data) * 100
    assert rank == pytest.approx((below / len(data) * 100 + at_or_below) / 2)


@pytest.mark.parametrize(
    ("members", "band"),
    [(0, "1-49"), (49, "1-49"), (50, "50-99"), (249, "100-249"), (250, "250-499"), (5000, "500+")],
)
def test_size_bands(members, band):
    assert size_band(members) == band
