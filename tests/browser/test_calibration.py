"""A calibration exercise in real Chromium on the demo: Klaus practises on the published
case area by area, as on the scoring pages, rates the strategy indicator lower than the
reference, compares, and reads the difference with the secretariat's explanation; the
exercise is then on his profile and on the one the secretariat reads. Axe checks each
page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from labelling.demo.calibration import EXPLAINED, TITLE
from labelling.demo.people import DEMO_PASSWORD
from labelling.frameworks.services import current_framework
from tests.browser.steps import sign_in_as
from tests.browser.test_agreement import demo  # noqa: F401 - the fixture
from tests.browser.test_twinning import axe_clean

pytestmark = pytest.mark.browser


def test_an_assessor_does_a_calibration_exercise(page, demo):  # noqa: F811
    rubric = next(i for i in current_framework().indicators if i.is_rubric)
    lowest = rubric.rubric[0]
    sign_in_as(page, "assessor2@example.org", DEMO_PASSWORD)
    page.get_by_role("link", name="Calibration exercises").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    axe_clean(page)
    page.get_by_role("button", name=f"Practise on {TITLE}").click()
    expect(
        page.get_by_text("a reference case for calibration, not a real application")
    ).to_be_visible()
    axe_clean(page)
    while True:
        card = page.locator(f'[id="indicator-{rubric.code}"]')
        if card.count():
            card.get_by_label(f"{lowest.band}: {lowest.descriptor}", exact=True).check()
        going_on = page.get_by_role("button", name="Save and go to the next area")
        if not going_on.count():
            break
        going_on.click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_role("button", name="Save and see the exercise").click()
    page.get_by_role("button", name="Compare with the reference").click()
    expect(page.get_by_text(re.compile(r"You matched the reference on \d+ of \d+"))).to_be_visible()
    row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=re.compile(rubric.code))
    )
    expect(row.get_by_text(EXPLAINED["rubric"])).to_be_visible()
    expect(row.get_by_text(f"Band {lowest.band}:")).to_be_visible()
    axe_clean(page)

    page.get_by_role("link", name="My declarations").click()
    record = page.get_by_role("region", name="Calibration exercises completed")
    expect(record.get_by_role("link", name=TITLE)).to_be_visible()

    sign_in_as(page, "secretariat@example.org", DEMO_PASSWORD)
    page.get_by_role("link", name="Assessors", exact=True).click()
    page.get_by_role("link", name=re.compile("Klaus")).first.click()
    record = page.get_by_role("region", name="Calibration exercises completed")
    expect(record.get_by_text(TITLE)).to_be_visible()
    page.get_by_role("link", name="Calibration", exact=True).click()
    expect(page.get_by_role("row").filter(has_text=TITLE).get_by_role("cell").last).to_have_text(
        "1"
    )
    axe_clean(page)
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_text(EXPLAINED["rubric"])).to_be_visible()
    axe_clean(page)
    page.get_by_role("link", name="Calibration exercises").first.click()
    page.get_by_label("Title assessors see").last.fill("An invented cluster")
    page.get_by_role("button", name="Invent a draft case").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe_clean(page)
