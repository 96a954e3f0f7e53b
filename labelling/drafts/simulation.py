"""Running the impact simulation of a draft as a background job, with its progress and its
result kept per draft digest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from labelling.accounts.models import User
from labelling.assessments import consolidation, services
from labelling.assessments.models import Answer, Application
from labelling.assessments.workflow import State
from labelling.certificates.models import Label
from labelling.core.audit import record_event
from labelling.criteria.framework import Framework
from labelling.db import utcnow
from labelling.drafts.impact import Case, Change, Impact, simulate
from labelling.drafts.models import DraftImpact
from labelling.extensions import db
from labelling.frameworks.services import loaded
from labelling.jobs.queue import enqueue_after_commit

DECIDED = (State.AWARDED.value, State.REFUSED.value)
BATCH = 500  # applications read at once, and progress written every so many


class NotADraft(Exception):
    pass


def drafts() -> list[Framework]:
    return [framework for framework in loaded() if framework.status == "draft"]


def draft_and_base(framework_id: str, version: str) -> tuple[Framework, Framework]:
    """The draft and the version in force it would replace; NotADraft otherwise."""
    try:
        draft = loaded().get(framework_id, version)
        base = loaded().get(framework_id)
    except KeyError as exc:
        raise NotADraft(version) from exc
    if draft.status != "draft":
        raise NotADraft(version)
    return draft, base


def kept(draft: Framework) -> DraftImpact | None:
    """The simulation of this very file (its digest), if one was started."""
    return db.session.scalar(
        select(DraftImpact)
        .where(
            DraftImpact.framework_id == draft.id,
            DraftImpact.draft_version == draft.version,
            DraftImpact.draft_digest == draft.digest,
        )
        .order_by(DraftImpact.id.desc())
    )


def _decided(base: Framework):
    return select(Application).where(
        Application.framework_id == base.id,
        Application.framework_version == base.version,
        Application.state.in_(DECIDED),
    )


def may_start_again(impact: DraftImpact) -> bool:
    """A failed run, or one that has not finished long after a job would have been stopped
    (its job lost with Redis, say), may be started again."""
    if impact.state == "failed":
        return True
    limit = timedelta(seconds=2 * current_app.config["JOB_TIMEOUT_SECONDS"])
    return impact.state == "running" and utcnow() - impact.started_at > limit


def start(framework_id: str, version: str, actor: User) -> DraftImpact:
    """Have the draft simulated: once per digest, again only if that run failed or
    stalled (its record is reused)."""
    draft, base = draft_and_base(framework_id, version)
    impact = kept(draft)
    if impact is not None and not may_start_again(impact):
        return impact
    total = db.session.scalar(select(func.count()).select_from(_decided(base).subquery()))
    if impact is None:
        impact = DraftImpact(
            framework_id=draft.id, draft_version=draft.version, draft_digest=draft.digest
        )
        db.session.add(impact)
    impact.base_version = base.version
    impact.state, impact.done, impact.total = "running", 0, total or 0
    impact.started_at, impact.finished_at, impact.result = utcnow(), None, None
    impact.requested_by_id = actor.id
    db.session.flush()
    record_event(
        "draft.simulated", "draft_impact", impact.id, actor=actor, data={"version": version}
    )
    enqueue_after_commit("drafts.simulate", impact.id, key=f"draft-impact-{impact.id}")
    return impact


def _earlier_labels(organisation_ids: set[int]) -> dict[int, list[Label]]:
    """The labels of many organisations in one query (`services.earlier_labels` reads them
    one organisation at a time from the platform's register)."""
    found: dict[int, list[Label]] = {i: [] for i in organisation_ids}
    for label in db.session.scalars(
        select(Label).where(Label.organisation_id.in_(organisation_ids))
    ):
        found[label.organisation_id].append(label)
    return found


def _answers(application_ids: set[int]) -> dict[int, dict]:
    """The answers of many applications as plain values, one JSON object per application
    aggregated by the database (dozens of answers each: parsing one object is several
    times cheaper than parsing each answer)."""
    aggregate = (
        func.json_object_agg(Answer.question_id, Answer.value)
        if db.session.get_bind().dialect.name == "postgresql"
        else func.json_group_object(Answer.question_id, func.json(Answer.value))
    )
    found: dict[int, dict] = {i: {} for i in application_ids}
    rows = db.session.execute(
        select(Answer.application_id, aggregate)
        .where(Answer.application_id.in_(application_ids))
        .group_by(Answer.application_id)
    )
    for application_id, answers in rows:
        found[application_id] = json.loads(answers) if isinstance(answers, str) else answers
    return found


def _cases(base: Framework) -> Iterator[Case]:
    """Every decided application of the version in force, as it was scored: read a batch
    at a time, with its ratings and its organisations' labels in a few queries."""
    last = 0
    while True:
        batch = db.session.scalars(
            _decided(base)
            .where(Application.id > last)
            .order_by(Application.id)
            .limit(BATCH)
            .options(
                selectinload(Application.not_applicable),
                selectinload(Application.improvement_areas),
                selectinload(Application.organisation),
                selectinload(Application.assignments),
                selectinload(Application.recommendation),
            )
        ).all()
        if not batch:
            return
        answers = _answers({application.id for application in batch})
        ratings = consolidation.final_ratings_of_decided(batch, services.framework_of)
        labels = _earlier_labels({application.organisation_id for application in batch})
        for application in batch:
            organisation = application.organisation
            yield Case(
                application_id=application.id,
                organisation=organisation.display_name,
                country=organisation.country_code,
                area=organisation.technology_area,
                level=application.level,
                answers=answers[application.id],
                ratings=ratings[application.id],
                not_applicable=application.not_applicable_claims(),
                context=services.scoring_context(application, labels[application.organisation_id]),
                as_of=services.assessment_date_of(application),
            )
            last = application.id


def run(impact_id: int | str) -> None:
    """Task: simulate, writing progress as it goes (idempotent: a finished one stays)."""
    impact = db.session.get(DraftImpact, int(impact_id))
    if impact is None or impact.state == "done":
        return
    draft, base = draft_and_base(impact.framework_id, impact.draft_version)

    def progress(done: int) -> None:
        if done % BATCH == 0:
            impact.done = done
            db.session.commit()  # the page reads it while the job goes on

    try:
        result = simulate(base, draft, _cases(base), progress)
    except Exception:
        db.session.rollback()
        impact.state = "failed"
        db.session.commit()
        raise
    impact.done = result.cases
    impact.result = as_record(result)
    impact.state = "done"
    impact.finished_at = utcnow()


def as_record(impact: Impact) -> dict:
    return {
        "ranks": impact.ranks,
        "cases": impact.cases,
        "changes": [asdict(change) for change in impact.changes],
    }


def from_record(record: dict) -> Impact:
    changes = [
        Change(**{**item, "indicators": tuple(item["indicators"])}) for item in record["changes"]
    ]
    return Impact(ranks=record["ranks"], cases=record["cases"], changes=changes)
