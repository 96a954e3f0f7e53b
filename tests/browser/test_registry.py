"""The public side in real Chromium: search the registry, open an organisation, follow its
certificate link and see "Valid"; the secretariat revokes; the page then says "Revoked"
with the reason."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTEFACTS
from tests.browser.test_gold_assessment import sign_in_as
from tests.factories import create_user, labelled_organisation

pytestmark = pytest.mark.browser


def test_search_open_verify_then_revoke(page, manager, secretariat):
    label = labelled_organisation(
        manager,
        "gold",
        with_certificate=True,
        legal_name="Øresund Food Cluster",
        country_code="DK",
        city="København",
        technology_area="food",
    )
    labelled_organisation(create_user("other@example.org"), "silver", legal_name="Other Cluster")
    organisation_name = label.organisation.legal_name

    # The public searches the registry, without accents, from the keyboard.
    page.goto("/")
    page.get_by_role("link", name="Registry", exact=True).click()
    expect(page.get_by_role("heading", name="2 organisations")).to_be_visible()
    page.get_by_label("Name or city").fill("oresund")
    page.get_by_label("Name or city").press("Enter")
    expect(page.get_by_role("heading", name="1 organisation")).to_be_visible()
    page.get_by_label("Gold (1)").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", name="1 organisation")).to_be_visible()
    page.get_by_role("link", name=organisation_name).click()

    # The organisation's page: its labels, and the certificate link a QR code carries.
    expect(page.get_by_role("heading", name=organisation_name, level=1)).to_be_visible()
    expect(page.get_by_role("img", name="Seal: Gold label, Valid")).to_be_visible()
    number = page.get_by_role("link", name="GOLD-DNK-").inner_text()
    page.get_by_role("link", name=number).click()
    expect(page).to_have_url(f"{page.url.split('/verify/')[0]}/verify/{number}")
    expect(page.get_by_role("status")).to_have_text("Valid")

    # The secretariat revokes the label, with the reason.
    verify_url = page.url
    sign_in_as(page, secretariat.email)
    page.get_by_role("link", name="Labels").click()
    page.get_by_role("link", name=organisation_name).click()
    page.get_by_label("Reason or comment").fill("The cluster misstated its membership.")
    page.get_by_role("button", name="Revoke").click()
    page.get_by_role("button", name="Yes, revoke the label").click()
    expect(page.get_by_text("The label is updated and the organisation is told.")).to_be_visible()

    # Anyone who follows the certificate link now learns it is revoked, and why.
    page.get_by_role("button", name="Sign out").click()
    page.goto(verify_url)
    expect(page.get_by_role("status")).to_have_text("Revoked")
    expect(page.get_by_text("The cluster misstated its membership.")).to_be_visible()
    # And the registry no longer lists the organisation.
    page.get_by_role("link", name="Registry", exact=True).click()
    expect(page.get_by_role("heading", name="1 organisation")).to_be_visible()
    expect(page.get_by_role("link", name=organisation_name)).to_have_count(0)


@pytest.mark.parametrize("language", ["en-GB", "de", "fr", "es", "it", "pl"])
def test_the_map_of_europe_filters_the_registry_and_passes_axe(new_context, live_server, language):
    """The map on the registry and statistics pages, in each language: a country is reached
    with the keyboard and opens the registry filtered to it; axe finds no violation."""
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.test_accessibility import WCAG_21_AA

    manager = create_user("maps@example.org")
    for name, country in [("Danish Cluster", "DK"), ("Bavarian Cluster", "DE")]:
        labelled_organisation(manager, "gold", legal_name=name, country_code=country)
    page = new_context(language).new_page()
    for path in ("/registry/statistics", "/registry"):
        page.goto(path)
        results = Axe().run(page, options=WCAG_21_AA)
        assert results.response["violations"] == [], (path, results.response["violations"])
        shaded = page.locator("figure.europe-map svg a")
        expect(shaded).to_have_count(2)
    # From the keyboard: the first shaded country (in the drawing's order) is Germany.
    page.locator("figure.europe-map svg a").first.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/registry?country=DE")
    expect(page.get_by_role("link", name="Bavarian Cluster")).to_be_visible()
    expect(page.get_by_role("link", name="Danish Cluster")).to_have_count(0)
    if language == "de":  # kept with CI's artefacts, to look at
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.goto("/registry/statistics")
        page.screenshot(path=ARTEFACTS / "map-of-europe-de.png", full_page=True)
