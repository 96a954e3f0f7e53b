"""Agreement between assessors in real Chromium on the demo: the secretariat reads the
figures per indicator with the one Ana and Lars read apart flagged, filters by level,
opens an assessor's mirror; Lars reads his own, where nobody else is named. Axe checks
each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from labelling.demo.data import load_demo_data
from labelling.demo.people import DEMO_PASSWORD
from labelling.extensions import db
from tests.browser.steps import sign_in_as
from tests.browser.test_twinning import axe_clean

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):
    app.config["TWO_FACTOR_REQUIRED"] = False  # as `labelling demo` runs it
    load_demo_data()
    db.session.commit()


def test_the_secretariat_and_an_assessor_read_the_agreement(page, demo):
    sign_in_as(page, "secretariat@example.org", DEMO_PASSWORD)
    page.get_by_role("link", name="Assessor agreement").click()
    expect(page.get_by_role("heading", name="Assessor agreement", level=1)).to_be_visible()
    expect(page.get_by_text("6 applications scored by two assessors.")).to_be_visible()
    flagged = page.get_by_role("list").filter(has=page.get_by_role("link", name="2.2.2"))
    expect(flagged).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="2.2.2"))
    expect(row.get_by_text("read differently")).to_be_visible()
    axe_clean(page)

    page.get_by_label("Level").select_option(label="Gold")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_label("Level")).to_have_value("gold")
    expect(page.get_by_text("6 applications scored by two assessors.")).to_be_visible()

    page.get_by_role("link", name="Each assessor's ratings compared").click()
    page.get_by_role("link", name="Lars Jensen").click()
    expect(page.get_by_role("heading", name="Ratings of Lars Jensen compared")).to_be_visible()
    axe_clean(page)

    sign_in_as(page, "assessor3@example.org", DEMO_PASSWORD)
    page.get_by_role("link", name="My ratings compared").click()
    expect(page.get_by_role("heading", name="Your ratings compared")).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="2.2.2"))
    expect(row.get_by_text("bands harsher on average")).to_be_visible()
    expect(page.get_by_text("Ana Ribeiro")).to_have_count(0)  # the colleague, never named
    axe_clean(page)
