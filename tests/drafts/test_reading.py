"""The simulation reads decided applications in bulk; what it reads must be what scoring an
application one at a time reads: the final ratings and the scoring context."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from labelling.assessments import consolidation, services
from labelling.assessments.models import Application, ConsolidatedScore, IndicatorScore
from labelling.assessments.workflow import State
from labelling.certificates.imports import import_label
from labelling.drafts.simulation import _cases
from labelling.extensions import db
from labelling.frameworks.services import current_framework
from tests.agreement.helpers import add_ratings
from tests.factories import (
    application_with_team,
    create_user,
    force_state,
    submitted_application,
    with_mini_framework,
)


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def test_bulk_reading_gives_what_one_at_a_time_gives(app):
    gold, people = application_with_team(State.ASSESSED)
    lead, co = people["lead"], people["assessor"]
    # Alike on 2.1 (a verdict: agreed, so the lead's consolidated row goes) and on 1.2 (a
    # missing row against an empty one); apart on 2.2 and alike on 1.1, both consolidated
    # (application_with_team): the consolidated ratings win.
    db.session.execute(
        delete(ConsolidatedScore).where(
            ConsolidatedScore.application_id == gold.id, ConsolidatedScore.indicator_code == "2.1"
        )
    )
    for person, values in (
        (lead, {"2.1": (None, "met"), "2.2": (2, None), "1.1": (55, None), "1.2": (None, None)}),
        (co, {"2.1": (None, "met"), "2.2": (4, None), "1.1": (55, None)}),
    ):
        add_ratings(IndicatorScore, gold.id, values, assessor_id=person.id)
    # An earlier label of the organisation counts; the application's own would not.
    import_label(
        gold.organisation, "silver", date.today() - timedelta(days=600), current_framework(),
        people["applicant"], "Test register",
    )  # fmt: skip
    bronze = submitted_application(create_user("other@example.org"), level="bronze")
    force_state(bronze, "refused", decider=people["secretariat"])
    force_state(gold, "awarded", decider=people["secretariat"])
    db.session.commit()

    read = {case.application_id: case for case in _cases(current_framework())}
    assert {gold.id, bronze.id} <= set(read)  # and the imported label's application
    for application in db.session.scalars(select(Application)):
        framework = services.framework_of(application)
        case = read[application.id]
        assert case.ratings == consolidation.final_ratings(application, framework)
        assert case.context == services.scoring_context(application)
        assert case.answers == application.answer_values()
    assert read[gold.id].context.earlier_labels  # the test could fail: there is one
    assert read[gold.id].ratings["2.1"].status == "met"
