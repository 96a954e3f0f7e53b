"""The assessor side in real Chromium: the secretariat assigns two assessors to a submitted
Gold application, both score it, one asks a question, the manager answers, the lead
consolidates and recommends, and a third person awards."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from labelling.accounts.models import Role
from tests.browser.steps import sign_in_as
from tests.factories import (
    create_assessor,
    create_user,
    submitted_application,
    with_mini_framework,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def accept_assignment(page, email) -> None:
    sign_in_as(page, email)
    page.get_by_role("link", name="My assignments").click()
    page.get_by_label("I declare that I have no conflict of interest").check()
    page.get_by_role("button", name="Accept the assignment").click()
    expect(page.get_by_text("you accepted the assignment")).to_be_visible()


def test_two_assessors_score_question_answer_consolidate_and_award(page, manager, secretariat):
    application = submitted_application(manager)
    create_assessor("anna@assessors.example.net", "Anna Auditor", "DE")
    create_assessor("omar@assessors.example.net", "Omar Other", "FR")
    board = create_user("board@example.org", "Bea Board", roles=(Role.SECRETARIAT,))
    app_id = application.id

    # The secretariat screens the application and assigns the two assessors.
    sign_in_as(page, secretariat.email)
    page.get_by_role("link", name="Applications").click()
    page.get_by_role("link", name="Screen and assign", exact=True).click()
    page.get_by_role("button", name="Start the screening").click()
    page.get_by_role("button", name="Confirm the eligibility").click()
    page.get_by_role("button", name="Assign Anna Auditor").click()
    expect(page.get_by_text("Anna Auditor was asked to assess.")).to_be_visible()
    page.get_by_role("button", name="Assign Omar Other").click()
    expect(page.get_by_text("Omar Other was asked to assess.")).to_be_visible()

    accept_assignment(page, "anna@assessors.example.net")
    accept_assignment(page, "omar@assessors.example.net")

    sign_in_as(page, secretariat.email)
    page.goto(f"/secretariat/applications/{app_id}")
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.get_by_text("The assessment has started")).to_be_visible()

    # Anna verifies the regional share; Omar judges it not applicable and asks a question.
    sign_in_as(page, "anna@assessors.example.net")
    page.goto(f"/applications/{app_id}/review")
    page.get_by_role("link", name="1.2 Regional share").click()
    page.get_by_label("Verified value").fill("60")
    page.get_by_role("button", name="Save and next").click()
    expect(page.get_by_role("heading", name="2.1 Staff turnover")).to_be_visible()

    sign_in_as(page, "omar@assessors.example.net")
    page.goto(f"/applications/{app_id}/review/1.2")
    page.get_by_label("Not applicable").check()
    page.get_by_label("Comment").fill("Regional anchoring is not relevant for this cluster.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Indicator 1.2 saved.")).to_be_visible()
    page.goto(f"/applications/{app_id}/review/2.1")
    page.get_by_label("Question to the applicant").fill("How do you count staff turnover?")
    page.get_by_role("button", name="Send the question").click()
    expect(page.get_by_text("Your question was sent.")).to_be_visible()

    # Issue 28, finding 4: from an indicator straight back to its area; words typed there
    # and not saved are not lost without a warning.
    page.get_by_role("link", name="Area 2.").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2.")
    comment = page.locator("form[data-warn-unsaved] textarea").first
    comment.fill("Half a thought")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="All indicators").click(no_wait_after=True)
    for _tick in range(100):  # the browser asks within moments; a busy machine, later
        if asked:
            break
        page.wait_for_timeout(100)
    assert asked == ["beforeunload"]
    expect(comment).to_have_value("Half a thought")

    # The manager answers: the re-opened answer and a reply.
    sign_in_as(page, manager.email)
    page.goto(f"/applications/{app_id}")
    expect(
        page.get_by_role("heading", name="The assessor asked for more information")
    ).to_be_visible()
    page.get_by_label("Question on 2.1 Staff turnover").fill("Leavers divided by average staff.")
    page.get_by_role("button", name="Send the answers to the assessor").click()
    expect(page.get_by_text("In assessment").first).to_be_visible()

    # The lead sees the disagreement, adopts the agreed ratings, settles 1.2, recommends.
    sign_in_as(page, "anna@assessors.example.net")
    page.goto(f"/applications/{app_id}/consolidation")
    expect(page.get_by_text("Disagreement", exact=True)).to_be_visible()
    expect(page.get_by_text("1 indicator needs your decision")).to_be_visible()
    page.get_by_role("link", name="1.2 Regional share").first.click()
    page.get_by_label("Verified value").fill("60")
    page.get_by_label("Met", exact=True).check()
    page.get_by_label("Comment").fill("The member list shows 24 of 40 members in the region.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.goto(f"/applications/{app_id}/recommendation")
    page.get_by_label("Gold").check()
    page.get_by_label("Strengths").fill("Strong commitment of the members.")
    page.get_by_label("Areas for improvement").fill("Keep staff turnover low.")
    page.get_by_role("button", name="Save the recommendation").click()
    expect(page.get_by_text("Recommendation saved.")).to_be_visible()
    page.get_by_role("button", name="Complete and send for decision").click()
    expect(page.get_by_role("heading", name="Assessment report: ")).to_be_visible()

    # A third person, not an assessor, awards the label.
    sign_in_as(page, board.email)
    page.goto(f"/secretariat/applications/{app_id}/decision")
    page.get_by_role("radio", name="Gold").check()
    page.get_by_role("button", name="Award").click()
    page.get_by_role("button", name="Yes, award the label").click()
    expect(page.get_by_text("The label is awarded.")).to_be_visible()
    expect(page.get_by_text("The Gold label was awarded on")).to_be_visible()
