"""The labelling body's decision on an assessed application (four eyes)."""

from __future__ import annotations

from datetime import date

from labelling.accounts.models import User
from labelling.assessments import consolidation, recommendation, review
from labelling.assessments.models import Application
from labelling.assessments.services import apply_transition
from labelling.assessments.signals import application_awarded
from labelling.assessments.workflow import Action
from labelling.core.audit import current_chain_head
from labelling.core.http import external_url
from labelling.criteria.framework import Framework
from labelling.db import utcnow
from labelling.notifications.services import mail_people
from labelling.organisations.services import managers_of


class DecisionRefused(review.ReviewError):
    pass


def awardable_levels(
    application: Application, framework: Framework, assessment_date: date | None = None
) -> list[str]:
    """Levels the rules allow on the final ratings, up to the level applied for, counted
    to the assessment date (the recommendation's unless another is given)."""
    result = consolidation.assessed_result(application, framework, as_of=assessment_date)
    return recommendation.recommendable_levels(application, framework, result)


def award_problem(
    application: Application, framework: Framework, level: str, assessment_date: date, reason: str
) -> str | None:
    """Why `level` cannot be awarded as asked (a reason code), or None: checked before the
    confirmation step as well as by award_label itself."""
    if level not in awardable_levels(application, framework, assessment_date):
        return "level_not_allowed"
    recommended = application.recommendation.level if application.recommendation else None
    if level != recommended and not reason.strip():
        return "reason_required_for_other_level"
    if assessment_date > date.today():
        return "assessment_date_future"
    return None


def award_label(
    application: Application,
    framework: Framework,
    actor: User,
    level: str,
    assessment_date: date,
    reason: str = "",
) -> None:
    """Award `level`, dated by the assessment. Final and audited; notifies the managers and
    sends `application_awarded` for the label.

    Requires a secretariat member who is not an assessor of the application (the workflow
    table says so), a level the rules allow, and a reason when the level differs from the
    recommendation. Raises TransitionError, DecisionRefused, or StaleDataError when a
    second click or a colleague decided at the same moment.
    """
    problem = award_problem(application, framework, level, assessment_date, reason)
    if problem:
        raise DecisionRefused(problem, level)
    _record_decision(application, actor, reason)
    application.awarded_level = level
    application.assessment_date = assessment_date
    apply_transition(application, Action.AWARD, actor, reason)
    application.decision_audit_head = current_chain_head()
    application_awarded.send(application, framework=framework)
    _notify_decision(application)


def refuse_label(application: Application, actor: User, reason: str) -> None:
    """Refuse with a reason (required by the workflow table). Final and audited."""
    _record_decision(application, actor, reason)
    apply_transition(application, Action.REFUSE, actor, reason)
    application.decision_audit_head = current_chain_head()
    _notify_decision(application)


def send_back(application: Application, actor: User, reason: str) -> None:
    """Return the assessment to the assessors with what needs another look."""
    apply_transition(application, Action.SEND_BACK, actor, reason)
    lead = application.lead_assignment
    mail_people(
        [lead.assessor] if lead else [],
        "assessment_sent_back",
        application=application,
        reason=reason.strip(),
        link=external_url("review.workspace", app_id=application.id),
    )


def _record_decision(application: Application, actor: User, reason: str) -> None:
    application.decided_at = utcnow()
    application.decided_by_id = actor.id
    application.decision_reason = reason.strip() or None


def _notify_decision(application: Application) -> None:
    mail_people(
        managers_of(application.organisation),
        "application_decided",
        application=application,
        link=external_url("assessments.detail", app_id=application.id),
        certificate_link=external_url("certificates.application_certificate", app_id=application.id)
        if application.state == "awarded"
        else None,
    )
