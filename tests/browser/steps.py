"""Steps the browser scenarios share."""

from __future__ import annotations

import logging
import sys
import time
import traceback
from urllib.parse import urlsplit

import pytest
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
    from tests.factories import link_in

    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    message = awaited_email(email)
    link = urlsplit(link_in(message))
    page.goto(f"{link.path}?{link.query}" if link.query else link.path)
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_text("Welcome! Your account is ready.")).to_be_visible()


def awaited_email(to: str, seconds: float = 30):
    """The latest e-mail to `to`, once work after a response has written it. If none comes,
    the failure says where every thread of the server stood and what the database's other
    sessions were waiting for: the e-mail is late only if something holds it up."""
    from labelling.extensions import db
    from tests.factories import last_email

    deadline = time.monotonic() + seconds
    while True:
        db.session.expire_all()
        try:
            return last_email(to)
        except AssertionError:
            if time.monotonic() > deadline:
                pytest.fail(f"no e-mail to {to} within {seconds} s\n{_what_holds_up()}")
            time.sleep(0.05)


class LoggedTrouble(logging.Handler):
    """What the app logged at WARNING or above, from any of its threads, while a browser test
    ran: work after a response (an e-mail) that failed says so only in the log."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(logging.Formatter("%(threadName)s %(name)s: %(message)s").format(record))


LOGGED = LoggedTrouble()


def _what_holds_up() -> str:
    from sqlalchemy import text

    from labelling.extensions import db

    # What the app logged first: a long report is cut from its middle.
    logged = ["logged by the app:", *(LOGGED.lines or ["nothing"])]
    stacks = [
        f"thread {ident}:\n{''.join(traceback.format_stack(frame))}"
        for ident, frame in sys._current_frames().items()
    ]
    sessions = []
    if db.engine.dialect.name == "postgresql":
        db.session.rollback()
        sessions = db.session.execute(
            text(
                "SELECT pid, state, wait_event_type, wait_event, left(query, 200)"
                " FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()"
            )
        ).all()
    return "\n".join([*logged, *stacks, "database sessions:", *map(str, sessions)])
