"""Reference cases: made from a decided application with nothing that names the cluster, or
invented; given a reference rating and an explanation per indicator; published, withdrawn."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from labelling.accounts.models import User
from labelling.assessments.consolidation import final_ratings
from labelling.assessments.models import Application
from labelling.assessments.services import assessment_date_of, framework_of
from labelling.assessments.workflow import State
from labelling.bodies.services import visible_condition
from labelling.calibration import comparison
from labelling.calibration.models import CalibrationCase, CaseStatus
from labelling.core.audit import record_event
from labelling.criteria.framework import Framework
from labelling.db import utcnow
from labelling.extensions import db
from labelling.frameworks.services import loaded

# Answers that may name someone: free text is left out unless the secretariat cleared it;
# documents never leave the application (their files are the cluster's evidence).
FREE_TEXT = ("text",)
NEVER_COPIED = ("document",)
WITHHELD = "\u2014"  # stands for a justification of "not applicable" that was not cleared


class CaseError(Exception):
    def __init__(self, code: str, codes: tuple[str, ...] = ()) -> None:
        super().__init__(code)
        self.code = code
        self.codes = codes


def framework_of_case(case: CalibrationCase) -> Framework:
    return loaded().get(case.framework_id, case.framework_version)


def scoring_case(case: CalibrationCase) -> comparison.Case:
    return comparison.Case(case.answers or {}, case.not_applicable or {}, case.as_of)


def anonymised_answers(
    framework: Framework, answers: Mapping[str, Any], keep_free_text: bool
) -> dict[str, Any]:
    kinds = {question.id: question.type for question in framework.questions}
    dropped = NEVER_COPIED + (() if keep_free_text else FREE_TEXT)
    return {
        key: value
        for key, value in answers.items()
        if key in kinds and kinds[key] not in dropped  # an unknown key is no answer to show
    }


def stored_rating(rating, explanation: str = "") -> dict:
    return {
        "verified_value": rating.verified_value,
        "status": rating.status.value if rating.status else None,
        "explanation": explanation,
    }


def anonymise(
    application: Application, title: str, keep_free_text: bool, actor: User
) -> CalibrationCase:
    """A draft case from a decided application: its answers (but no name, no country, no
    evidence, and free text only if cleared) and its final ratings as the first reference."""
    if application.status not in (State.AWARDED, State.REFUSED):
        raise CaseError("not_decided")
    framework = framework_of(application)
    claims = application.not_applicable_claims()
    case = CalibrationCase(
        title=title,
        origin="anonymised",
        framework_id=framework.id,
        framework_version=framework.version,
        level=application.level,
        body_id=application.body_id,
        as_of=assessment_date_of(application),
        answers=anonymised_answers(framework, application.answer_values(), keep_free_text),
        not_applicable={
            code: (why if keep_free_text else WITHHELD) for code, why in claims.items()
        },
        references={
            code: stored_rating(rating)
            for code, rating in final_ratings(application, framework).items()
        },
        created_by_id=actor.id,
        source_application_id=application.id,
    )
    db.session.add(case)
    db.session.flush()
    record_event("calibration.case_created", "calibration_case", case.id, actor=actor)
    return case


def invent(
    title: str, level: str, framework: Framework, body_id: int | None, actor: User
) -> CalibrationCase:
    """A draft case with no answers yet: the secretariat types them as it wants them."""
    if level not in {each.id for each in framework.levels}:
        raise CaseError("unknown_level")
    case = CalibrationCase(
        title=title.strip(),
        origin="invented",
        framework_id=framework.id,
        framework_version=framework.version,
        level=level,
        body_id=body_id,
        as_of=date.today(),
        answers={},
        references={},
        created_by_id=actor.id,
    )
    db.session.add(case)
    db.session.flush()
    record_event("calibration.case_created", "calibration_case", case.id, actor=actor)
    return case


def set_answers(case: CalibrationCase, typed: Mapping[str, Any]) -> None:
    """Replace the answers of one page of questions (a blank one is removed)."""
    require_draft(case)
    answers = {**(case.answers or {}), **typed}
    case.answers = {key: value for key, value in answers.items() if value is not None}


def require_draft(case: CalibrationCase) -> None:
    if case.status != CaseStatus.DRAFT:
        raise CaseError("not_a_draft")


def describe(case: CalibrationCase, title: str, summary: str) -> None:
    require_draft(case)
    case.title = title.strip()
    case.summary = summary.strip()


def set_reference(case: CalibrationCase, code: str, stored: dict) -> None:
    """Replace one indicator's reference (a JSON column: the mapping is assigned anew)."""
    require_draft(case)
    case.references = {**(case.references or {}), code: stored}


def publish(case: CalibrationCase, actor: User) -> None:
    """Open the case to assessors: every indicator must have a reference outcome."""
    require_draft(case)
    framework = framework_of_case(case)
    missing = comparison.missing_references(framework, scoring_case(case), case.references)
    if missing:
        raise CaseError("references_missing", tuple(missing))
    case.status = CaseStatus.PUBLISHED
    case.published_at = utcnow()
    record_event("calibration.case_published", "calibration_case", case.id, actor=actor)


def withdraw(case: CalibrationCase, actor: User) -> None:
    if case.status != CaseStatus.PUBLISHED:
        raise CaseError("not_published")
    case.status = CaseStatus.WITHDRAWN
    record_event("calibration.case_withdrawn", "calibration_case", case.id, actor=actor)


def cases_for_staff(user: User) -> list[CalibrationCase]:
    query = select(CalibrationCase).order_by(CalibrationCase.created_at.desc())
    condition = visible_condition(user, CalibrationCase.body_id)
    if condition is not None:
        query = query.where(condition)
    return list(db.session.scalars(query))


def decided_applications(user: User, limit: int = 200) -> list[Application]:
    """The latest decided applications the user acts on: what a case can be made from."""
    query = (
        select(Application)
        .where(Application.state.in_([State.AWARDED.value, State.REFUSED.value]))
        .order_by(Application.id.desc())
        .limit(limit)
    )
    condition = visible_condition(user, Application.body_id)
    if condition is not None:
        query = query.where(condition)
    return list(db.session.scalars(query))
