"""Outgoing mail is written to the outbox first, so a failing mail server loses nothing."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from labelling.extensions import db
from labelling.notifications.delivery import retry_unsent
from labelling.notifications.models import OutboxMessage, OutboxStatus
from labelling.notifications.services import queue_email
from tests.factories import create_user


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_without_smtp_mail_is_kept_in_the_outbox(app, manager):
    with app.test_request_context():
        queue_email(manager.email, "password_reset", user=manager, link="http://x/reset")
    db.session.commit()
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.status == OutboxStatus.LOGGED
    assert "http://x/reset" in message.body_text and message.subject == "Reset your password"


class TestUnreachableSmtp:
    @pytest.fixture
    def app_config(self, app_config):
        return {
            **app_config,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": _closed_port(),
            "MAIL_USE_TLS": False,
        }

    def test_delivery_failure_after_commit_keeps_the_message_for_a_retry(self, app):
        user = create_user("someone@example.org")
        with app.test_request_context():
            queue_email(user.email, "password_reset", user=user, link="http://x/r")
        db.session.commit()  # delivery is attempted after the commit and fails
        db.session.expire_all()
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.status == OutboxStatus.FAILED
        assert message.attempts == 1 and message.last_error
        assert retry_unsent() == 0
        db.session.expire_all()
        assert db.session.scalars(select(OutboxMessage)).one().attempts == 2

    def test_a_rolled_back_transaction_sends_nothing(self, app):
        user = create_user("someone@example.org")
        with app.test_request_context():
            queue_email(user.email, "password_reset", user=user, link="http://x/r")
        db.session.rollback()
        assert db.session.scalars(select(OutboxMessage)).all() == []
