"""Issue 25, in real Chromium on the demo: Rita, who manages Øresund Robotics Cluster,
downloads its Gold label's digital credential, pastes it into /verify and sees it valid;
after the secretariat suspends the label, the same credential shows suspended."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from labelling.demo.people import DEMO_PASSWORD
from tests.browser.steps import sign_in_as
from tests.browser.test_agreement import demo  # noqa: F401 - the fixture
from tests.browser.test_twinning import axe_clean

pytestmark = pytest.mark.browser

ORGANISATION = "Øresund Robotics Cluster"


def paste_and_check(page, credential: str) -> None:
    page.goto("/verify")
    page.get_by_label("The credential").fill(credential)
    page.get_by_role("button", name="Check the credential").click()


def test_a_downloaded_credential_verifies_until_the_label_is_suspended(page, demo):  # noqa: F811
    sign_in_as(page, "register@example.org", DEMO_PASSWORD)
    page.get_by_role("link", name=ORGANISATION).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Digital credential (JSON)").click()
    saved = download.value
    assert saved.suggested_filename.endswith(".credential.json")
    credential = Path(saved.path()).read_text(encoding="utf-8")
    assert json.loads(credential)["type"] == "EnvelopedVerifiableCredential"

    paste_and_check(page, credential)
    expect(page.get_by_role("status")).to_contain_text("Valid: signed by")
    expect(page.get_by_text(ORGANISATION)).to_be_visible()
    axe_clean(page)

    sign_in_as(page, "secretariat@example.org", DEMO_PASSWORD)
    page.get_by_role("link", name="Labels", exact=True).click()
    page.get_by_role("link", name=ORGANISATION).click()
    page.get_by_label("Comment").fill("Membership figures under review")
    page.get_by_role("button", name="Suspend").click()
    expect(page.get_by_text("The label is updated and the organisation is told.")).to_be_visible()

    paste_and_check(page, credential)
    expect(page.get_by_role("status")).to_contain_text(
        "Suspended: the signature is genuine, but the label is suspended."
    )
    axe_clean(page)
