"""The pure parts of calibration: how a practice compares with the reference, and what of
an application's answers a case may keep."""

from __future__ import annotations

from datetime import date

from labelling.calibration.cases import anonymised_answers
from labelling.calibration.comparison import Case, compare, missing_references, tally
from labelling.criteria.loader import FrameworkRegistry
from tests.factories import MINI_DIRECTORY, MINI_GOLD_ANSWERS

MINI = FrameworkRegistry.from_directory(MINI_DIRECTORY).get("mini")
ECEI = FrameworkRegistry.from_directory().get("ecei-2013")
CASE = Case(MINI_GOLD_ANSWERS, {}, date(2026, 1, 5))


def test_outcomes_compare_bands_and_verdicts_not_raw_values():
    references = {
        "1.2": {"verified_value": 60, "status": "met", "explanation": "Sixty per cent."},
        "2.2": {"verified_value": 3, "explanation": "Written, not monitored."},
    }
    ratings = {
        "1.1": {"verified_value": 55},  # another number, the same verdict: a match
        "1.2": {"verified_value": 10},  # 25 %: not met, where the reference says met
        "2.2": {"verified_value": 4},
    }
    found = {d.code: d for d in compare(MINI, CASE, references, ratings)}
    assert (found["1.1"].reference, found["1.1"].yours, found["1.1"].matched) == (
        "met",
        "met",
        True,
    )
    assert (found["1.2"].reference, found["1.2"].yours) == ("met", "not_met")
    assert found["1.2"].explanation == "Sixty per cent."
    assert (found["2.2"].reference, found["2.2"].yours) == ("3", "4")
    assert found["2.1"].matched  # neither rated it: both take the answer (20 % turnover)
    assert tally(list(found.values())) == (4, 2)


def test_not_applicable_is_an_outcome_of_its_own():
    references = {"1.2": {"status": "not_applicable", "explanation": "No region."}}
    found = {d.code: d for d in compare(MINI, CASE, references, {"1.2": {"status": "met"}})}
    assert (found["1.2"].reference, found["1.2"].yours) == ("not_applicable", "met")
    assert not found["1.2"].matched


def test_a_reference_needs_an_outcome_on_every_indicator():
    unanswered = Case({**MINI_GOLD_ANSWERS, "turnover": None}, {}, date(2026, 1, 5))
    assert missing_references(MINI, unanswered, {}) == ["2.1"]
    assert missing_references(MINI, unanswered, {"2.1": {"status": "met"}}) == []


def test_free_text_stays_behind_unless_cleared_and_documents_always():
    kinds = {q.id: q.type for q in ECEI.questions}
    text = next(key for key, kind in kinds.items() if kind == "text")
    document = next(key for key, kind in kinds.items() if kind == "document")
    number = next(key for key, kind in kinds.items() if kind == "integer")
    answers = {text: "We are Cluster X of Porto", document: "strategy.pdf", number: 40}
    assert anonymised_answers(ECEI, answers, keep_free_text=False) == {number: 40}
    assert anonymised_answers(ECEI, answers, keep_free_text=True) == {
        number: 40,
        text: "We are Cluster X of Porto",
    }
    assert anonymised_answers(ECEI, {"no_such_question": "x"}, keep_free_text=True) == {}
