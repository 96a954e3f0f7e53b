"""Twinning in real Chromium on the demo: Jan opts SpaceTech in and finds NordicFood
suggested with the reason; he asks, Mette accepts, both see the plan and each other's
contact person; Mette declines the request that was waiting and then switches twinning
off, after which a request to NordicFood is refused with the reason. Axe checks each page
type on the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from labelling.demo.data import load_demo_data
from labelling.demo.people import DEMO_PASSWORD
from labelling.extensions import db
from labelling.organisations.models import Organisation
from tests.browser.steps import sign_in_as
from tests.browser.test_accessibility import WCAG_21_AA

pytestmark = pytest.mark.browser

NORDIC = "Nordic Food Innovation Cluster ApS"
SPACETECH = "Klaster Technologii Kosmicznych"


def axe_clean(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options=WCAG_21_AA).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in found] == [], page.url


@pytest.fixture
def demo(app):
    load_demo_data()
    db.session.commit()
    return {
        name: db.session.scalar(db.select(Organisation.id).where(Organisation.legal_name == name))
        for name in (NORDIC, SPACETECH, "Cluster Ernährung Baden-Württemberg")
    }


def test_two_demo_managers_twin(page, demo):
    nordic, spacetech = demo[NORDIC], demo[SPACETECH]
    # Jan opts in: the settings start from his benchmarking.
    sign_in_as(page, "manager2@example.org", DEMO_PASSWORD)
    page.goto(f"/organisations/{spacetech}")
    page.get_by_role("link", name="Twinning").click()
    expect(page.get_by_text("Twinning is off")).to_be_visible()
    page.get_by_role("navigation", name="Twinning").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("checkbox", name="(below the baseline minimum)").first).to_be_checked()
    axe_clean(page)
    page.get_by_label("Take part in twinning").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your twinning settings are saved.")).to_be_visible()
    expect(page.get_by_text("Twinning is on.")).to_be_visible()

    # NordicFood is suggested, with the reason in words and none of its figures.
    page.get_by_role("link", name="See your suggested partners").click()
    card = page.locator("li.card", has=page.get_by_role("heading", name=NORDIC))
    expect(card).to_be_visible()
    expect(card.get_by_text("where you are below the baseline minimum").first).to_be_visible()
    axe_clean(page)
    card.get_by_role("link", name=f"Ask {NORDIC} (NordicFood) to twin").click()
    axe_clean(page)
    page.get_by_label("Your message").fill("Could we learn how you run your strategy process?")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Your request is sent.")).to_be_visible()
    expect(page.get_by_text(f"Waiting for an answer from {NORDIC} (NordicFood).")).to_be_visible()
    request_url = page.url

    # Mette (NordicFood takes part already) finds the request and accepts it.
    sign_in_as(page, "manager@example.org", DEMO_PASSWORD)
    page.goto(f"/organisations/{nordic}/twinning")
    axe_clean(page)
    page.get_by_role("link", name=SPACETECH).click()
    expect(page.get_by_text("Could we learn how you run your strategy process?")).to_be_visible()
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("You accepted: the partnership has begun.")).to_be_visible()
    contacts = page.get_by_role("region", name="Contact persons")
    expect(contacts.get_by_text("Jan Nowak")).to_be_visible()
    axe_clean(page)

    # Jan sees the plan and Mette as NordicFood's contact, and adds a visit.
    sign_in_as(page, "manager2@example.org", DEMO_PASSWORD)
    page.goto(request_url)
    expect(
        page.get_by_role("region", name="Contact persons").get_by_text("Mette Sørensen")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Twinning plan")).to_be_visible()
    page.get_by_label("What").fill("Visit to Copenhagen")
    page.get_by_label("From").fill("2027-04-12")
    page.get_by_role("button", name="Add the activity").click()
    expect(page.get_by_role("cell", name="Visit to Copenhagen", exact=True)).to_be_visible()

    # Mette declines the request that was waiting, with a reason.
    sign_in_as(page, "manager@example.org", DEMO_PASSWORD)
    page.goto(f"/organisations/{nordic}/twinning")
    page.get_by_role("link", name="Pôle Agri Sud-Ouest").click()
    page.get_by_label("Reason (optional)").fill("We run two partnerships already this year.")
    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_text("You declined the request.")).to_be_visible()
    expect(page.get_by_text("Reason for declining:")).to_be_visible()

    # ... and switches twinning off: NordicFood is at once out of every suggestion.
    page.goto(f"/organisations/{nordic}/twinning/settings")
    page.get_by_label("Take part in twinning").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Twinning is off: your organisation is suggested to nobody.")
    ).to_be_visible()

    sign_in_as(page, "peers@example.org", DEMO_PASSWORD)
    swabian = demo["Cluster Ernährung Baden-Württemberg"]
    page.goto(f"/organisations/{swabian}/twinning/suggestions")
    expect(page.get_by_role("heading", name="Suggested partners")).to_be_visible()
    expect(page.get_by_role("heading", name=NORDIC)).to_have_count(0)
    page.goto(f"/organisations/{swabian}/twinning/ask/{nordic}")
    expect(page.get_by_text("does not take part in twinning at the moment")).to_be_visible()

    # The public figures, for anyone.
    page.goto("/twinning/statistics")
    expect(page.get_by_role("heading", name="Twinning statistics")).to_be_visible()
    axe_clean(page)

    # The secretariat's view of the programme.
    sign_in_as(page, "secretariat@example.org", DEMO_PASSWORD)
    page.get_by_role("link", name="Twinning").click()
    expect(page.get_by_role("heading", name="Twinning programme")).to_be_visible()
    expect(page.get_by_role("heading", name="Partnerships begun, by country pair")).to_be_visible()
    axe_clean(page)
