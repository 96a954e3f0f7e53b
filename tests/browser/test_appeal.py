"""An appeal in real Chromium, from a refusal to its overturn and the new certificate."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from labelling.accounts.models import Role
from labelling.assessments import decisions
from labelling.assessments.workflow import State
from labelling.extensions import db
from tests.browser.steps import sign_in_as
from tests.factories import application_with_team, create_user, with_mini_framework

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def test_a_refusal_appealed_overturned_and_awarded(page, app):
    application, people = application_with_team(State.ASSESSED)
    decisions.refuse_label(application, people["secretariat"], "The evidence did not hold.")
    create_user("paula@example.org", "Paula Panel", roles=(Role.SECRETARIAT,))
    create_user("piet@example.org", "Piet Panel", roles=(Role.SECRETARIAT,))
    db.session.commit()
    app_id = application.id

    # The manager appeals, with grounds.
    sign_in_as(page, people["applicant"].email)
    page.goto(f"/applications/{app_id}")
    page.get_by_role("link", name="Appeal against this decision").click()
    page.get_by_label("Grounds of the appeal").fill("The member list shows 40 members.")
    page.get_by_role("button", name="Lodge the appeal").click()
    expect(page.get_by_text("Your appeal is lodged.")).to_be_visible()
    appeal_url = page.url

    # The secretariat forms a panel; the one who refused may not sit on it.
    sign_in_as(page, people["secretariat"].email)
    page.get_by_role("link", name="Appeals").click()
    page.get_by_role("link", name=application.organisation.display_name).click()
    expect(
        page.get_by_label("Test User (may not sit: took the decision appealed)")
    ).to_be_disabled()
    page.get_by_label("Paula Panel").check()
    page.get_by_label("Piet Panel").check()
    page.get_by_role("button", name="Form the panel").click()
    expect(page.get_by_text("The appeal panel is formed")).to_be_visible()

    # A panel member overturns the refusal, after a confirmation step.
    sign_in_as(page, "piet@example.org")
    page.goto(appeal_url)
    page.get_by_label("Uphold the appeal: overturn the decision").check()
    page.get_by_label("Reasons").fill("The member list was misread.")
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_role("button", name="Yes, record the decision").click()
    expect(page.get_by_text("Appeal upheld: the decision is overturned").first).to_be_visible()

    # The decision is taken again and the certificate is issued.
    sign_in_as(page, "paula@example.org")
    page.goto(f"/secretariat/applications/{app_id}/decision")
    page.get_by_role("radio", name="Gold").check()
    page.get_by_role("button", name="Award").click()
    page.get_by_role("button", name="Yes, award the label").click()
    expect(page.get_by_text("The Gold label was awarded on")).to_be_visible()

    sign_in_as(page, people["applicant"].email)
    page.goto(f"/applications/{app_id}")
    # One link to the certificate (issue 28: the label's and a button beside it).
    expect(page.get_by_role("link", name=re.compile(r"^Certificate .+ \(PDF\)$"))).to_have_count(1)
    expect(page.get_by_text("Appeal upheld: the decision is overturned").first).to_be_visible()
