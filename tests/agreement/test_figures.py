"""The agreement figures against the `krippendorff` library itself, on known data sets."""

from __future__ import annotations

from collections import Counter

import krippendorff
import numpy as np
import pytest

from labelling.agreement.figures import LINE, Agreement, agreement
from labelling.agreement.outcomes import NOMINAL, ORDINAL, outcome_of
from labelling.criteria.scoring import IndicatorResult, Source, Status


def counts(first, second) -> Counter:
    return Counter(zip(first, second, strict=True))


def test_perfect_agreement_is_one_with_a_closed_interval():
    first = [0, 1, 2, 3, 4] * 4
    found = agreement(counts(first, first), ORDINAL)
    assert (found.pairs, found.exact, found.alpha) == (20, 1.0, 1.0)
    assert (found.low, found.high) == (1.0, 1.0)
    assert not found.read_differently


def test_a_textbook_example_two_observers_binary_data():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", example A.
    first = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    second = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    found = agreement(counts(first, second), NOMINAL)
    assert found.alpha == pytest.approx(0.095, abs=0.0005)
    assert found.exact == pytest.approx(0.6)
    assert found.read_differently


def test_chance_level_agreement_is_near_zero_and_read_differently():
    generator = np.random.default_rng(7)
    first, second = generator.integers(0, 5, 600), generator.integers(0, 5, 600)
    found = agreement(counts(first.tolist(), second.tolist()), ORDINAL)
    assert abs(found.alpha) < 0.1
    assert found.high < 0.2
    assert found.read_differently


@pytest.mark.parametrize("metric", [ORDINAL, NOMINAL])
def test_the_coefficient_is_the_librarys_on_the_raw_ratings(metric):
    generator = np.random.default_rng(11)
    first = generator.integers(0, 5, 80)
    second = np.clip(first + generator.integers(-1, 2, 80), 0, 4)
    found = agreement(counts(first.tolist(), second.tolist()), metric)
    expected = krippendorff.alpha(
        reliability_data=[first, second], level_of_measurement=metric, value_domain=range(5)
    )
    assert found.alpha == pytest.approx(expected)
    assert found.low <= found.alpha <= found.high
    assert found.exact == pytest.approx(float(np.mean(first == second)))


def test_the_interval_is_the_same_twice():
    pairs = counts([0, 1, 2, 2, 3, 1, 0], [0, 1, 2, 3, 3, 2, 0])
    assert agreement(pairs, ORDINAL) == agreement(pairs, ORDINAL)


def test_one_outcome_only_has_no_coefficient():
    found = agreement({(1, 1): 9}, NOMINAL)
    assert (found.exact, found.alpha, found.read_differently) == (1.0, None, False)


def test_read_differently_below_the_line_or_when_the_interval_reaches_below_it():
    assert Agreement(30, 0.9, LINE + 0.1, LINE + 0.01, 0.95).read_differently is False
    assert Agreement(30, 0.9, LINE + 0.1, LINE - 0.2, 0.95).read_differently is True
    assert Agreement(30, 0.6, LINE - 0.1, 0.4, 0.7).read_differently is True


def result(status, points=0):
    return IndicatorResult("x", "1", status, points, 4, None, Source.VERIFIED, None)


def test_outcomes_are_bands_for_rubrics_and_verdicts_otherwise():
    class Rubric:
        is_rubric = True

    class Threshold:
        is_rubric = False

    assert outcome_of(Rubric, result(Status.MET, 3)) == 3
    assert outcome_of(Rubric, result(Status.NOT_APPLICABLE)) is None
    assert outcome_of(Threshold, result(Status.MET)) == 1
    assert outcome_of(Threshold, result(Status.NOT_MET)) == 0
    assert outcome_of(Threshold, result(Status.NOT_APPLICABLE)) == 2
    assert outcome_of(Threshold, result(Status.MISSING)) is None
