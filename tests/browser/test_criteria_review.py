"""Reviewing the criteria in real Chromium on the demo: the secretariat simulates the demo
draft (the Gold minimum score raised) and sees the decisions it would change; a visitor
comments on the draft in public consultation and confirms their address; the secretariat
answers the comment, publishes the response and the report, where the comment is counted
with its response. Axe checks each page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from labelling.demo.drafts import VERSION
from labelling.demo.people import DEMO_PASSWORD
from tests.browser.steps import awaited_email, sign_in_as
from tests.browser.test_agreement import demo  # noqa: F401 - the fixture
from tests.browser.test_twinning import axe_clean
from tests.factories import link_in

pytestmark = pytest.mark.browser

COMMENT = "Six training days a year is more than a team of two can take."
RESPONSE = "Small teams may count days of coaching by peers as training."
CHANGED = "Coaching by peers counts as training for teams under three FTE."


def test_a_draft_is_simulated_and_a_comment_answered_in_the_report(page, demo):  # noqa: F811
    sign_in_as(page, "secretariat@example.org", DEMO_PASSWORD)
    page.get_by_role("link", name="Draft criteria").click()
    page.get_by_role("link", name=re.compile(f"version {VERSION}")).click()
    page.get_by_role("button", name="Simulate the draft").click()
    for _ in range(20):
        if page.get_by_text("Decisions that would change").count():
            break
        page.get_by_role("link", name="See how far it is").click()
    changes = page.get_by_role("table", name="The applications whose level would change")
    expect(changes.get_by_role("row")).to_have_count(3)  # a header and two Gold decisions
    expect(changes.get_by_role("cell", name="Gold", exact=True).first).to_be_visible()
    axe_clean(page)

    page.get_by_role("button", name="Sign out").click()
    page.goto("/criteria/")
    page.get_by_role("link", name=re.compile("In public consultation until")).click()
    expect(page.get_by_role("heading", name="What the draft changes")).to_be_visible()
    expect(page.get_by_text("At least 85 % of the excellence score")).to_be_visible()
    axe_clean(page)
    page.get_by_label("Your comment is on").select_option(value="2.2.3")
    page.get_by_label("Your comment", exact=True).fill(COMMENT)
    page.get_by_label("Your name").fill("Pat Public")
    page.get_by_label("Your e-mail address").fill("pat@example.net")
    page.get_by_role("button", name="Send the comment").click()
    expect(page.get_by_text("follow the link we sent")).to_be_visible()
    page.goto(link_in(awaited_email("pat@example.net")))
    expect(page.get_by_text("Your comment is confirmed")).to_be_visible()

    sign_in_as(page, "secretariat@example.org", DEMO_PASSWORD)
    page.get_by_role("link", name="Draft criteria").click()
    page.get_by_role("link", name="Comments").click()
    topic = page.get_by_role("region", name=re.compile("^2.2.3 "))
    expect(topic.get_by_text(COMMENT)).to_be_visible()
    axe_clean(page)
    topic.get_by_role("checkbox").first.check()
    topic.get_by_label("Response", exact=True).fill(RESPONSE)
    topic.get_by_label("What changed in the draft because of them").fill(CHANGED)
    topic.get_by_role("button", name="Save the response").click()
    page.get_by_role("button", name=re.compile("Publish 1 response")).click()
    expect(page.get_by_text("1 response published.")).to_be_visible()
    assert RESPONSE in awaited_email("pat@example.net").body_text
    page.get_by_role("button", name="Publish the consultation report").click()

    expect(page.get_by_role("heading", name=re.compile("Consultation report on"))).to_be_visible()
    row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=re.compile("^2.2.3"))
    )
    expect(row.get_by_role("cell").first).to_have_text("1")
    expect(row.get_by_text(RESPONSE)).to_be_visible()
    expect(row.get_by_text(CHANGED)).to_be_visible()
    axe_clean(page)
    pdf = page.request.get(
        page.get_by_role("link", name="The report as a PDF").get_attribute("href")
    )
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
