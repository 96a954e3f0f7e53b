"""Labels awarded before this platform: the existing register, brought in by the secretariat.

Such a label still needs an application to hang from (one label per awarded application),
so the import records one that arrives decided: no answers, no scores, the decision
reason naming where the label came from. It is audited as an import, not as a decision,
and it never passes through the assessment states.
"""

from __future__ import annotations

from datetime import date

from labelling.assessments.models import Application, Kind
from labelling.assessments.workflow import State
from labelling.certificates.models import Label
from labelling.certificates.services import create_label_for, issue_certificate
from labelling.core.audit import record_event
from labelling.criteria.framework import Framework
from labelling.db import utcnow
from labelling.extensions import db
from labelling.organisations.models import Organisation


def import_label(
    organisation: Organisation,
    level: str,
    assessment_date: date,
    framework: Framework,
    actor,
    source: str,
    with_certificate: bool = True,
    valid_until: date | None = None,
) -> Label:
    """Record an earlier award and its label (and certificate); flushes, never commits.
    `valid_until`: the end the register states, where it is not the computed one."""
    framework.level(level)  # StopIteration for a level the framework does not define
    application = Application(
        organisation=organisation,
        level=level,
        kind=Kind.NEW.value,
        framework_id=framework.id,
        framework_version=framework.version,
        framework_digest=framework.digest,
        state=State.AWARDED.value,
        created_by_id=actor.id,
        decided_at=utcnow(),
        decided_by_id=actor.id,
        awarded_level=level,
        assessment_date=assessment_date,
        decision_reason=source,
    )
    db.session.add(application)
    db.session.flush()
    record_event(
        "application.imported",
        "application",
        application.id,
        actor=actor,
        to_state=State.AWARDED.value,
        comment=source,
        data={"level": level, "assessment_date": assessment_date.isoformat()},
    )
    label = create_label_for(application, framework, valid_until)
    if with_certificate:
        issue_certificate(label, framework, actor)
    return label
