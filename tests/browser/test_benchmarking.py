"""The benchmarking report in real Chromium: the manager opens it from the application,
reads where the cluster stands, and switches peer groups from the keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.benchmarking.test_peers import MEMBERS, answers
from tests.browser.test_gold_assessment import sign_in_as
from tests.factories import create_user, submitted_application, with_mini_framework

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def test_open_the_report_and_switch_peer_groups(page, manager):
    mine = submitted_application(manager, "bronze", answers(40), legal_name="Mine Cluster")
    others = create_user("others@example.org")
    for i, members in enumerate(MEMBERS[1:]):
        submitted_application(
            others, "bronze", answers(members), technology_area="food" if i < 3 else "ict"
        )

    sign_in_as(page, manager.email)
    page.goto(f"/applications/{mine.id}")
    page.get_by_role("link", name="Benchmarking report").click()
    expect(page.get_by_role("heading", name="Benchmarking report: Mine Cluster")).to_be_visible()
    # The default group is the technology area: five ICT clusters, this one included.
    expect(page.get_by_text("Compared with 5 organisations (Same technology area)")).to_be_visible()
    expect(page.get_by_role("img", name="Peers: lowest").first).to_be_visible()

    page.get_by_label("Peer group").select_option(label="All benchmarked organisations (8)")
    page.get_by_role("button", name="Compare").press("Enter")
    expect(page.get_by_text("Compared with 8 organisations (All benchmarked")).to_be_visible()
    expect(page.get_by_role("cell", name="percentile 38").first).to_be_visible()

    # Every cluster is small here (one size band); nobody holds Gold: too few to show.
    page.get_by_label("Peer group").select_option(value="size")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_text("Compared with 8 organisations (Similar size)")).to_be_visible()
    page.get_by_label("Peer group").select_option(value="excellence")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_text("fewer than 5, so it is not shown")).to_be_visible()
    expect(page.get_by_role("link", name="Download as PDF")).to_have_attribute(
        "href", f"/applications/{mine.id}/benchmarking.pdf?group=excellence"
    )
