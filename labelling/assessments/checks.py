"""Stored answers that the questionnaire would refuse today: values saved before a bound
existed (a number of 1e308, a choice since removed). `labelling check-answers` lists them,
so that they are corrected rather than found by a page that shows them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_

from labelling.assessments.models import Answer, Application
from labelling.core.numbers import is_sane
from labelling.criteria.framework import Question
from labelling.extensions import db
from labelling.frameworks.services import loaded

NUMERIC = ("integer", "number", "percentage")


@dataclass(frozen=True)
class AnswerProblem:
    application_id: int
    question_id: str
    value: Any
    problem: str  # "not_a_number", "out_of_bounds", "below_min", "above_max", "not_an_option"


def answer_problem(question: Question, value: Any) -> str | None:
    """Why a stored value would not be accepted now, or None. Pure."""
    if value is None:
        return None
    if question.type in NUMERIC:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return "not_a_number"
        if not is_sane(value):
            return "out_of_bounds"
        number = float(value)
        maximum = 100 if question.type == "percentage" and question.max is None else question.max
        if question.min is not None and number < question.min:
            return "below_min"
        if maximum is not None and number > maximum:
            return "above_max"
        return None
    if question.type == "choice" and value not in {choice.value for choice in question.choices}:
        return "not_an_option"
    if question.type == "rating" and value not in {band.band for band in question.rubric}:
        return "not_an_option"
    if question.type == "yes_no" and not isinstance(value, bool):
        return "not_an_option"
    return None


def stored_answer_problems(batch: int = 5000) -> Iterator[AnswerProblem]:
    """Every stored answer its application's framework version would refuse."""
    frameworks = loaded()
    questions: dict[tuple[str, str], dict[str, Question]] = {}
    last = (0, "")
    while True:
        rows = db.session.execute(
            select(
                Answer.application_id,
                Answer.question_id,
                Answer.value,
                Application.framework_id,
                Application.framework_version,
            )
            .join(Application, Application.id == Answer.application_id)
            .where(tuple_(Answer.application_id, Answer.question_id) > last)
            .order_by(Answer.application_id, Answer.question_id)
            .limit(batch)
        ).all()
        if not rows:
            return
        for app_id, question_id, value, framework_id, version in rows:
            key = (framework_id, version)
            if key not in questions:
                framework = frameworks.get(framework_id, version)
                questions[key] = {q.id: q for q in framework.questions}
            question = questions[key].get(question_id)
            problem = answer_problem(question, value) if question else None
            if problem:
                yield AnswerProblem(app_id, question_id, value, problem)
        last = (rows[-1].application_id, rows[-1].question_id)


def stored_score_problems() -> Iterator[AnswerProblem]:
    """Assessors' verified values that are not finite or beyond the bound."""
    from labelling.assessments.models import IndicatorScore

    rows = db.session.execute(
        select(
            IndicatorScore.application_id,
            IndicatorScore.indicator_code,
            IndicatorScore.verified_value,
        ).where(IndicatorScore.verified_value.is_not(None))
    )
    for application_id, code, value in rows:
        if not is_sane(value):
            yield AnswerProblem(application_id, f"indicator {code}", value, "out_of_bounds")
