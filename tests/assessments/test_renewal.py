"""A renewal starts from the previous submitted application's answers, clearly marked."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from labelling.assessments.models import Answer, Application
from labelling.extensions import db
from tests.factories import answer_mini_questionnaire, create_org, sign_in, with_mini_framework

NOTE = "Carried over from your previous application"


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def start(client, org, kind):
    client.post(f"/organisations/{org.id}/applications/new", data={"level": "bronze", "kind": kind})
    return db.session.scalars(select(Application).order_by(Application.id.desc())).first()


def test_renewal_carries_over_submitted_answers_until_confirmed(client, manager):
    org = create_org(manager)
    sign_in(client, manager.email)
    first = start(client, org, "new")
    answer_mini_questionnaire(client, first)
    assert (
        client.post(
            f"/applications/{first.id}/submit",
            data={"full_name": "M", "role": "Manager", "declaration": "y"},
        ).status_code
        == 303
    )
    # The first is closed (here withdrawn, without the withdrawal's own steps): another
    # application for a level still in progress is refused (issue 28).
    db.session.execute(
        update(Application).where(Application.id == first.id).values(state="withdrawn")
    )
    db.session.commit()

    renewal = start(client, org, "renewal")
    carried = {a.question_id: a for a in renewal.answers}
    assert carried["turnover"].value == 20.0 and carried["turnover"].is_carried_over
    assert carried["strategy"].value == 3
    page = client.get(f"/applications/{renewal.id}/questionnaire/s2").get_data(as_text=True)
    assert page.count(NOTE) == 2
    client.post(
        f"/applications/{renewal.id}/questionnaire/s2", data={"turnover": "20", "strategy": "4"}
    )
    db.session.expire_all()
    answers = db.session.scalars(
        select(Answer).where(
            Answer.application_id == renewal.id, Answer.question_id.in_(["turnover", "strategy"])
        )
    )
    assert {a.question_id: (a.value, a.is_carried_over) for a in answers} == {
        "turnover": (20.0, False),
        "strategy": (4, False),
    }
    assert NOTE not in client.get(f"/applications/{renewal.id}/questionnaire/s2").get_data(
        as_text=True
    )


def test_a_first_application_carries_nothing_over(client, manager):
    org = create_org(manager)
    sign_in(client, manager.email)
    first = start(client, org, "new")
    client.post(f"/applications/{first.id}/questionnaire/s2", data={"turnover": "20"})
    # Not submitted: a draft is not a basis for a renewal.
    renewal = start(client, org, "renewal")
    assert not any(a.is_carried_over for a in renewal.answers)
