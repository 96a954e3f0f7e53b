"""The assessors of an application: candidates ranked without conflicts of interest, asked,
taken off, and their answer (accept with a declaration, or decline)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from babel.languages import get_official_languages
from flask import current_app
from sqlalchemy import func, select

from labelling.accounts.models import User
from labelling.assessments import deadlines
from labelling.assessments.models import Application, Assignment, AssignmentStatus
from labelling.assessments.review import (
    AssignmentRefused,
    NotAllowed,
    ReviewError,
    audit_step,
    require_actor,
    require_state,
)
from labelling.assessments.services import framework_of
from labelling.assessments.workflow import FINAL_STATES, Actor, State
from labelling.assessors.candidates import Candidate, Need, exclusion_reasons, rank_candidates
from labelling.assessors.conflicts import Conflict, Tie, detect_conflicts
from labelling.assessors.models import AssessorProfile
from labelling.bodies.services import pool_of
from labelling.core.hooks import Registry
from labelling.core.http import external_url
from labelling.criteria.framework import Framework
from labelling.db import utcnow
from labelling.extensions import db
from labelling.notifications.services import mail_people
from labelling.organisations.models import Organisation

# name -> `reasons(body_id, user_ids, today)`: the assessors a body's own rules keep from
# being assigned, with why (codes of candidates.reason_message). Calibration registers one.
STANDING_RULES: Registry[Callable[[int | None, list[int], date], dict[int, tuple[str, ...]]]] = (
    Registry("assessor standing")
)


def standing_reasons(body_id: int | None, user_ids: list[int], today: date) -> dict:
    reasons: dict[int, tuple[str, ...]] = {}
    for rule in STANDING_RULES:
        for user_id, codes in rule(body_id, user_ids, today).items():
            reasons[user_id] = reasons.get(user_id, ()) + codes
    return reasons


def assignment_counts(user: User) -> dict[str, int]:
    """The assessor's assignments waiting for an answer, and those in assessment now."""
    open_states = [State.IN_ASSESSMENT.value, State.MORE_INFORMATION.value, State.SCREENING.value]
    rows = db.session.execute(
        select(Assignment.status, func.count())
        .join(Application)
        .where(Assignment.assessor_id == user.id, Application.state.in_(open_states))
        .group_by(Assignment.status)
    ).all()
    counts = {status: count for status, count in rows}
    return {
        "waiting": counts.get(AssignmentStatus.PROPOSED.value, 0),
        "current": counts.get(AssignmentStatus.ACCEPTED.value, 0),
    }


def organisation_languages(organisation: Organisation) -> frozenset[str]:
    """The official languages of the organisation's country (Babel's CLDR data)."""
    return frozenset(get_official_languages(organisation.country_code, de_facto=True))


def conflicts_of(
    profile: AssessorProfile, organisation: Organisation, today: date
) -> list[Conflict]:
    membership = organisation.membership_of(profile.user)
    return detect_conflicts(
        ties=[
            Tie(c.relation, c.ended_on)
            for c in profile.conflicts
            if c.organisation_id == organisation.id
        ],
        team_role=membership.role if membership is not None else None,
        assessor_email=profile.user.email,
        organisation_website=organisation.website,
        today=today,
        lookback_years=current_app.config["CONFLICT_LOOKBACK_YEARS"],
    )


def open_workloads() -> dict[int, int]:
    """Open assignments per assessor: proposed or accepted, on applications still running."""
    rows = db.session.execute(
        select(Assignment.assessor_id, func.count())
        .join(Application)
        .where(
            Assignment.status.in_([AssignmentStatus.PROPOSED, AssignmentStatus.ACCEPTED]),
            Application.state.not_in([s.value for s in FINAL_STATES]),
        )
        .group_by(Assignment.assessor_id)
    )
    return {assessor_id: count for assessor_id, count in rows}


def _candidate(
    profile: AssessorProfile,
    application: Application,
    today: date,
    workloads: dict[int, int],
    standing: dict[int, tuple[str, ...]],
) -> Candidate:
    return Candidate(
        user_id=profile.user_id,
        name=profile.user.full_name,
        country_code=profile.country_code,
        languages=frozenset(profile.languages),
        technology_areas=frozenset(profile.technology_areas),
        active_roles=frozenset(profile.active_roles(today)),
        workload=workloads.get(profile.user_id, 0),
        conflicts=tuple(conflicts_of(profile, application.organisation, today)),
        is_assigned=application.assignment_of(profile.user) is not None,
        standing=standing.get(profile.user_id, ()),
    )


def need_of(application: Application, framework: Framework) -> Need:
    return Need(
        rule=framework.level(application.level).assessors,
        country_code=application.organisation.country_code,
        technology_area=application.organisation.technology_area,
        languages=organisation_languages(application.organisation),
        assigned_countries=tuple(countries_of(application.active_assignments)),
    )


def countries_of(assignments: list[Assignment]) -> list[str]:
    """The register's country of each assigned assessor (one query for all of them)."""
    ids = [a.assessor_id for a in assignments]
    countries = dict(
        db.session.execute(
            select(AssessorProfile.user_id, AssessorProfile.country_code).where(
                AssessorProfile.user_id.in_(ids)
            )
        ).all()
    )
    return [countries.get(assessor_id, "") for assessor_id in ids]


def candidates_for(application: Application, today: date):
    """(ranked, excluded) assessors for the application, as the assignment page shows them."""
    framework = framework_of(application)
    workloads = open_workloads()
    query = select(AssessorProfile).join(User).where(User.is_enabled.is_(True))
    pool = pool_of(application.body_id)
    if pool is not None:
        query = query.where(AssessorProfile.user_id.in_(pool))  # the body's own assessors
    profiles = db.session.scalars(query).all()
    standing = standing_reasons(application.body_id, [p.user_id for p in profiles], today)
    candidates = [_candidate(p, application, today, workloads, standing) for p in profiles]
    return rank_candidates(candidates, need_of(application, framework))


def assign_assessor(
    application: Application, assessor: User, actor: User, today: date
) -> Assignment:
    """Ask `assessor` to assess the application (the first one asked leads).

    Requires the secretariat, screening or assessment, confirmed eligibility, and an
    assessor whom the rules admit. Raises NotAllowed, ReviewError or AssignmentRefused
    (with every reason, conflicts included).
    """
    require_actor(application, actor, Actor.SECRETARIAT)
    require_state(application, State.SCREENING, State.IN_ASSESSMENT, State.MORE_INFORMATION)
    if application.eligibility_confirmed_at is None:
        raise ReviewError("eligibility_not_confirmed")
    profile = db.session.scalar(
        select(AssessorProfile).where(AssessorProfile.user_id == assessor.id)
    )
    if profile is None:
        raise AssignmentRefused(("no_accreditation",))
    standing = standing_reasons(application.body_id, [assessor.id], today)
    candidate = _candidate(profile, application, today, open_workloads(), standing)
    reasons = exclusion_reasons(candidate, need_of(application, framework_of(application)))
    if reasons:
        raise AssignmentRefused(reasons, candidate.conflicts)
    assignment = Assignment(
        assessor_id=assessor.id,
        assigned_by_id=actor.id,
        is_lead=application.lead_assignment is None,
        status=AssignmentStatus.PROPOSED,
    )
    application.assignments.append(assignment)
    # Writing the application row takes its version: of two simultaneous assignments
    # (two clicks, two colleagues), the second fails (StaleDataError) and changes nothing.
    application.updated_at = utcnow()
    db.session.flush()
    audit_step(
        application,
        "assessor_assigned",
        actor,
        assessor=assessor.full_name,
        assessor_id=assessor.id,
        lead=assignment.is_lead,
    )
    mail_people(
        [assessor],
        "assessor_assigned",
        application=application,
        is_lead=assignment.is_lead,
        link=external_url("review.respond", assignment_id=assignment.id),
    )
    return assignment


def _pass_lead_on(application: Application) -> None:
    if application.lead_assignment is None:
        remaining = application.active_assignments
        if remaining:
            remaining[0].is_lead = True


def remove_assignment(assignment: Assignment, actor: User, reason: str) -> None:
    """The secretariat takes an assessor off an application (e.g. no answer); scores stay."""
    application = assignment.application
    require_actor(application, actor, Actor.SECRETARIAT)
    if application.status in FINAL_STATES or not assignment.is_active:
        raise ReviewError("state")
    if not reason.strip():
        raise ReviewError("reason_required")
    assignment.status = AssignmentStatus.REMOVED
    assignment.is_lead = False
    _pass_lead_on(application)
    db.session.flush()
    audit_step(
        application,
        "assessor_removed",
        actor,
        comment=reason.strip(),
        assessor=assignment.assessor.full_name,
    )


def accept_assignment(
    assignment: Assignment, actor: User, declares_no_conflict: bool, today: date
) -> None:
    """The assessor accepts, declaring (with the time stored) that they have no conflict.

    Conflicts the data shows still refuse the assignment. Raises ReviewError or
    AssignmentRefused; NotAllowed for anyone but the assessor asked.
    """
    application = assignment.application
    if assignment.assessor_id != actor.id:
        raise NotAllowed("actor")
    if assignment.status != AssignmentStatus.PROPOSED or application.status in FINAL_STATES:
        raise ReviewError("state")
    if not declares_no_conflict:
        raise ReviewError("declaration_required")
    profile = db.session.scalar(select(AssessorProfile).where(AssessorProfile.user_id == actor.id))
    conflicts = tuple(conflicts_of(profile, application.organisation, today)) if profile else ()
    if conflicts:
        raise AssignmentRefused(("conflict",), conflicts)
    assignment.status = AssignmentStatus.ACCEPTED
    assignment.responded_at = assignment.no_conflict_declared_at = utcnow()
    assignment.due_on = deadlines.add_working_days(
        today, current_app.config["ASSESSMENT_DUE_WORKING_DAYS"]
    )
    db.session.flush()
    audit_step(application, "assignment_accepted", actor, assessor=actor.full_name)
    mail_people(
        [assignment_by(assignment)],
        "assignment_answered",
        application=application,
        assignment=assignment,
        link=external_url("secretariat.screening", app_id=application.id),
    )


def decline_assignment(assignment: Assignment, actor: User, reason: str) -> None:
    application = assignment.application
    if assignment.assessor_id != actor.id:
        raise NotAllowed("actor")
    if assignment.status != AssignmentStatus.PROPOSED:
        raise ReviewError("state")
    if not reason.strip():
        raise ReviewError("reason_required")
    assignment.status = AssignmentStatus.DECLINED
    assignment.decline_reason = reason.strip()
    assignment.responded_at = utcnow()
    assignment.is_lead = False
    _pass_lead_on(application)
    db.session.flush()
    audit_step(
        application, "assignment_declined", actor, comment=reason.strip(), assessor=actor.full_name
    )
    mail_people(
        [assignment_by(assignment)],
        "assignment_answered",
        application=application,
        assignment=assignment,
        link=external_url("secretariat.screening", app_id=application.id),
    )


def assignment_by(assignment: Assignment) -> User | None:
    return db.session.get(User, assignment.assigned_by_id) if assignment.assigned_by_id else None
