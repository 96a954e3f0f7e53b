"""A newcomer registers, signs in, registers the cluster and finds it on the dashboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import confirm_sign_up

pytestmark = pytest.mark.browser


def test_register_sign_in_create_organisation_and_see_it(page):
    page.goto("/")
    expect(page.get_by_role("heading", name="The three labels")).to_be_visible()
    page.get_by_role("link", name="Register your cluster").click()

    page.get_by_label("Full name").fill("Eva Ekström")
    page.get_by_label("E-mail address").fill("eva@example.org")
    page.get_by_label("Password", exact=True).fill("a long passphrase")
    page.get_by_label("Repeat the password").fill("a long passphrase")
    page.get_by_role("button", name="Create account").click()
    confirm_sign_up(page, "eva@example.org")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("E-mail address").fill("eva@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The e-mail address or the password is wrong.")).to_be_visible()
    page.get_by_label("Password").fill("a long passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Eva Ekström")).to_be_visible()

    page.get_by_role("link", name="Register an organisation").click()
    page.get_by_label("Legal name").fill("Öresund Food Cluster AB")
    page.get_by_label("Country").select_option("SE")
    page.get_by_label("City").fill("Malmö")
    page.get_by_label("Technology area").select_option("food")
    page.get_by_label("Website", exact=True).fill("https://oresundfood.example.org")
    page.get_by_label("The website has an English version").check()
    page.get_by_label("Cluster management staff (full-time equivalents)").fill("2.5")
    page.get_by_label("SMEs").fill("40")
    page.get_by_label("Universities").fill("3")
    # Too many committed members first: the error appears next to the field, input is kept.
    page.get_by_label("Committed members").fill("60")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#committed_members-error")).to_contain_text("cannot exceed all members")
    expect(page.get_by_label("Legal name")).to_have_value("Öresund Food Cluster AB")
    page.get_by_label("Committed members").fill("30")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Öresund Food Cluster AB")).to_be_visible()
    expect(page.get_by_text("Sweden")).to_be_visible()
    page.get_by_role("link", name="Dashboard").click()
    card = page.get_by_role("listitem").filter(has_text="Öresund Food Cluster AB")
    expect(card).to_contain_text("Malmö, Sweden")
    expect(card).to_contain_text("43 members, 30 committed")


def test_keyboard_user_can_skip_to_content(page):
    page.goto("/")
    skip = page.get_by_role("link", name="Skip to content")
    # The page must hold the keyboard focus (a loaded machine may leave it elsewhere).
    page.bring_to_front()
    expect(skip).to_be_attached()
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
