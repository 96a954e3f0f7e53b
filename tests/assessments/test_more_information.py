"""While more information is requested, only the re-opened answers are open to the manager."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select, update

from labelling.assessments.models import Application
from labelling.assessments.workflow import State
from labelling.core.audit import events_for
from labelling.extensions import db
from tests.factories import answer_mini_questionnaire, create_org, sign_in, with_mini_framework


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


@pytest.fixture
def questioned(client, manager):
    """A submitted application on which an assessor re-opened the `turnover` answer."""
    org = create_org(manager)
    sign_in(client, manager.email)
    client.post(
        f"/organisations/{org.id}/applications/new", data={"level": "bronze", "kind": "new"}
    )
    application = db.session.scalars(select(Application)).one()
    answer_mini_questionnaire(client, application)
    client.post(
        f"/applications/{application.id}/submit",
        data={"full_name": "M", "role": "Manager", "declaration": "y"},
    )
    # The assessor side (issue 4) moves it there; here we set the state it produces.
    db.session.execute(
        update(Application)
        .where(Application.id == application.id)
        .values(state=State.MORE_INFORMATION, reopened_questions=["turnover"])
    )
    db.session.commit()
    return application


def test_only_reopened_answers_can_change(client, questioned):
    base = f"/applications/{questioned.id}/questionnaire"
    page = client.get(f"{base}/s2").get_data(as_text=True)
    assert "only the re-opened answers can be changed" in page
    assert re.search(r'<input[^>]*disabled[^>]*id="strategy-0"', page)
    assert not re.search(r'<input[^>]*disabled[^>]*id="turnover"', page)
    response = client.post(f"{base}/s2", data={"turnover": "25", "strategy": "0"})
    assert response.status_code == 303
    db.session.expire_all()
    answers = db.session.get(Application, questioned.id).answer_values()
    assert answers["turnover"] == 25.0
    assert answers["strategy"] == 3  # not re-opened: the posted 0 was ignored
    # A section without re-opened answers stays closed.
    assert client.post(f"{base}/s1", data={"members": "1"}).status_code == 403


def test_evidence_only_for_reopened_answers(client, questioned):
    page = client.get(f"/applications/{questioned.id}/evidence").get_data(as_text=True)
    assert '<option value="turnover">' in page and '<option value="members">' not in page
    response = client.post(
        f"/applications/{questioned.id}/evidence",
        data={"question_id": "members", "document": (io.BytesIO(b"%PDF-1.4 x"), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422  # not a choice open to the manager


def test_sending_the_answers_back_freezes_them_again(client, questioned):
    response = client.post(
        f"/applications/{questioned.id}/answer_information",
        data={"comment": "Turnover corrected: one person left."},
    )
    assert response.status_code == 303
    db.session.refresh(questioned)
    assert questioned.state == State.IN_ASSESSMENT and questioned.reopened_questions == []
    event = events_for("application", questioned.id)[-1]
    assert (event.action, event.from_state, event.to_state) == (
        "application.answer_information",
        "more_information_requested",
        "in_assessment",
    )
    assert (
        client.post(
            f"/applications/{questioned.id}/questionnaire/s2", data={"turnover": "1"}
        ).status_code
        == 403
    )
