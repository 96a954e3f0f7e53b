"""The scoring engine against hand-computed cases and Hypothesis properties."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelling.criteria.loader import FrameworkRegistry
from labelling.criteria.scoring import (
    EarlierLabel,
    Rating,
    ScoringContext,
    Source,
    Status,
    months_between,
    previous_label_met,
    score_application,
)

DATA = Path(__file__).parent / "data"
AS_OF = date(2026, 11, 24)
MINI = FrameworkRegistry.from_directory(DATA).get("mini")
ECEI = FrameworkRegistry.from_directory().get("ecei-2013")

BASE = {"members": 40, "committed": 24, "regional": 10, "turnover": 20, "strategy": 2}


def score(answers=None, **kwargs):
    return score_application(MINI, {**BASE, **(answers or {})}, as_of=AS_OF, **kwargs)


def held(level: str, months: int, validated: int = 3) -> ScoringContext:
    """A context with one earlier label of `level` assessed `months` whole months before
    AS_OF, and `validated` improvement areas."""
    year, month = divmod(AS_OF.year * 12 + AS_OF.month - 1 - months, 12)
    return ScoringContext(validated, (EarlierLabel(level, date(year, month + 1, AS_OF.day)),))


def test_hand_computed_mini_case():
    result = score()
    # 1.1: 60 % committed >= 50 -> 4; 1.2: 25 % regional < 50, no baseline -> 0;
    # 2.1: turnover 20 <= 30 -> 4; 2.2: rubric band 2 -> 2 points.
    assert [(r.code, r.status, r.points) for r in result.indicators] == [
        ("1.1", Status.MET, 4),
        ("1.2", Status.NOT_MET, 0),
        ("2.1", Status.MET, 4),
        ("2.2", Status.NOT_MET, 2),
    ]
    assert (result.points, result.max_points) == (10, 16)
    assert result.excellence_score == 62.5
    assert [(a.code, a.points, a.max_points, a.percent) for a in result.areas] == [
        ("1", 4, 8, 50.0),
        ("2", 6, 8, 75.0),
    ]
    assert result.is_eligible and result.is_questionnaire_complete
    assert result.all_baseline_minimums_met
    assert result.allowed_levels == ["bronze"]
    assert result.verdict("gold").reasons == ("score_below_minimum",)
    assert set(result.verdict("silver").reasons) == {"improvement_areas", "previous_label"}


def test_not_applicable_leaves_the_maximum_and_can_lift_to_gold():
    result = score(not_applicable={"1.2": "Cross-border cluster: no single region."})
    assert result.indicator("1.2").status == Status.NOT_APPLICABLE
    assert (result.points, result.max_points) == (10, 12)
    assert result.excellence_score == 83.3  # 83.33 rounded down, never up
    assert result.highest_allowed_level == "gold"


def test_not_applicable_needs_a_justification_and_framework_permission():
    assert score(not_applicable={"1.2": "  "}).indicator("1.2").status == Status.NOT_MET
    assert score(not_applicable={"1.1": "why"}).indicator("1.1").status == Status.MET


def test_lower_is_better_comparator():
    assert score({"turnover": 30}).indicator("2.1").status == Status.MET
    assert score({"turnover": 30.5}).indicator("2.1").status == Status.NOT_MET


def test_baseline_minimum_failure_blocks_silver_and_gold():
    result = score({"committed": 5}, not_applicable={"1.2": "n/a"}, context=held("bronze", 20))
    indicator = result.indicator("1.1")
    assert (indicator.status, indicator.points, indicator.baseline_met) == (
        Status.NOT_MET,
        0,
        False,
    )
    assert "baseline_minimums" in result.verdict("silver").reasons
    assert "baseline_minimums" in result.verdict("gold").reasons


def test_between_baseline_and_threshold_scores_baseline_points():
    indicator = score({"committed": 12}).indicator("1.1")  # 30 %: baseline 25 met, gold 50 not
    assert (indicator.status, indicator.points, indicator.baseline_met) == (Status.NOT_MET, 2, True)


def test_silver_needs_three_improvement_areas_and_a_bronze_18_to_24_months_old():
    assert score(context=held("bronze", 20)).verdict("silver").allowed
    assert not score(context=held("bronze", 20, validated=2)).verdict("silver").allowed
    assert score(context=held("bronze", 25)).verdict("silver").reasons == ("previous_label",)
    assert score(context=held("bronze", 17)).verdict("silver").reasons == ("previous_label",)
    assert score(context=ScoringContext(3)).verdict("silver").reasons == ("previous_label",)


@pytest.mark.parametrize("level", ["silver", "gold"])
def test_a_higher_label_than_the_minimum_also_satisfies_the_rule(level):
    # Issue 13: a Silver holder renews Silver on its Silver label (or a Gold holder).
    assert score(context=held(level, 20)).verdict("silver").allowed


def test_the_age_counts_whole_months_to_the_assessment_date():
    rule = MINI.level("silver").rules.previous_label
    ranks = {level.id: level.rank for level in MINI.levels}
    label = (EarlierLabel("bronze", date(2025, 3, 15)),)
    assert months_between(date(2025, 3, 15), date(2026, 9, 14)) == 17
    assert months_between(date(2025, 3, 15), date(2026, 9, 15)) == 18
    assert not previous_label_met(rule, label, ranks, date(2026, 9, 14))
    assert previous_label_met(rule, label, ranks, date(2026, 9, 15))
    assert previous_label_met(rule, label, ranks, date(2027, 3, 15))  # 24 months
    assert not previous_label_met(rule, label, ranks, date(2027, 4, 15))  # 25


def test_missing_answers_score_nothing_and_block_bronze():
    result = score_application(MINI, {"members": 40}, as_of=AS_OF)
    assert result.indicator("1.1").status == Status.MISSING
    assert result.points == 0 and result.max_points == 16
    assert set(result.missing_questions) == {"committed", "regional", "turnover", "strategy"}
    assert result.verdict("bronze").reasons == ("questionnaire_incomplete",)


def test_ineligible_organisation_gets_no_level():
    result = score({"members": 10, "committed": 8, "regional": 8})
    assert not result.is_eligible
    assert result.allowed_levels == []


def test_verified_value_wins_over_the_self_assessed_one():
    result = score(ratings={"2.1": Rating(verified_value=45)})
    indicator = result.indicator("2.1")
    assert (indicator.value, indicator.source, indicator.status) == (
        45,
        Source.VERIFIED,
        Status.NOT_MET,
    )
    assert score().indicator("2.1").source == Source.SELF


def test_assessor_status_overrides_and_can_declare_not_applicable():
    result = score(
        ratings={"1.2": Rating(status=Status.MET), "2.1": Rating(status=Status.NOT_APPLICABLE)}
    )
    assert result.indicator("1.2").points == 4
    assert result.indicator("2.1").status == Status.NOT_APPLICABLE
    assert (result.points, result.max_points) == (10, 12)


def test_ecei_hand_computed_gold_case():
    answers = {
        "members_sme": 20,
        "members_large": 10,
        "members_rnd": 5,
        "members_university": 3,
        "members_education": 1,
        "members_finance": 1,
        "members_consultant": 2,
        "members_public": 3,
        "members_other": 5,
        "committed_members": 40,
        "members_in_region": 40,
        "members_left_last_year": 2,
        "management_start_year": 2015,
        "management_fte": 3,
        "management_staff_count": 4,
        "staff_left_last_year": 0,
        "training_days": 30,
        "management_qualification": 4,
        "stakeholder_involvement": 3,
        "members_contacted": 40,
        "members_in_joint_activities": 30,
        "innovation_integration": 3,
        "budget_total": 500000,
        "budget_private": 200000,
        "financing_secured_years": 3,
        "strategy_process": 3,
        "has_strategy_document": True,
        "has_action_plan": True,
        "has_financial_plan": True,
        "strategy_last_review": "2025-01-10",
        "kpi_monitoring": 3,
        "strategy_focus": 3,
        "service_types_offered": 8,
        "last_satisfaction_survey": "2026-03-01",
        "has_working_groups": True,
        "working_groups_active": 4,
        "events_per_year": 10,
        "joint_projects": 5,
        "internal_communication": 3,
        "english_website": True,
        "internet_presence": 4,
        "press_items_per_year": 12,
        "success_stories": 3,
        "external_recognition": 2,
    }
    result = score_application(ECEI, answers, as_of=AS_OF)
    # 50 members; all 22 threshold indicators are met: 22 x 4 = 88. The 9 rubric indicators
    # score their band: 2.2.2 -> 4, 4.6.2 -> 4, 5.3 -> 2, six others -> 3: 28.
    # 88 + 28 = 116 of 31 x 4 = 124 points: 93.548 %, shown as 93.5.
    rubric_points = sum(r.points for r in result.indicators if ECEI.indicator(r.code).is_rubric)
    threshold_points = sum(
        r.points for r in result.indicators if not ECEI.indicator(r.code).is_rubric
    )
    assert len([i for i in ECEI.indicators if i.is_rubric]) == 9
    assert rubric_points == 4 + 4 + 2 + 6 * 3
    assert threshold_points == 22 * 4
    assert (result.points, result.max_points) == (116, 124)
    assert result.excellence_score == 93.5
    assert result.values["committed_share"] == 80.0
    assert result.values["management_years"] == 11
    assert result.highest_allowed_level == "gold"


def test_hidden_question_takes_its_hidden_value():
    result = score_application(
        ECEI, {"has_working_groups": False, "working_groups_active": 9}, as_of=AS_OF
    )
    assert result.values["working_groups_active"] == 0
    assert "working_groups_active" not in result.missing_questions


def test_date_threshold_within_months_and_never_in_the_future():
    base = {"strategy_last_review": "2023-12-01"}
    assert score_application(ECEI, base, as_of=AS_OF).indicator("4.1.5").status == Status.MET
    old = {"strategy_last_review": "2023-10-31"}  # 37 months before November 2026
    assert score_application(ECEI, old, as_of=AS_OF).indicator("4.1.5").status == Status.NOT_MET
    future = {"strategy_last_review": "2027-01-01"}
    assert score_application(ECEI, future, as_of=AS_OF).indicator("4.1.5").status == (
        Status.NOT_MET
    )


# --- properties ---------------------------------------------------------------------------

counts = st.one_of(st.none(), st.integers(min_value=0, max_value=500))
bands = st.one_of(st.none(), st.integers(min_value=0, max_value=4))


def _answers_strategy(framework):
    by_type = {
        "integer": counts,
        "number": st.one_of(st.none(), st.floats(min_value=0, max_value=1e6, allow_nan=False)),
        "percentage": st.one_of(st.none(), st.floats(min_value=0, max_value=100)),
        "rating": bands,
        "yes_no": st.one_of(st.none(), st.booleans()),
        "date": st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2026, 11, 24))),
    }
    fields = {q.id: by_type[q.type] for q in framework.questions if q.type in by_type}
    if "management_start_year" in fields:
        fields["management_start_year"] = st.one_of(st.none(), st.integers(1990, 2026))
    return st.fixed_dictionaries(fields)


contexts = st.builds(
    ScoringContext,
    st.integers(0, 4),
    st.lists(
        st.builds(
            EarlierLabel,
            st.sampled_from(["bronze", "silver", "gold"]),
            st.dates(date(2022, 1, 1), AS_OF),
        ),
        max_size=2,
    ).map(tuple),
)


@pytest.mark.parametrize("framework", [MINI, ECEI], ids=["mini", "ecei-2013"])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_score_stays_within_0_and_100(framework, data):
    result = score_application(framework, data.draw(_answers_strategy(framework)), as_of=AS_OF)
    assert 0 <= result.excellence_score <= 100
    assert 0 <= result.points <= result.max_points


def _better(indicator, value, step):
    """A value that is at least as good as `value` for this indicator's comparator."""
    comparator = indicator.gold_threshold.conditions[0].comparator
    if indicator.is_rubric:
        return min(4, value + step)
    if comparator in ("<=", "<"):
        return value - step
    return value + step


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    code=st.sampled_from(
        [i.code for i in ECEI.indicators if i.answer_type not in ("yes_no", "date")]
    ),
    value=st.integers(0, 200),
    step=st.integers(0, 100),
)
def test_improving_one_value_never_lowers_the_score(data, code, value, step):
    answers = data.draw(_answers_strategy(ECEI))
    indicator = ECEI.indicator(code)
    value = min(value, 4) if indicator.is_rubric else value
    before = score_application(
        ECEI, answers, ratings={code: Rating(verified_value=value)}, as_of=AS_OF
    )
    improved = _better(indicator, value, step)
    after = score_application(
        ECEI, answers, ratings={code: Rating(verified_value=improved)}, as_of=AS_OF
    )
    assert after.points >= before.points
    assert after.indicator(code).points >= before.indicator(code).points


@settings(max_examples=100, deadline=None)
@given(data=st.data(), context=contexts)
def test_level_never_above_what_the_rules_allow(data, context):
    result = score_application(
        ECEI, data.draw(_answers_strategy(ECEI)), context=context, as_of=AS_OF
    )
    for level in result.allowed_levels:
        rules = ECEI.level(level).rules
        assert result.is_eligible and result.is_questionnaire_complete
        if rules.min_score_percent is not None:
            assert result.points * 100 >= rules.min_score_percent * result.max_points
        if rules.all_baseline_minimums:
            assert all(r.baseline_met is not False for r in result.indicators)
        if rules.improvement_areas:
            assert context.improvement_areas_validated >= rules.improvement_areas
        if rules.previous_label:
            ranks = {lv.id: lv.rank for lv in ECEI.levels}
            needed = ranks[rules.previous_label.min_level]
            assert any(
                ranks[held.level] >= needed
                and rules.previous_label.min_age_months
                <= months_between(held.assessed_on, AS_OF)
                <= rules.previous_label.max_age_months
                for held in context.earlier_labels
            )
