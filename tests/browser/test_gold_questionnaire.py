"""A manager fills the Gold questionnaire from scratch, attaches a PDF, signs out, resumes and
submits, in real Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from weasyprint import HTML

from tests.factories import PASSWORD, create_org, create_user

pytestmark = pytest.mark.browser

# Coherent answers for every question of ecei-2013 (the profile prefills the member counts).
NUMBERS = {
    "members_in_region": "30",
    "members_left_last_year": "2",
    "management_start_year": "2012",
    "management_fte": "2.5",
    "management_staff_count": "3",
    "staff_left_last_year": "0",
    "training_days": "20",
    "members_contacted": "35",
    "members_in_joint_activities": "25",
    "budget_total": "450000",
    "budget_private": "160000",
    "financing_secured_years": "3",
    "service_types_offered": "7",
    "working_groups_active": "3",
    "events_per_year": "14",
    "joint_projects": "5",
    "press_items_per_year": "12",
    "success_stories": "3",
}
DATES = {"strategy_last_review": "2025-03-01", "last_satisfaction_survey": "2026-02-01"}
YES = ["has_strategy_document", "has_action_plan", "has_financial_plan", "english_website"]
RATINGS = {
    "management_qualification": "3",
    "stakeholder_involvement": "3",
    "innovation_integration": "3",
    "strategy_process": "3",
    "kpi_monitoring": "3",
    "strategy_focus": "3",
    "internal_communication": "4",
    "internet_presence": "3",
    "external_recognition": "3",
}


def fill_visible(page) -> None:
    for name, value in {**NUMBERS, **DATES}.items():
        field = page.locator(f"#{name}")
        if field.count() and field.is_visible():
            field.fill(value)
    for name in YES:
        option = page.locator(f"input[name={name}][value=yes]")
        if option.count():
            option.check()
    for name, band in RATINGS.items():
        option = page.locator(f"input[name={name}][value='{band}']")
        if option.count():
            option.check()


def save_and_continue(page) -> None:
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Your answers are saved.")).to_be_visible()


def sign_in(page, email) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_manager_fills_gold_questionnaire_uploads_resumes_and_submits(app, page, tmp_path):
    manager = create_user("gold@example.org", "Greta Gold")
    org = create_org(manager, legal_name="Goldküste Cluster e.V.")
    sign_in(page, manager.email)
    page.goto(f"/organisations/{org.id}")
    page.get_by_role("link", name="Apply for a label").click()
    page.get_by_label("Gold: Excel in Cluster Excellence").check()
    page.get_by_role("button", name="Start the application").click()
    expect(page.get_by_text("Your application is started as a draft.")).to_be_visible()
    page.get_by_role("link", name="Continue the questionnaire").click()

    # 1 Structure: the member counts came from the profile; the rest is typed.
    expect(page.locator("#members_sme")).to_have_value("30")
    fill_visible(page)
    save_and_continue(page)
    # 2 Management and 3 Financing.
    fill_visible(page)
    save_and_continue(page)
    fill_visible(page)
    save_and_continue(page)

    # The manager signs out in the middle and resumes later.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, manager.email)
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="Goldküste Cluster e.V.").first.click()
    page.get_by_role("link", name="Gold application of").click()
    page.get_by_role("link", name="Continue the questionnaire").click()
    expect(page.locator("#members_in_region")).to_have_value("30")
    page.get_by_role("navigation", name="Questionnaire sections").get_by_role(
        "link", name="Services of the cluster management"
    ).click()

    # 4 Services: a conditional question appears only when it applies.
    page.locator("input[name=has_working_groups][value=no]").check()
    expect(page.locator("#working_groups_active")).to_be_hidden()
    page.locator("input[name=has_working_groups][value=yes]").check()
    expect(page.locator("#working_groups_active")).to_be_visible()
    fill_visible(page)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Your answers are saved.")).to_be_visible()

    # Evidence: the strategy document, a real PDF.
    pdf = tmp_path / "Strategie 2026.pdf"
    pdf.write_bytes(HTML(string="<h1>Cluster strategy 2026-2030</h1>").write_pdf())
    page.get_by_role("link", name="Evidence for this section").click()
    page.get_by_label("The answer it supports").select_option("strategy_document")
    page.get_by_label("Document").set_input_files(str(pdf))
    page.get_by_role("button", name="Attach").click()
    expect(page.get_by_text("The evidence is attached.")).to_be_visible()
    expect(page.get_by_role("link", name="Strategie_2026.pdf")).to_be_visible()
    page.get_by_role("link", name="Back to the application").click()
    page.get_by_role("link", name="Continue the questionnaire").click()
    nav = page.get_by_role("navigation", name="Questionnaire sections")
    for section in ("Contacts and interaction within the cluster", "Achievements and recognition"):
        nav.get_by_role("link", name=section).click()
        fill_visible(page)
        page.get_by_role("button", name="Save draft").click()
        expect(page.get_by_text("Your answers are saved.")).to_be_visible()
    expect(page.get_by_text("43 of 43 (100 %)")).to_be_visible()
    expect(page.get_by_text("the rules allow the Gold label")).to_be_visible()

    page.get_by_role("link", name="Back to the application").click()
    page.get_by_role("link", name="Submit the application").click()
    page.get_by_label("Your role in the organisation").fill("Cluster manager")
    page.get_by_label("I declare that the answers").check()
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_text("Your application is submitted.")).to_be_visible()
    expect(page.locator(".badge.state")).to_have_text("Submitted")
    expect(page.get_by_text("Fingerprint of the answers (SHA-256)")).to_be_visible()
