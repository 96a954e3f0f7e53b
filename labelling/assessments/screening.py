"""The secretariat's screening: eligibility confirmed or the application returned, and the
assessment started once the accepted team is complete; the overview's counts."""

from __future__ import annotations

from sqlalchemy import func, select

from labelling.accounts.models import User
from labelling.assessments.assignment import countries_of
from labelling.assessments.models import Application
from labelling.assessments.review import ReviewError, audit_step, require_actor, require_state
from labelling.assessments.services import apply_transition
from labelling.assessments.workflow import Action, Actor, State
from labelling.assessors.candidates import is_team_complete
from labelling.bodies.services import visible_condition
from labelling.core.http import external_url
from labelling.criteria.framework import Framework
from labelling.db import utcnow
from labelling.extensions import db
from labelling.notifications.services import mail_people
from labelling.organisations.services import managers_of


def state_counts(user: User | None = None) -> dict[str, int]:
    """Applications per state (one grouped query), for the secretariat's overview: those
    of the bodies `user` acts for."""
    query = select(Application.state, func.count()).group_by(Application.state)
    mine = visible_condition(user, Application.body_id) if user is not None else None
    if mine is not None:
        query = query.where(mine)
    return {state: count for state, count in db.session.execute(query).all()}


def start_screening(application: Application, actor: User) -> None:
    apply_transition(application, Action.START_SCREENING, actor)


def confirm_eligibility(application: Application, actor: User) -> None:
    """The secretariat confirms the eligibility criteria during screening (not a state change).

    Raises NotAllowed (not the secretariat) or ReviewError("state")."""
    require_actor(application, actor, Actor.SECRETARIAT)
    require_state(application, State.SCREENING)
    application.eligibility_confirmed_at = utcnow()
    application.eligibility_confirmed_by_id = actor.id
    db.session.flush()
    audit_step(application, "eligibility_confirmed", actor)


def return_to_applicant(application: Application, actor: User, reason: str) -> None:
    """Screening found a problem: the application goes back to draft with the reason.
    Only before the eligibility is confirmed: after that the assessors take over."""
    if application.eligibility_confirmed_at is not None:
        raise ReviewError("eligibility_confirmed")
    apply_transition(application, Action.RETURN_TO_APPLICANT, actor, reason)
    mail_people(
        managers_of(application.organisation),
        "application_returned",
        application=application,
        reason=reason.strip(),
        link=external_url("assessments.detail", app_id=application.id),
    )


def team_problem(application: Application, framework: Framework) -> str | None:
    """Why the assessment cannot start yet, or None when the accepted team is complete."""
    if application.eligibility_confirmed_at is None:
        return "eligibility_not_confirmed"
    rule = framework.level(application.level).assessors
    accepted = application.accepted_assignments
    if len(application.active_assignments) != len(accepted):
        return "answers_pending"
    countries = countries_of(accepted)
    if not is_team_complete(rule, application.organisation.country_code, countries):
        return "team_incomplete"
    return None


def start_assessment(application: Application, framework: Framework, actor: User) -> None:
    """Screening is over and the accepted team is complete: the assessors start scoring."""
    require_actor(application, actor, Actor.SECRETARIAT)
    require_state(application, State.SCREENING)
    problem = team_problem(application, framework)
    if problem:
        raise ReviewError(problem)
    apply_transition(application, Action.START_ASSESSMENT, actor)
    mail_people(
        [a.assessor for a in application.accepted_assignments],
        "assessment_started",
        application=application,
        link=external_url("review.workspace", app_id=application.id),
    )
