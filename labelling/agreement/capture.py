"""Keeping the pairs: when an application that two assessors scored is decided, each
one's outcome on every indicator (from their own ratings, as submitted) is written beside
the consolidated outcome. `rebuild` writes them for every decided application, for a
database that was filled before this existed."""

from __future__ import annotations

from sqlalchemy import delete, select

from labelling.agreement.models import AgreementSummary, AgreementVersion, PairedRating
from labelling.agreement.outcomes import metric_of, outcome_of
from labelling.agreement.summary import note_change
from labelling.assessments import consolidation, services
from labelling.assessments.models import Application
from labelling.assessments.workflow import State
from labelling.bodies.services import effective_body_id
from labelling.criteria.framework import Framework
from labelling.db import utcnow
from labelling.extensions import db

DECIDED = (State.AWARDED, State.REFUSED)


def _two_assessors(application: Application) -> tuple[int, int] | None:
    """The lead first, then the other accepted assessor; None unless there are two."""
    accepted = sorted(application.accepted_assignments, key=lambda a: (not a.is_lead, a.id))
    if len(accepted) < 2:
        return None
    return accepted[0].assessor_id, accepted[1].assessor_id


def record_pairs(application: Application, framework: Framework) -> int:
    """Write (again) the pairs of a decided application; how many indicators were kept."""
    removed = _delete_pairs(application)
    pair = (
        _two_assessors(application)
        if consolidation.needs_consolidation(application, framework)
        else None
    )
    if pair is None:
        if removed:
            note_change(application, -removed)
        return 0
    by_assessor = consolidation.results_by_assessor(application, framework)
    first, second = (by_assessor[assessor] for assessor in pair)
    final = consolidation.assessed_result(application, framework)
    decided_on = (application.decided_at or utcnow()).date()
    for indicator in framework.indicators:
        db.session.add(
            PairedRating(
                application_id=application.id,
                framework_id=application.framework_id,
                framework_version=application.framework_version,
                level=application.level,
                body_id=effective_body_id(application.body_id),
                decided_on=decided_on,
                indicator_code=indicator.code,
                metric=metric_of(indicator),
                first_assessor_id=pair[0],
                second_assessor_id=pair[1],
                first_value=outcome_of(indicator, first.indicator(indicator.code)),
                second_value=outcome_of(indicator, second.indicator(indicator.code)),
                consolidated_value=outcome_of(indicator, final.indicator(indicator.code)),
            )
        )
    db.session.flush()
    note_change(application, len(framework.indicators) - removed)
    return len(framework.indicators)


def _delete_pairs(application: Application) -> int:
    deleted = db.session.execute(
        delete(PairedRating).where(PairedRating.application_id == application.id)
    )
    return deleted.rowcount or 0


def follow_lifecycle(application: Application, *, from_state, to_state, **_extra) -> None:
    """Receiver of assessments.signals.application_transitioned: a decision keeps the
    pairs; a decision undone (an appeal re-opening the assessment) drops them."""
    if to_state in DECIDED:
        record_pairs(application, services.framework_of(application))
    elif from_state in DECIDED:
        removed = _delete_pairs(application)
        if removed:
            note_change(application, -removed)


def rebuild() -> int:
    """The pairs of every decided application; how many applications have pairs."""
    # Generations start again from nothing: no figure kept before may pass for fresh.
    for model in (PairedRating, AgreementVersion, AgreementSummary):
        db.session.execute(delete(model))
    found = 0
    decided = select(Application).where(Application.state.in_([s.value for s in DECIDED]))
    for application in db.session.scalars(decided):
        if record_pairs(application, services.framework_of(application)):
            found += 1
    return found
