"""The lead assessor's recommendation, the check of the improvement areas (Silver), and the
assessment handed to the secretariat for the decision."""

from __future__ import annotations

from datetime import date

from labelling.accounts.models import User
from labelling.assessments.consolidation import assessed_result, final_ratings, needs_consolidation
from labelling.assessments.models import Application, Recommendation
from labelling.assessments.review import (
    SCORING_STATES,
    ReviewError,
    audit_step,
    deciders_for,
    require_actor,
    require_state,
)
from labelling.assessments.services import apply_transition
from labelling.assessments.workflow import Action, Actor
from labelling.core.http import external_url
from labelling.criteria.framework import Framework
from labelling.criteria.scoring import ScoreResult, Status
from labelling.extensions import db
from labelling.notifications.services import mail_people


def recommendable_levels(
    application: Application, framework: Framework, result: ScoreResult
) -> list[str]:
    """Levels the rules allow now, up to the level applied for (never above either)."""
    applied = framework.level(application.level).rank
    return [
        level.id
        for level in framework.levels
        if level.rank <= applied and result.verdict(level.id).allowed
    ]


def validate_improvement_areas(
    application: Application, lead: User, checks: dict[int, tuple[bool, str]]
) -> None:
    """The auditor's verdict on each documented improvement area (Silver)."""
    require_actor(application, lead, Actor.LEAD_ASSESSOR)
    require_state(application, *SCORING_STATES)
    for area in application.improvement_areas:
        if area.id in checks:
            area.is_validated, note = checks[area.id]
            area.validation_note = note.strip() or None
    db.session.flush()
    audit_step(
        application,
        "improvement_areas_checked",
        lead,
        validated=sum(1 for a in application.improvement_areas if a.is_validated),
    )


def save_recommendation(
    application: Application,
    framework: Framework,
    lead: User,
    level: str | None,
    strengths: str,
    improvements: str,
    assessment_date: date,
) -> Recommendation:
    """The lead assessor's recommendation: a level the rules allow (or none) with reasons."""
    require_actor(application, lead, Actor.LEAD_ASSESSOR)
    require_state(application, *SCORING_STATES)
    result = assessed_result(application, framework, as_of=assessment_date)
    allowed = recommendable_levels(application, framework, result)
    if level is not None and level not in allowed:
        raise ReviewError("level_not_allowed", level)
    if assessment_date > date.today():
        raise ReviewError("assessment_date_future")
    recommendation = application.recommendation or Recommendation()
    recommendation.level = level
    recommendation.strengths = strengths.strip()
    recommendation.improvements = improvements.strip()
    recommendation.assessment_date = assessment_date
    recommendation.recommended_by_id = lead.id
    application.recommendation = recommendation
    db.session.flush()
    audit_step(application, "recommendation_saved", lead, level=level)
    return recommendation


def completion_problems(application: Application, framework: Framework) -> list[str]:
    """What stops the lead from completing the assessment now (reason codes)."""
    problems = []
    result = assessed_result(application, framework)
    if needs_consolidation(application, framework):
        settled = final_ratings(application, framework)
        if any(i.code not in settled for i in framework.indicators):
            problems.append("consolidation_incomplete")
    elif any(r.status == Status.MISSING for r in result.indicators):
        problems.append("scores_incomplete")
    recommendation = application.recommendation
    if recommendation is None:
        problems.append("recommendation_missing")
    elif recommendation.level is not None and recommendation.level not in recommendable_levels(
        application, framework, result
    ):
        problems.append("recommendation_not_allowed")
    if application.open_requests:
        problems.append("questions_open")
    return problems


def complete_assessment(application: Application, framework: Framework, lead: User) -> None:
    """The lead assessor hands the assessment to the secretariat for the decision."""
    require_actor(application, lead, Actor.LEAD_ASSESSOR)
    problems = completion_problems(application, framework)
    if problems:
        raise ReviewError(problems[0], ", ".join(problems))
    apply_transition(application, Action.COMPLETE_ASSESSMENT, lead)
    mail_people(
        deciders_for(application),
        "assessment_completed",
        application=application,
        link=external_url("secretariat.decision", app_id=application.id),
    )
