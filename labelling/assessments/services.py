"""Application services: start an application pinned to a framework, move it through the
lifecycle table, and check eligibility from the organisation's profile."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from labelling.accounts.models import User
from labelling.assessments import evidence, questionnaire
from labelling.assessments.models import (
    Answer,
    Application,
    Evidence,
    ImprovementArea,
    Kind,
    NotApplicableClaim,
)
from labelling.assessments.signals import application_transitioned
from labelling.assessments.workflow import FINAL_STATES, Action, State, check_transition
from labelling.bodies.services import route
from labelling.core.audit import record_event
from labelling.core.hooks import Registry
from labelling.core.languages import page_locale
from labelling.criteria.framework import Framework, Section
from labelling.criteria.scoring import (
    EarlierLabel,
    EligibilityResult,
    ScoreResult,
    ScoringContext,
    compute_values,
    evaluate_eligibility,
    previous_label_met,
    score_application,
)
from labelling.criteria.translations import localised
from labelling.db import utcnow
from labelling.extensions import db
from labelling.frameworks.services import level_name, loaded
from labelling.organisations.models import Organisation


def framework_of(application: Application) -> Framework:
    """The exact framework version the application was pinned to when it started, as its
    level asks it (questions for other levels left out)."""
    pinned = loaded().get(application.framework_id, application.framework_version)
    return localised(pinned, page_locale()).for_level(application.level)


def prefill_answers(framework: Framework, organisation: Organisation) -> dict:
    """Starting answers taken from the organisation's profile, as the framework maps them."""
    return {
        q.id: getattr(organisation, q.prefill_from)
        for q in framework.questions
        if q.prefill_from is not None
    }


def eligibility_for(
    organisation: Organisation, framework: Framework, as_of: date | None = None
) -> tuple[EligibilityResult, ...]:
    as_of = as_of or date.today()
    values = compute_values(framework, prefill_answers(framework, organisation), as_of)
    return evaluate_eligibility(framework, values, as_of)


def applications_of(organisation_ids: list[int]) -> list[Application]:
    if not organisation_ids:
        return []
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.organisation_id.in_(organisation_ids))
            .order_by(Application.created_at.desc(), Application.id.desc())
        )
    )


def previous_submitted_application(organisation: Organisation) -> Application | None:
    return db.session.scalars(
        select(Application)
        .where(
            Application.organisation_id == organisation.id,
            Application.submitted_at.is_not(None),
        )
        .order_by(Application.submitted_at.desc())
    ).first()


def carry_over_answers(organisation: Organisation, framework: Framework, kind: str) -> dict:
    """For a renewal: the previous submitted application's answers this framework still asks."""
    if kind != Kind.RENEWAL:
        return {}
    previous = previous_submitted_application(organisation)
    if previous is None:
        return {}
    asked = {q.id for q in framework.questions}
    return {qid: value for qid, value in previous.answer_values().items() if qid in asked}


def _json_value(value):
    return float(value) if isinstance(value, Decimal) else value


class AlreadyStarted(Exception):
    """The organisation already has a draft for this level: `draft`."""

    def __init__(self, draft: Application):
        super().__init__(draft.id)
        self.draft = draft


def open_draft(organisation: Organisation, level: str) -> Application | None:
    return db.session.scalar(
        select(Application).where(
            Application.organisation_id == organisation.id,
            Application.level == level,
            Application.state == State.DRAFT,
        )
    )


class AlreadyInProgress(Exception):
    """The organisation's application for this level is submitted and not yet decided:
    `application`. A second one for the same level would be assessed beside it."""

    def __init__(self, application: Application):
        super().__init__(application.id)
        self.application = application

    def message(self) -> str:
        return _(
            "An application for %(level)s is already in progress (%(state)s). You can apply "
            "for this level again once it is decided.",
            level=level_name(self.application.level),
            state=self.application.status.label,
        )


def applications_in_progress(organisation: Organisation) -> list[Application]:
    """Submitted and not yet decided (nor withdrawn), oldest first."""
    return list(
        db.session.scalars(
            select(Application)
            .where(
                Application.organisation_id == organisation.id,
                Application.state.not_in([State.DRAFT, *FINAL_STATES]),
            )
            .order_by(Application.id)
        )
    )


def start_application(
    organisation: Organisation, level: str, kind: str, actor: User, framework: Framework
) -> Application:
    """Create a draft application for `level`, pinned to `framework` (id, version, digest).
    Raises AlreadyStarted when the organisation has a draft for that level (a double
    click), AlreadyInProgress when one for that level is submitted and not yet decided;
    two simultaneous starts meet the database's one-draft rule (IntegrityError)."""
    framework.level(level)  # StopIteration for a level the framework does not define
    existing = open_draft(organisation, level)
    if existing is not None:
        raise AlreadyStarted(existing)
    for application in applications_in_progress(organisation):
        if application.level == level:  # issue 28: started beside it, without a word
            raise AlreadyInProgress(application)
    body = route(organisation.country_code, level)
    application = Application(
        organisation=organisation,
        level=level,
        body_id=body.id if body is not None else None,
        kind=Kind(kind).value,
        framework_id=framework.id,
        framework_version=framework.version,
        framework_digest=framework.digest,
        state=State.DRAFT,
        created_by_id=actor.id,
    )
    starting = {
        question_id: (value, True)
        for question_id, value in carry_over_answers(organisation, framework, kind).items()
    }
    # The profile is newer than any earlier application: its values win and need no check.
    starting |= {
        question_id: (_json_value(value), False)
        for question_id, value in prefill_answers(framework, organisation).items()
    }
    application.answers = [
        Answer(question_id=qid, value=value, is_carried_over=carried, updated_by_id=actor.id)
        for qid, (value, carried) in starting.items()
    ]
    db.session.add(application)
    db.session.flush()
    record_event(
        "application.created",
        "application",
        application.id,
        actor=actor,
        to_state=State.DRAFT,
        data={"level": level, "kind": application.kind, "framework": framework.key},
    )
    return application


def save_section(
    application: Application,
    framework: Framework,
    section: Section,
    form,
    actor: User,
    submitted: set[str],
) -> bool:
    """Save every valid answer of one questionnaire page; True when the page had no errors.

    The caller has validated the form; answers that failed a check stay unsaved (the page
    shows them again with their errors) while the others are kept. Only questions the
    request carried (`submitted`) are touched, so a partial post never blanks other answers.
    """
    asked = [q for q in questionnaire.asked_questions(section) if q.id in submitted]
    posted = {
        q.id: questionnaire.to_storage(q, form[q.id].data) for q in asked if not form[q.id].errors
    }
    values = compute_values(framework, {**application.answer_values(), **posted}, date.today())
    questionnaire.check_limits(framework, form, section, values)
    existing = {answer.question_id: answer for answer in application.answers}
    saved = 0
    for question in asked:
        if form[question.id].errors:
            continue
        value = posted[question.id]
        answer = existing.get(question.id)
        if answer is None:
            application.answers.append(
                Answer(question_id=question.id, value=value, updated_by_id=actor.id)
            )
        elif answer.value != value or answer.is_carried_over:
            # Saving the page confirms a carried-over answer, changed or not.
            answer.value, answer.updated_by_id = value, actor.id
            answer.is_carried_over = False
        else:
            continue
        saved += 1
    db.session.flush()
    if saved:
        record_event(
            "application.answers_saved",
            "application",
            application.id,
            actor=actor,
            data={"section": section.id, "changed": saved},
        )
    return not any(form[q.id].errors for q in asked)


def add_evidence(
    application: Application,
    framework: Framework,
    question_id: str,
    actor: User,
    *,
    content: bytes | None = None,
    filename: str = "",
    url: str | None = None,
    description: str = "",
) -> Evidence:
    """Attach a checked file (or a link) to an answer. Raises evidence.EvidenceRejected.

    The file is written before the row; if the transaction later fails, an orphan file is
    left behind, never a row without its file.
    """
    framework.question(question_id)  # StopIteration for a question the framework lacks
    item = Evidence(
        question_id=question_id,
        description=description.strip() or None,
        uploaded_by_id=actor.id,
    )
    if url:
        item.url = url.strip()
    else:
        stored = evidence.store(content or b"", filename)
        item.stored_name, item.filename = stored.stored_name, stored.filename
        item.content_type, item.size, item.sha256 = (
            stored.content_type,
            stored.size,
            stored.sha256,
        )
    application.evidence.append(item)
    db.session.flush()
    record_event(
        "application.evidence_added",
        "application",
        application.id,
        actor=actor,
        data={"question": question_id, "evidence": item.id, "name": item.filename or item.url},
    )
    return item


def remove_evidence(application: Application, item: Evidence, actor: User) -> None:
    application.evidence.remove(item)
    db.session.flush()
    record_event(
        "application.evidence_removed",
        "application",
        application.id,
        actor=actor,
        data={"question": item.question_id, "name": item.filename or item.url},
    )
    if item.stored_name:
        evidence.discard(item.stored_name)


def score_of(application: Application, framework: Framework):
    """The engine's result for the application's self-assessed answers and claims."""
    return score_application(
        framework,
        application.answer_values(),
        not_applicable=application.not_applicable_claims(),
        context=scoring_context(application),
        as_of=assessment_date_of(application),
    )


# name -> `labels(organisation_id)`: the organisation's labels, for the previous-label rule.
# Certificates registers the platform's own: labels build on assessments, not the reverse.
LABEL_SOURCES: Registry[Callable[[int], Iterable]] = Registry("labels held before")


def earlier_labels(organisation_id: int, but_not_of: int | None = None) -> tuple:
    """The organisation's labels in good standing (not suspended or revoked; expired ones
    count by their age), except the one the application `but_not_of` gave: what a
    previous-label rule checks."""
    return in_good_standing(
        (label for labels_of in LABEL_SOURCES for label in labels_of(organisation_id)),
        but_not_of,
    )


def in_good_standing(labels: Iterable, but_not_of: int | None = None) -> tuple:
    """Of `labels`, those a previous-label rule counts (see earlier_labels)."""
    return tuple(
        EarlierLabel(label.level, label.assessment_date)
        for label in labels
        if label.status == "active" and label.application_id != but_not_of
    )


def assessment_date_of(application: Application) -> date:
    """The date the level rules count to: the assessment's once the assessors or the
    decision recorded it, else today (the earliest it can be)."""
    if application.assessment_date is not None:
        return application.assessment_date
    recommendation = application.recommendation
    if recommendation is not None and recommendation.assessment_date is not None:
        return recommendation.assessment_date
    return date.today()


def scoring_context(application: Application, labels: Iterable | None = None) -> ScoringContext:
    """What the level rules need beyond the answers; `labels`, the organisation's labels
    when they were read beforehand (for many applications at once)."""
    validated = sum(1 for area in application.improvement_areas if area.is_validated)
    earlier = (
        earlier_labels(application.organisation_id, application.id)
        if labels is None
        else in_good_standing(labels, application.id)
    )
    return ScoringContext(improvement_areas_validated=validated, earlier_labels=earlier)


def previous_label_standing(
    organisation_id: int, framework: Framework, level_id: str, as_of: date | None = None
) -> bool | None:
    """Whether the organisation's labels meet the level's previous-label rule on `as_of`
    (today by default): None when the level has none. What the start page says."""
    rule = framework.level(level_id).rules.previous_label
    if rule is None:
        return None
    ranks = {level.id: level.rank for level in framework.levels}
    return previous_label_met(rule, earlier_labels(organisation_id), ranks, as_of or date.today())


def save_not_applicable(
    application: Application, framework: Framework, claims: dict[str, str], actor: User
) -> None:
    """Replace the application's claims by `claims` (code -> justification).

    Only indicators the framework lets managers declare not applicable may be claimed, and
    each claim needs a justification (the form checks both; this guards the service).
    """
    allowed = {i.code for i in framework.indicators if i.allows_not_applicable}
    if not set(claims) <= allowed or any(not why.strip() for why in claims.values()):
        raise ValueError("not-applicable claims must be allowed and justified")
    existing = {claim.indicator_code: claim for claim in application.not_applicable}
    before = {code: claim.justification for code, claim in existing.items()}
    for code, claim in existing.items():
        if code not in claims:
            application.not_applicable.remove(claim)
    for code, why in claims.items():
        if code in existing:
            existing[code].justification = why.strip()
        else:
            application.not_applicable.append(
                NotApplicableClaim(indicator_code=code, justification=why.strip())
            )
    db.session.flush()
    if before == {code: why.strip() for code, why in claims.items()}:
        return  # nothing marked or changed: nothing for the history (issue 28)
    record_event(
        "application.not_applicable_saved",
        "application",
        application.id,
        actor=actor,
        data={"indicators": sorted(claims)},
    )


def save_improvement_areas(
    application: Application, framework: Framework, areas: list[dict], actor: User
) -> None:
    """Replace the documented improvement areas (dicts: title, indicator_codes, improvement,
    effect) in the order given. Raises ValueError for an unknown indicator or too many."""
    allowed = framework.level(application.level).rules.improvement_areas
    codes = {i.code for i in framework.indicators}
    if len(areas) > allowed or any(not set(a["indicator_codes"]) <= codes for a in areas):
        raise ValueError("improvement areas must be at most the level's number, on indicators")
    application.improvement_areas.clear()
    db.session.flush()  # the unique position must be free before the new rows arrive
    for position, area in enumerate(areas, start=1):
        application.improvement_areas.append(ImprovementArea(position=position, **area))
    db.session.flush()
    record_event(
        "application.improvement_areas_saved",
        "application",
        application.id,
        actor=actor,
        data={"count": len(areas)},
    )


def answers_fingerprint(application: Application) -> str:
    """SHA-256 of the answers in a canonical JSON form: proves later what was submitted."""
    submitted = {
        "answers": application.answer_values(),
        "not_applicable": application.not_applicable_claims(),
        "improvement_areas": [
            [a.title, a.indicator_codes, a.improvement, a.effect]
            for a in application.improvement_areas
        ],
    }
    canonical = json.dumps(submitted, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def submission_blockers(
    application: Application, framework: Framework, result: ScoreResult | None = None
) -> list[str]:
    """Reason codes that stop submission now: the same engine that scores the answers
    (`result`: its score, when the caller has it already)."""
    result = result or score_of(application, framework)
    reasons = []
    if not result.is_eligible:
        reasons.append("eligibility")
    if not result.is_questionnaire_complete:
        reasons.append("questionnaire_incomplete")
    required_areas = framework.level(application.level).rules.improvement_areas
    if len(application.improvement_areas) < required_areas:
        reasons.append("improvement_areas_documented")
    if "previous_label" in result.verdict(application.level).reasons:
        reasons.append("previous_label")
    return reasons


class SubmissionBlocked(Exception):
    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__(", ".join(reasons))


def submit_application(
    application: Application, framework: Framework, actor: User, full_name: str, role: str
) -> None:
    """Submit with the manager's declaration; freezes the answers.

    Raises SubmissionBlocked (ineligible or incomplete), TransitionError (wrong person or
    not a draft any more) or, for a concurrent double submission, StaleDataError.
    """
    blockers = submission_blockers(application, framework)
    if blockers:
        raise SubmissionBlocked(blockers)
    application.submitted_at = utcnow()
    application.attested_by_id = actor.id
    application.attested_name = full_name.strip()
    application.attested_role = role.strip()
    application.answers_sha256 = answers_fingerprint(application)
    apply_transition(application, Action.SUBMIT, actor)


def apply_transition(
    application: Application, action: Action, actor: User, comment: str = ""
) -> State:
    """Move the application by the lifecycle table and audit it.

    Raises workflow.TransitionError (403 for the wrong person, 409 for the wrong state or a
    missing reason). A concurrent change to the same row fails at flush with StaleDataError.
    """
    before = application.status
    target = check_transition(action, before, application.actors_for(actor), comment)
    application.state = target.value
    if action == Action.ANSWER_INFORMATION:
        application.reopened_questions = []  # the answers are frozen again
    db.session.flush()
    record_event(
        f"application.{action.value}",
        "application",
        application.id,
        actor=actor,
        from_state=before.value,
        to_state=target.value,
        comment=comment.strip() or None,
    )
    application_transitioned.send(application, action=action, from_state=before, to_state=target)
    return target


@dataclass(frozen=True)
class NextStep:
    text: str
    endpoint: str | None = None  # where the person acts, if they have something to do


def next_step(application: Application) -> NextStep:
    """What the applicant has to do now, or what they are waiting for."""
    state = application.status
    if state == State.DRAFT:
        framework = framework_of(application)
        progress = questionnaire.overall_progress(framework, application.answer_values())
        if not progress.is_complete:
            return NextStep(
                _(
                    "Complete the questionnaire: %(done)s of %(total)s answered.",
                    done=progress.answered,
                    total=progress.required,
                ),
                "assessments.questionnaire_section",
            )
        if submission_blockers(application, framework):
            return NextStep(_("Check what still blocks the submission."), "assessments.submit")
        return NextStep(_("Submit the application."), "assessments.submit")
    waiting = {
        State.SUBMITTED: _("Waiting for the secretariat's eligibility screening."),
        State.SCREENING: _("The secretariat is screening the application."),
        State.IN_ASSESSMENT: _("The assessors are at work."),
        State.ASSESSED: _("Waiting for the labelling body's decision."),
    }
    if state == State.MORE_INFORMATION:
        return NextStep(_("Answer the assessor's questions."), "assessments.detail")
    # A decided or withdrawn application has no next step: its badge says it all (the
    # state's name again beside it read "Awarded Awarded", issue 28).
    return NextStep(waiting.get(state, ""))
