"""The assessors' side of an application: screening, assignment, scoring, questions,
consolidation and the recommendation. Services flush and never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.languages import get_official_languages
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from labelling.accounts.models import Role, User, UserRole
from labelling.assessments import deadlines
from labelling.assessments.consolidation import Comparison, compare
from labelling.assessments.models import (
    Application,
    Assignment,
    AssignmentStatus,
    ConsolidatedScore,
    IndicatorScore,
    InformationRequest,
    Recommendation,
)
from labelling.assessments.services import (
    apply_transition,
    assessment_date_of,
    framework_of,
    scoring_context,
)
from labelling.assessments.workflow import FINAL_STATES, Action, Actor, State
from labelling.assessors.candidates import (
    Candidate,
    Need,
    exclusion_reasons,
    is_team_complete,
    rank_candidates,
)
from labelling.assessors.conflicts import Conflict, Tie, detect_conflicts
from labelling.assessors.models import AssessorProfile
from labelling.bodies.services import pool_of, visible_condition
from labelling.core.audit import record_event
from labelling.core.http import external_url
from labelling.criteria.framework import Framework
from labelling.criteria.scoring import (
    Rating,
    ScoreResult,
    Status,
    score_application,
)
from labelling.db import utcnow
from labelling.extensions import db
from labelling.notifications.services import queue_email
from labelling.organisations.models import Organisation, TeamRole


class ReviewError(Exception):
    """A review step refused for a reason the page explains; `code` names the reason."""

    status = 409

    def __init__(self, code: str, detail: str = ""):
        self.code, self.detail = code, detail
        super().__init__(f"{code}: {detail}" if detail else code)


class NotAllowed(ReviewError):
    """The person does not stand to the application in a way that allows this."""

    status = 403


class AssignmentRefused(ReviewError):
    def __init__(self, reasons: tuple[str, ...], conflicts: tuple[Conflict, ...] = ()):
        self.reasons, self.conflicts = reasons, conflicts
        super().__init__("assignment_refused", ", ".join(reasons))


class StaleScore(ReviewError):
    """Someone saved this indicator since the page was loaded."""


def _require_actor(application: Application, user: User, *actors: Actor) -> None:
    if not application.actors_for(user) & set(actors):
        raise NotAllowed("actor")


def _require_state(application: Application, *states: State) -> None:
    if application.status not in states:
        raise ReviewError("state", application.status.value)


def _audit(application: Application, action: str, actor: User, **data) -> None:
    comment = data.pop("comment", None)
    record_event(
        f"application.{action}",
        "application",
        application.id,
        actor=actor,
        comment=comment,
        data=data or None,
    )


def _link(endpoint: str, **values) -> str:
    return external_url(endpoint, **values)


def managers_of(organisation: Organisation) -> list[User]:
    return [m.user for m in organisation.memberships if m.role == TeamRole.MANAGER]


def _mail(users, template: str, **context) -> None:
    """Queue one e-mail per enabled user, each in that user's own language (queue_email
    finds it)."""
    for user in users:
        if user is not None and user.is_enabled:
            queue_email(user.email, template, recipient=user, **context)


def deciders_for(application: Application) -> list[User]:
    """Secretariat staff who may decide on this application (never its assessors)."""
    staff = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == Role.SECRETARIAT.value)
    ).unique()
    return [user for user in staff if Actor.SECRETARIAT in application.actors_for(user)]


def state_counts(user: User | None = None) -> dict[str, int]:
    """Applications per state (one grouped query), for the secretariat's overview: those
    of the bodies `user` acts for."""
    query = select(Application.state, func.count()).group_by(Application.state)
    mine = visible_condition(user, Application.body_id) if user is not None else None
    if mine is not None:
        query = query.where(mine)
    return {state: count for state, count in db.session.execute(query).all()}


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


# --- screening -----------------------------------------------------------------------------


def start_screening(application: Application, actor: User) -> None:
    apply_transition(application, Action.START_SCREENING, actor)


def confirm_eligibility(application: Application, actor: User) -> None:
    """The secretariat confirms the eligibility criteria during screening (not a state change).

    Raises NotAllowed (not the secretariat) or ReviewError("state")."""
    _require_actor(application, actor, Actor.SECRETARIAT)
    _require_state(application, State.SCREENING)
    application.eligibility_confirmed_at = utcnow()
    application.eligibility_confirmed_by_id = actor.id
    db.session.flush()
    _audit(application, "eligibility_confirmed", actor)


def return_to_applicant(application: Application, actor: User, reason: str) -> None:
    """Screening found a problem: the application goes back to draft with the reason.
    Only before the eligibility is confirmed: after that the assessors take over."""
    if application.eligibility_confirmed_at is not None:
        raise ReviewError("eligibility_confirmed")
    apply_transition(application, Action.RETURN_TO_APPLICANT, actor, reason)
    _mail(
        managers_of(application.organisation),
        "application_returned",
        application=application,
        reason=reason.strip(),
        link=_link("assessments.detail", app_id=application.id),
    )


# --- candidates and assignment ---------------------------------------------------------------


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
    profile: AssessorProfile, application: Application, today: date, workloads: dict[int, int]
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
    candidates = [_candidate(p, application, today, workloads) for p in profiles]
    return rank_candidates(candidates, need_of(application, framework))


def assign_assessor(
    application: Application, assessor: User, actor: User, today: date
) -> Assignment:
    """Ask `assessor` to assess the application (the first one asked leads).

    Requires the secretariat, screening or assessment, confirmed eligibility, and an
    assessor whom the rules admit. Raises NotAllowed, ReviewError or AssignmentRefused
    (with every reason, conflicts included).
    """
    _require_actor(application, actor, Actor.SECRETARIAT)
    _require_state(application, State.SCREENING, State.IN_ASSESSMENT, State.MORE_INFORMATION)
    if application.eligibility_confirmed_at is None:
        raise ReviewError("eligibility_not_confirmed")
    profile = db.session.scalar(
        select(AssessorProfile).where(AssessorProfile.user_id == assessor.id)
    )
    if profile is None:
        raise AssignmentRefused(("no_accreditation",))
    candidate = _candidate(profile, application, today, open_workloads())
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
    _audit(
        application,
        "assessor_assigned",
        actor,
        assessor=assessor.full_name,
        assessor_id=assessor.id,
        lead=assignment.is_lead,
    )
    _mail(
        [assessor],
        "assessor_assigned",
        application=application,
        is_lead=assignment.is_lead,
        link=_link("review.respond", assignment_id=assignment.id),
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
    _require_actor(application, actor, Actor.SECRETARIAT)
    if application.status in FINAL_STATES or not assignment.is_active:
        raise ReviewError("state")
    if not reason.strip():
        raise ReviewError("reason_required")
    assignment.status = AssignmentStatus.REMOVED
    assignment.is_lead = False
    _pass_lead_on(application)
    db.session.flush()
    _audit(
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
    _audit(application, "assignment_accepted", actor, assessor=actor.full_name)
    _mail(
        [assignment_by(assignment)],
        "assignment_answered",
        application=application,
        assignment=assignment,
        link=_link("secretariat.screening", app_id=application.id),
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
    _audit(
        application, "assignment_declined", actor, comment=reason.strip(), assessor=actor.full_name
    )
    _mail(
        [assignment_by(assignment)],
        "assignment_answered",
        application=application,
        assignment=assignment,
        link=_link("secretariat.screening", app_id=application.id),
    )


def assignment_by(assignment: Assignment) -> User | None:
    return db.session.get(User, assignment.assigned_by_id) if assignment.assigned_by_id else None


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
    _require_actor(application, actor, Actor.SECRETARIAT)
    _require_state(application, State.SCREENING)
    problem = team_problem(application, framework)
    if problem:
        raise ReviewError(problem)
    apply_transition(application, Action.START_ASSESSMENT, actor)
    _mail(
        [a.assessor for a in application.accepted_assignments],
        "assessment_started",
        application=application,
        link=_link("review.workspace", app_id=application.id),
    )


# --- scoring -------------------------------------------------------------------------------

SCORING_STATES = (State.IN_ASSESSMENT, State.MORE_INFORMATION)


@dataclass(frozen=True)
class RatingInput:
    verified_value: object = None
    status: str | None = None
    comment: str = ""


def _check_rating(framework: Framework, code: str, rating: RatingInput) -> None:
    indicator = framework.indicator(code)  # StopIteration for an unknown indicator
    if rating.status == "not_applicable" and not indicator.allows_not_applicable:
        raise ReviewError("not_applicable_not_allowed", code)
    if rating.status not in (None, "met", "not_met", "not_applicable"):
        raise ReviewError("status_unknown", str(rating.status))
    if indicator.is_rubric and rating.verified_value is not None:
        bands = {band.band for band in indicator.rubric}
        if rating.verified_value not in bands:
            raise ReviewError("band_unknown", str(rating.verified_value))


def _save_rating(row, rating: RatingInput, expected_version: int | None) -> None:
    if expected_version is not None and row.row_version != expected_version:
        raise StaleScore("stale", row.indicator_code)
    row.verified_value = rating.verified_value
    row.status = rating.status or None
    row.comment = rating.comment.strip() or None


def _insert_once(row) -> None:
    """Add a new score row; a concurrent first save of the same row is a stale save."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError as exc:
        raise StaleScore("stale", row.indicator_code) from exc


def _save_rating_row(model, criteria: dict, rating: RatingInput, expected_version, **extra):
    """Create or update the one rating row `criteria` name, guarded by its version."""
    row = db.session.scalar(select(model).filter_by(**criteria))
    if row is None and expected_version is not None:
        raise StaleScore("stale", criteria["indicator_code"])
    is_new = row is None
    row = row or model(**criteria)
    _save_rating(row, rating, None if is_new else expected_version)
    for name, value in extra.items():
        setattr(row, name, value)
    if is_new:
        _insert_once(row)
    db.session.flush()
    return row


def record_score(
    application: Application,
    framework: Framework,
    assessor: User,
    code: str,
    rating: RatingInput,
    expected_version: int | None = None,
) -> IndicatorScore:
    """Save the assessor's own rating of one indicator.

    `expected_version` is the row version the page showed (None for a first save); a
    mismatch, or a racing first save, raises StaleScore instead of overwriting. Raises
    NotAllowed for anyone but an accepted assessor, ReviewError for a bad rating or
    state.
    """
    _require_actor(application, assessor, Actor.ASSESSOR)
    _require_state(application, *SCORING_STATES)
    _check_rating(framework, code, rating)
    criteria = {"application_id": application.id, "assessor_id": assessor.id}
    row = _save_rating_row(
        IndicatorScore, {**criteria, "indicator_code": code}, rating, expected_version
    )
    _audit(application, "indicator_scored", assessor, indicator=code, status=row.status)
    return row


def record_consolidated_score(
    application: Application,
    framework: Framework,
    lead: User,
    code: str,
    rating: RatingInput,
    expected_version: int | None = None,
) -> ConsolidatedScore:
    """The lead assessor's consolidated rating for one indicator (two-assessor levels);
    the same version guard as record_score."""
    _require_actor(application, lead, Actor.LEAD_ASSESSOR)
    _require_state(application, *SCORING_STATES)
    if not needs_consolidation(application, framework):
        raise ReviewError("single_assessor")
    _check_rating(framework, code, rating)
    criteria = {"application_id": application.id, "indicator_code": code}
    row = _save_rating_row(
        ConsolidatedScore, criteria, rating, expected_version, recorded_by_id=lead.id
    )
    _audit(application, "indicator_consolidated", lead, indicator=code, status=row.status)
    return row


class NothingToConfirm(ReviewError):
    """The assessor confirmed the applicant's value where the applicant gave none."""


def rating_to_save(
    saved: IndicatorScore | None, typed: RatingInput, confirm: bool, applicant_value
) -> RatingInput | None:
    """What one indicator's entries on an area page ask to save, or None for nothing.

    Confirming takes the applicant's value as the verified one, unless a value was typed;
    an indicator left as it was (no row and nothing typed, or the saved row unchanged) is
    not saved again, so that saving an area touches only what the assessor changed."""
    if confirm and typed.verified_value is None:
        if applicant_value is None:
            raise NothingToConfirm("nothing_to_confirm")
        typed = RatingInput(applicant_value, typed.status, typed.comment)
    if saved is None:
        is_empty = typed.verified_value is None and not typed.status and not typed.comment.strip()
        return None if is_empty and not confirm else typed
    unchanged = (
        saved.verified_value == typed.verified_value
        and (saved.status or None) == (typed.status or None)
        and (saved.comment or "") == typed.comment.strip()
    )
    return None if unchanged else typed


def needs_consolidation(application: Application, framework: Framework) -> bool:
    return framework.level(application.level).assessors.count > 1


def scores_by_assessor(application: Application) -> dict[int, dict[str, IndicatorScore]]:
    rows = db.session.scalars(
        select(IndicatorScore).where(IndicatorScore.application_id == application.id)
    )
    by_assessor: dict[int, dict[str, IndicatorScore]] = {
        a.assessor_id: {} for a in application.accepted_assignments
    }
    for row in rows:
        by_assessor.setdefault(row.assessor_id, {})[row.indicator_code] = row
    return by_assessor


def consolidated_scores(application: Application) -> dict[str, ConsolidatedScore]:
    rows = db.session.scalars(
        select(ConsolidatedScore).where(ConsolidatedScore.application_id == application.id)
    )
    return {row.indicator_code: row for row in rows}


def final_ratings(application: Application, framework: Framework) -> dict[str, Rating]:
    """The ratings the recommendation and decision rest on: where the level has two
    assessors, the lead's consolidated ones over the ratings both gave alike; else the
    (single) lead assessor's own."""
    if needs_consolidation(application, framework):
        consolidated = consolidated_scores(application)
        own = {code: row.as_rating() for code, row in consolidated.items()}
        return {**agreed_ratings(application, framework), **own}
    lead = application.lead_assignment
    if lead is None:
        return {}
    own = scores_by_assessor(application).get(lead.assessor_id, {})
    return {code: row.as_rating() for code, row in own.items()}


def assessed_result(
    application: Application,
    framework: Framework,
    ratings: dict[str, Rating] | None = None,
    as_of: date | None = None,
) -> ScoreResult:
    """Score the answers with assessor ratings (the final ones unless given), counted to
    `as_of` (by default the application's assessment date, else today)."""
    return score_application(
        framework,
        application.answer_values(),
        ratings=final_ratings(application, framework) if ratings is None else ratings,
        not_applicable=application.not_applicable_claims(),
        context=scoring_context(application),
        as_of=as_of or assessment_date_of(application),
    )


def results_by_assessor(application: Application, framework: Framework) -> dict[int, ScoreResult]:
    return {
        assessor_id: assessed_result(
            application, framework, {code: row.as_rating() for code, row in rows.items()}
        )
        for assessor_id, rows in scores_by_assessor(application).items()
    }


def comparisons(application: Application, framework: Framework) -> list[Comparison]:
    return compare(results_by_assessor(application, framework))


def agreed_ratings(application: Application, framework: Framework) -> dict[str, Rating]:
    """The indicators every assessor rated identically (same value, same verdict, same
    points): they stand as consolidated without the lead copying them, so that only the
    disagreements ask for the lead's judgement. A missing row counts as "as the
    applicant's answer says", exactly as for a single assessor."""
    by_assessor = scores_by_assessor(application)
    agreed = {}
    for comparison in comparisons(application, framework):
        if not comparison.is_complete or comparison.disagrees or comparison.points_differ:
            continue
        rows = [by_assessor[assessor].get(comparison.code) for assessor in comparison.results]
        if len({(r.verified_value, r.status) if r else (None, None) for r in rows}) != 1:
            continue  # the same verdict reached from different values: the lead decides
        ratings = [row.as_rating() for row in rows if row is not None]
        comment = "\n".join(r.comment for r in ratings if r.comment)
        first = ratings[0] if ratings else Rating()
        agreed[comparison.code] = Rating(first.verified_value, first.status, comment)
    return agreed


# --- questions to the applicant ---------------------------------------------------------


def raise_question(
    application: Application,
    framework: Framework,
    assessor: User,
    code: str,
    text: str,
    today: date,
) -> InformationRequest:
    """Ask the applicant about one indicator; re-opens only the answers behind it.

    From "in assessment" this moves the application to "more information requested" with
    a deadline in working days; while a round is open the question joins it (same
    deadline). Raises NotAllowed, TransitionError or ReviewError.
    """
    _require_actor(application, assessor, Actor.ASSESSOR)
    _require_state(application, *SCORING_STATES)
    if not text.strip():
        raise ReviewError("question_required")
    questions = framework.questions_behind(code)
    open_round = application.open_requests
    if open_round:
        due_on = open_round[0].due_on
    else:
        due_on = deadlines.add_working_days(
            today, current_app.config["INFORMATION_DEADLINE_WORKING_DAYS"]
        )
    request = InformationRequest(
        indicator_code=code,
        question_ids=questions,
        text=text.strip(),
        asked_by_id=assessor.id,
        due_on=due_on,
    )
    application.information_requests.append(request)
    reopened = set(application.reopened_questions or []) | set(questions)
    application.reopened_questions = sorted(reopened)
    if application.status == State.IN_ASSESSMENT:
        apply_transition(application, Action.REQUEST_INFORMATION, assessor, text)
    else:
        db.session.flush()
        _audit(application, "question_added", assessor, comment=text.strip(), indicator=code)
    _mail(
        managers_of(application.organisation),
        "information_requested",
        application=application,
        request=request,
        indicator=framework.indicator(code),
        link=_link("assessments.detail", app_id=application.id),
    )
    return request


def answer_information(application: Application, actor: User, replies: dict[int, str]) -> None:
    """The applicant sends the re-opened answers back, with a reply to each question.

    Freezes the answers again and returns the application to the assessors.
    """
    apply_transition(application, Action.ANSWER_INFORMATION, actor)
    now = utcnow()
    for request in application.open_requests:
        request.reply = (replies.get(request.id) or "").strip() or None
        request.replied_at, request.replied_by_id = now, actor.id
    db.session.flush()
    _mail(
        [a.assessor for a in application.accepted_assignments],
        "information_provided",
        application=application,
        link=_link("review.workspace", app_id=application.id),
    )


# --- recommendation ---------------------------------------------------------------------


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
    _require_actor(application, lead, Actor.LEAD_ASSESSOR)
    _require_state(application, *SCORING_STATES)
    for area in application.improvement_areas:
        if area.id in checks:
            area.is_validated, note = checks[area.id]
            area.validation_note = note.strip() or None
    db.session.flush()
    _audit(
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
    _require_actor(application, lead, Actor.LEAD_ASSESSOR)
    _require_state(application, *SCORING_STATES)
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
    _audit(application, "recommendation_saved", lead, level=level)
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
    _require_actor(application, lead, Actor.LEAD_ASSESSOR)
    problems = completion_problems(application, framework)
    if problems:
        raise ReviewError(problems[0], ", ".join(problems))
    apply_transition(application, Action.COMPLETE_ASSESSMENT, lead)
    _mail(
        deciders_for(application),
        "assessment_completed",
        application=application,
        link=_link("secretariat.decision", app_id=application.id),
    )
