"""Decided Gold applications of the `mini` framework that two assessors scored, with
ratings chosen by the test."""

from __future__ import annotations

from dataclasses import dataclass

from labelling.assessments.models import Assignment, ConsolidatedScore, IndicatorScore
from labelling.db import utcnow
from labelling.extensions import db
from tests.factories import create_user, force_state, submitted_application


@dataclass(frozen=True)
class Scored:
    """What the lead, the co-assessor and the consolidation gave: {code: (value, status)}."""

    lead: dict
    co: dict
    consolidated: dict


def add_ratings(model, application_id: int, ratings: dict, **who) -> None:
    """Rating rows of `model` from {code: (value, status)}."""
    for code, (value, status) in ratings.items():
        db.session.add(
            model(
                application_id=application_id,
                indicator_code=code,
                verified_value=value,
                status=status,
                **who,
            )
        )


def scored_application(manager, lead, co, scored: Scored, name: str):
    """A Gold application scored by `lead` and `co`, consolidated, and decided."""
    application = submitted_application(manager, legal_name=name)
    now = utcnow()
    for person, is_lead in ((lead, True), (co, False)):
        application.assignments.append(
            Assignment(
                assessor_id=person.id,
                is_lead=is_lead,
                status="accepted",
                responded_at=now,
                no_conflict_declared_at=now,
            )
        )
    add_ratings(IndicatorScore, application.id, scored.lead, assessor_id=lead.id)
    add_ratings(IndicatorScore, application.id, scored.co, assessor_id=co.id)
    add_ratings(ConsolidatedScore, application.id, scored.consolidated)
    db.session.commit()
    decider = create_user(f"decider-{application.id}@example.org")
    force_state(application, "awarded", decider=decider)
    return application


def award_gold(application, people) -> None:
    """Award the Gold an application_with_team in state assessed was recommended for."""
    from labelling.assessments import decisions, services

    decisions.award_label(
        application,
        services.framework_of(application),
        people["secretariat"],
        "gold",
        application.recommendation.assessment_date,
    )
    db.session.commit()
