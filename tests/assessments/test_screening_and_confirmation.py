"""The screening page offers only what the state allows, and what cannot be undone (award,
refusal, taking an assessor off) asks once more, naming the consequence, without JavaScript."""

from __future__ import annotations

import pytest

from labelling.assessments.models import AssignmentStatus
from labelling.assessments.workflow import State
from labelling.extensions import db
from tests.assessments.review_steps import accept, as_user, refreshed, screen_and_assign
from tests.factories import (
    application_with_team,
    sign_in,
    submitted_application,
    with_mini_framework,
)


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def screening_url(application) -> str:
    return f"/secretariat/applications/{application.id}"


def test_after_eligibility_the_return_form_goes_and_the_server_agrees(client, people):
    application = submitted_application(people["manager"])
    as_user(client, people["secretariat"])
    client.post(f"{screening_url(application)}/start-screening")
    assert "Return to the applicant" in client.get(screening_url(application)).text
    client.post(f"{screening_url(application)}/confirm-eligibility")
    page = client.get(screening_url(application)).text
    assert "Return to the applicant" not in page
    returned = client.post(
        f"{screening_url(application)}/return", data={"return-reason": "Too late."}
    )
    assert returned.status_code == 409
    assert refreshed(application).status == State.SCREENING


def test_a_complete_team_says_so_instead_of_an_error(client, people):
    application = submitted_application(people["manager"])
    screen_and_assign(client, people, application)
    page = client.get(screening_url(application)).text
    assert "Team complete." in page
    assert "No assessor can take this application now" not in page
    assert "Suggested assessors" not in page
    # No reason box per assessor: taking one off asks for it on the next step.
    assert "remove-reason" not in page and "The applicant or colleague sees it" not in page


def test_taking_an_assessor_off_asks_for_the_reason_on_a_confirmation_step(client, people):
    application = submitted_application(people["manager"])
    screen_and_assign(client, people, application)
    assignment = refreshed(application).assignment_of(people["omar"])
    url = f"/secretariat/assignments/{assignment.id}/remove"
    asked = client.post(url)
    assert asked.status_code == 200
    assert "Take Omar Other off the application?" in asked.text
    assert "ratings already given stay in the record" in asked.text
    assert 'name="remove-reason"' in asked.text and "Please give the reason" not in asked.text
    no_reason = client.post(url, data={"confirmed": "yes"})
    assert no_reason.status_code == 422 and "Please give the reason." in no_reason.text
    assert refreshed(application).assignment_of(people["omar"]).status == "proposed"
    done = client.post(url, data={"confirmed": "yes", "remove-reason": "No answer in a week."})
    assert done.status_code == 303
    assert refreshed(application).assignment_of(people["omar"]).status == AssignmentStatus.REMOVED


def test_award_and_refusal_ask_once_more_and_change_nothing_until_confirmed(client, app):
    application, people = application_with_team(State.ASSESSED)
    sign_in(client, people["secretariat"].email)
    url = f"/secretariat/applications/{application.id}/decision"
    award = {"decision": "award", "award-level": "gold", "award-assessment_date": "2026-01-05"}
    asked = client.post(url, data=award)
    assert asked.status_code == 200 and "Award the Gold label?" in asked.text
    assert "An award cannot be undone" in asked.text and "5 Jan 2026" in asked.text
    assert f'href="{url}"' in asked.text  # cancel goes back to the decision page
    refused = client.post(url, data={"decision": "refuse", "refuse-reason": "Weak evidence."})
    assert refused.status_code == 200 and "Refuse the label?" in refused.text
    assert refreshed(application).status == State.ASSESSED
    # A problem is shown at the field before any confirmation is asked.
    silver = {**award, "award-level": "silver"}
    wrong = client.post(url, data=silver)
    assert wrong.status_code == 422 and "Award the Silver label?" not in wrong.text
    assert client.post(url, data={**award, "confirmed": "yes"}).status_code == 303
    assert refreshed(application).status == State.AWARDED


def test_the_confirmation_page_keeps_the_csrf_token_and_every_value(client, people):
    application = submitted_application(people["manager"])
    sign_in(client, people["manager"].email)
    asked = client.post(f"/applications/{application.id}/withdraw", data={"comment": "Later."})
    assert 'type="hidden" name="comment" value="Later."' in asked.text
    assert "Cancel: go back without changing anything" in asked.text
    db.session.expire_all()
    assert refreshed(application).status == State.SUBMITTED


def test_accepting_still_works_for_assessors(client, people):
    application = submitted_application(people["manager"])
    screen_and_assign(client, people, application)
    assert accept(client, people["anna"], application).status_code == 303
