"""Steps the browser scenarios share."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.factories import PASSWORD


def sign_in_as(page, email: str, password: str = PASSWORD) -> None:
    """Sign out whoever is signed in, then sign in as `email`."""
    if page.get_by_role("button", name="Sign out").count():
        page.get_by_role("button", name="Sign out").click()
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def confirm_sign_up(page, email: str) -> None:
    """Follow the link the sign-up sent to `email` (read from the outbox, where it lands
    just after the response), and confirm."""
    from labelling.extensions import db
    from tests.factories import last_email, link_in

    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    deadline = time.monotonic() + 10
    while True:
        db.session.expire_all()
        try:
            message = last_email(email)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    link = urlsplit(link_in(message))
    page.goto(f"{link.path}?{link.query}" if link.query else link.path)
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_text("Welcome! Your account is ready.")).to_be_visible()
