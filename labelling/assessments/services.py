"""Application services: start an application pinned to a framework, move it through the
lifecycle table, and check eligibility from the organisation's profile."""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from labelling.accounts.models import User
from labelling.assessments.models import Application, Kind
from labelling.assessments.workflow import Action, State, check_transition
from labelling.core.audit import record_event
from labelling.criteria.framework import Framework
from labelling.criteria.scoring import EligibilityResult, compute_values, evaluate_eligibility
from labelling.extensions import db
from labelling.organisations.models import Organisation


def registry():
    return current_app.extensions["criteria"]


def current_framework() -> Framework:
    return registry().get(current_app.config["CRITERIA_DEFAULT_FRAMEWORK"])


def framework_of(application: Application) -> Framework:
    """The exact framework version the application was pinned to when it started."""
    return registry().get(application.framework_id, application.framework_version)


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


def start_application(
    organisation: Organisation, level: str, kind: str, actor: User, framework: Framework
) -> Application:
    """Create a draft application for `level`, pinned to `framework` (id, version, digest)."""
    framework.level(level)  # StopIteration for a level the framework does not define
    application = Application(
        organisation=organisation,
        level=level,
        kind=Kind(kind).value,
        framework_id=framework.id,
        framework_version=framework.version,
        framework_digest=framework.digest,
        state=State.DRAFT,
        created_by_id=actor.id,
    )
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
    return target
