"""Values stored before the bounds existed are found by `labelling check-answers`."""

from __future__ import annotations

import pytest

from labelling.assessments.checks import answer_problem
from labelling.assessments.models import Answer, IndicatorScore
from labelling.criteria.framework import Choice, Question
from labelling.extensions import db
from tests.assessments.test_questionnaire import gold_application  # noqa: F401 - fixture

COUNT = Question(id="members", label="Members", type="integer", min=0)
SHARE = Question(id="share", label="Share", type="percentage")
FORMAT = Question(
    id="format",
    label="Format",
    type="choice",
    choices=(Choice("on_site", "On site"), Choice("video", "Video")),
)


@pytest.mark.parametrize(
    ("question", "value", "problem"),
    [
        (COUNT, 12, None),
        (COUNT, None, None),
        (COUNT, 1e308, "out_of_bounds"),
        (COUNT, float("nan"), "out_of_bounds"),
        (COUNT, -3, "below_min"),
        (COUNT, "x", "out_of_bounds"),
        (COUNT, True, "not_a_number"),
        (SHARE, 100.5, "above_max"),
        (SHARE, 99.5, None),
        (FORMAT, "video", None),
        (FORMAT, "carrier pigeon", "not_an_option"),
    ],
)
def test_a_stored_value_is_judged_as_the_form_would(question, value, problem):
    assert answer_problem(question, value) == problem


def test_the_command_lists_what_to_correct(app, gold_application):  # noqa: F811
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["check-answers"])
    assert clean.exit_code == 0, clean.output
    assert "Every stored answer is one the forms accept." in clean.output
    gold_application.answers.append(Answer(question_id="training_days", value=1e308))
    prefilled = next(a for a in gold_application.answers if a.question_id == "members_sme")
    prefilled.value = -4
    db.session.add(
        IndicatorScore(
            application_id=gold_application.id,
            assessor_id=gold_application.created_by_id,
            indicator_code="2.1",
            verified_value=1e300,
        )
    )
    db.session.commit()
    found = runner.invoke(args=["check-answers"])
    assert found.exit_code == 1
    assert f"application #{gold_application.id}, training_days: 1e+308 (out of bounds)" in (
        found.output
    )
    assert "members_sme: -4 (below min)" in found.output
    assert "indicator 2.1: 1e+300 (out of bounds)" in found.output
    assert "3 stored value(s) to correct" in found.output
