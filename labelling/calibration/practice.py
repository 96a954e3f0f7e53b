"""An assessor's practice on a reference case, the record it leaves on their profile, and
the body's rule that keeps only assessors who practised in the last year assignable."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from labelling.accounts.models import User
from labelling.assessments.models import Assignment
from labelling.bodies.models import LabellingBody
from labelling.bodies.services import effective_body_id
from labelling.calibration import comparison
from labelling.calibration.cases import CaseError, framework_of_case, scoring_case
from labelling.calibration.models import CalibrationAttempt, CalibrationCase, CaseStatus
from labelling.core.audit import record_event
from labelling.db import utcnow
from labelling.extensions import db

VALID_FOR = timedelta(days=365)  # "one completed exercise per year"
CALIBRATION_DUE = "calibration_due"


def assessed_the_source(case: CalibrationCase, user: User) -> bool:
    """Whether the user assessed the application the case was made from: they would know
    the answer (and the cluster), so the case is not offered to them."""
    if case.source_application_id is None:
        return False
    return (
        db.session.scalar(
            select(Assignment.id).where(
                Assignment.application_id == case.source_application_id,
                Assignment.assessor_id == user.id,
            )
        )
        is not None
    )


def cases_to_practise(user: User) -> list[CalibrationCase]:
    """The published cases, but those made from an application the user assessed."""
    assessed = select(Assignment.application_id).where(Assignment.assessor_id == user.id)
    return list(
        db.session.scalars(
            select(CalibrationCase)
            .where(
                CalibrationCase.status == CaseStatus.PUBLISHED,
                (CalibrationCase.source_application_id.is_(None))
                | CalibrationCase.source_application_id.not_in(assessed),
            )
            .order_by(CalibrationCase.published_at.desc())
        )
    )


def attempts_of(user_id: int) -> list[tuple[CalibrationAttempt, CalibrationCase]]:
    """Every practice of the assessor, latest first, with its case."""
    rows = db.session.execute(
        select(CalibrationAttempt, CalibrationCase)
        .join(CalibrationCase)
        .where(CalibrationAttempt.assessor_id == user_id)
        .order_by(CalibrationAttempt.created_at.desc(), CalibrationAttempt.id.desc())
    )
    return [(attempt, case) for attempt, case in rows]


def open_attempt(case: CalibrationCase, user: User) -> CalibrationAttempt:
    """The practice under way on the case, or a new one (a completed one stays as it is)."""
    if case.status != CaseStatus.PUBLISHED or assessed_the_source(case, user):
        raise CaseError("not_open")
    attempt = db.session.scalar(
        select(CalibrationAttempt).where(
            CalibrationAttempt.case_id == case.id,
            CalibrationAttempt.assessor_id == user.id,
            CalibrationAttempt.completed_at.is_(None),
        )
    )
    if attempt is None:
        attempt = CalibrationAttempt(case_id=case.id, assessor_id=user.id, ratings={})
        db.session.add(attempt)
        db.session.flush()
    return attempt


def save_rating(attempt: CalibrationAttempt, code: str, stored: dict | None) -> None:
    if attempt.completed_at is not None:
        raise CaseError("completed")
    ratings = dict(attempt.ratings or {})
    if stored is None:
        ratings.pop(code, None)
    else:
        ratings[code] = stored
    attempt.ratings = ratings  # a JSON column: assigned anew so that the change is seen


def differences(attempt: CalibrationAttempt, case: CalibrationCase):
    framework = framework_of_case(case)
    return comparison.compare(
        framework, scoring_case(case), case.references or {}, attempt.ratings or {}
    )


def complete(attempt: CalibrationAttempt, case: CalibrationCase, actor: User) -> None:
    if attempt.completed_at is not None:
        raise CaseError("completed")
    attempt.compared, attempt.matched = comparison.tally(differences(attempt, case))
    attempt.completed_at = utcnow()
    record_event(
        "calibration.completed",
        "calibration_attempt",
        attempt.id,
        actor=actor,
        data={"case": case.id, "compared": attempt.compared, "matched": attempt.matched},
    )


def completed_since(user_ids: list[int], since: datetime) -> set[int]:
    if not user_ids:
        return set()
    return set(
        db.session.scalars(
            select(CalibrationAttempt.assessor_id)
            .where(
                CalibrationAttempt.assessor_id.in_(user_ids),
                CalibrationAttempt.completed_at >= since,
            )
            .group_by(CalibrationAttempt.assessor_id)
        )
    )


def last_completed(user_id: int) -> datetime | None:
    return db.session.scalar(
        select(func.max(CalibrationAttempt.completed_at)).where(
            CalibrationAttempt.assessor_id == user_id
        )
    )


def requires_calibration(body_id: int | None) -> bool:
    effective = effective_body_id(body_id)
    body = db.session.get(LabellingBody, effective) if effective is not None else None
    return bool(body and body.calibration_required)


def standing(body_id: int | None, user_ids: list[int], today: date) -> dict[int, tuple[str, ...]]:
    """Assessors the application's body may not assign for want of calibration: those with
    no exercise completed in the year up to `today`, where the body requires one."""
    if not requires_calibration(body_id):
        return {}
    since = datetime.combine(today - VALID_FOR, time.min, tzinfo=UTC)
    practised = completed_since(user_ids, since)
    return {user_id: (CALIBRATION_DUE,) for user_id in user_ids if user_id not in practised}


def set_requirement(body: LabellingBody, required: bool, actor: User) -> None:
    """Whether the body requires an exercise a year of its assessors (written to the log)."""
    body.calibration_required = required
    record_event(
        "calibration.requirement_set",
        "labelling_body",
        body.id,
        actor=actor,
        data={"required": body.calibration_required},
    )


def profile_panel(user_id: int, own: bool) -> dict | None:
    """The exercises on the assessor's profile (for the assessor and the secretariat)."""
    done = [(a, c) for a, c in attempts_of(user_id) if a.completed_at is not None]
    return {"template": "calibration/_profile.html", "done": done, "own": own}
