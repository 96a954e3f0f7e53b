"""The lifecycle actions the pages offer, over every state and every kind of person."""

from __future__ import annotations

import itertools

import pytest

from labelling.accounts.models import Role
from labelling.assessments import services
from labelling.assessments.models import Answer, Application
from labelling.assessments.workflow import State
from labelling.extensions import db
from labelling.frameworks.services import current_framework
from tests.factories import (
    create_org,
    create_user,
    force_state,
    sign_in,
    with_mini_framework,
)

COMPLETE = {"members": 40, "committed": 20, "regional": 10, "turnover": 20, "strategy": 3}
PEOPLE = ("anonymous", "outsider", "assessor", "secretariat", "applicant")
EXPECTED_OK = {
    ("withdraw", State.DRAFT),
    ("withdraw", State.SUBMITTED),
    ("submit", State.DRAFT),
    ("answer_information", State.MORE_INFORMATION),
}
AFTER = {
    "submit": State.SUBMITTED,
    "withdraw": State.WITHDRAWN,
    "answer_information": State.IN_ASSESSMENT,
}


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def expected_status(action: str, state: State, person: str) -> int:
    if person == "anonymous":
        return 302  # sent to sign in
    if person != "applicant":
        return 403  # not allowed whatever the state: the state is not revealed
    return 303 if (action, state) in EXPECTED_OK else 409


@pytest.mark.parametrize(
    ("action", "state", "person"),
    list(itertools.product(("submit", "withdraw", "answer_information"), list(State), PEOPLE)),
)
def test_state_person_action_table(app, client, action, state, person):
    manager = create_user("applicant@example.org")
    org = create_org(manager)
    application = services.start_application(org, "bronze", "new", manager, current_framework())
    for question_id, value in COMPLETE.items():
        application.answers.append(Answer(question_id=question_id, value=value))
    db.session.commit()
    force_state(application, state)
    users = {
        "outsider": lambda: create_user("outsider@example.org"),
        "assessor": lambda: create_user("assessor@example.org", roles=(Role.ASSESSOR,)),
        "secretariat": lambda: create_user("sec@example.org", roles=(Role.SECRETARIAT,)),
        "applicant": lambda: manager,
    }
    if person != "anonymous":
        sign_in(client, users[person]().email)
    data = {"full_name": "A", "role": "B", "declaration": "y", "comment": "why", "confirmed": "yes"}
    response = client.post(f"/applications/{application.id}/{action}", data=data)
    assert response.status_code == expected_status(action, state, person)
    db.session.expire_all()
    after = db.session.get(Application, application.id).state
    if response.status_code == 303:
        assert after == AFTER[action]
    else:
        assert after == state  # a refused action changes nothing
