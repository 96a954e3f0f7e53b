"""Who may take which assessment step in which state, through the pages (role x state x action).

Every case starts from the same fixture: a Gold application with an accepted team of two
(the lead and a co-assessor), every indicator consolidated, a Gold recommendation, and
eligibility confirmed; only the state differs. A person who may never take the step gets
403 whatever the state (the state is not revealed); the right person in the wrong state
gets 409; anonymous visitors are sent to sign in.
"""

from __future__ import annotations

import itertools

import pytest

from labelling.assessments.models import (
    Application,
)
from labelling.assessments.workflow import State
from labelling.extensions import db
from tests.factories import application_with_team as build_case
from tests.factories import sign_in, with_mini_framework

PEOPLE = (
    "anonymous",
    "outsider",
    "applicant",
    "other_assessor",
    "assessor",
    "lead",
    "secretariat",
    "secretariat_assessor",
)

# action -> (how to post it, who may, in which states, the state it leads to)
ACTIONS = {
    "start_screening": (
        lambda a: (f"/secretariat/applications/{a}/start-screening", {}),
        {"secretariat"},
        {State.SUBMITTED},
    ),
    "confirm_eligibility": (
        lambda a: (f"/secretariat/applications/{a}/confirm-eligibility", {}),
        {"secretariat"},
        {State.SCREENING},
    ),
    "start_assessment": (
        lambda a: (f"/secretariat/applications/{a}/start-assessment", {}),
        {"secretariat"},
        {State.SCREENING},
    ),
    "score": (
        lambda a: (f"/applications/{a}/review/2.1", {"verified_value": "10"}),
        {"assessor", "lead"},
        {State.IN_ASSESSMENT, State.MORE_INFORMATION},
    ),
    "ask": (
        lambda a: (f"/applications/{a}/review/2.1/question", {"q-question": "Why?"}),
        {"assessor", "lead"},
        {State.IN_ASSESSMENT, State.MORE_INFORMATION},
    ),
    "recommend": (
        lambda a: (
            f"/applications/{a}/recommendation",
            {
                "level": "gold",
                "assessment_date": "2026-01-05",
                "strengths": "s",
                "improvements": "i",
            },
        ),
        {"lead"},
        {State.IN_ASSESSMENT, State.MORE_INFORMATION},
    ),
    "complete": (
        lambda a: (f"/applications/{a}/complete", {}),
        {"lead"},
        {State.IN_ASSESSMENT},
    ),
    "award": (
        lambda a: (
            f"/secretariat/applications/{a}/decision",
            {
                "decision": "award",
                "award-level": "gold",
                "award-assessment_date": "2026-01-05",
                "confirmed": "yes",
            },
        ),
        {"secretariat"},
        {State.ASSESSED},
    ),
    "send_back": (
        lambda a: (
            f"/secretariat/applications/{a}/decision",
            {"decision": "send_back", "send_back-reason": "Check 1.2 again"},
        ),
        {"secretariat"},
        {State.ASSESSED},
    ),
    "refuse": (
        lambda a: (
            f"/secretariat/applications/{a}/decision",
            {"decision": "refuse", "refuse-reason": "Not convincing", "confirmed": "yes"},
        ),
        {"secretariat"},
        {State.ASSESSED},
    ),
}


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def expected_status(action: str, state: State, person: str) -> int:
    _post, allowed_people, allowed_states = ACTIONS[action]
    if person == "anonymous":
        return 302
    if person not in allowed_people:
        return 403
    return 303 if state in allowed_states else 409


CASES = list(itertools.product(ACTIONS, list(State)))


@pytest.mark.parametrize(("action", "state"), CASES)
def test_role_state_action_table(app, client, action, state):
    """Each person in turn; the fixture is rebuilt only after a step went through (a
    refused step must change nothing, which the test checks)."""
    application, people = build_case(state)
    for person in PEOPLE:
        client.post("/logout")
        if person != "anonymous":
            sign_in(client, people[person].email)
        url, data = ACTIONS[action][0](application.id)
        response = client.post(url, data=data)
        expected = expected_status(action, state, person)
        assert response.status_code == expected, (person, response.text[:400])
        db.session.expire_all()
        after = db.session.get(Application, application.id)
        if response.status_code == 303:
            _reset(app)
            application, people = build_case(state)
        else:
            assert after.status == state  # a refused step changes nothing


def _reset(app) -> None:
    from tests.conftest import _empty_tables

    db.session.remove()
    _empty_tables()


def test_the_table_covers_every_state_action_and_person():
    assert len(CASES) * len(PEOPLE) == 10 * 9 * 8
