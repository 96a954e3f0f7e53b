"""Label expiry reminders: 90, 30 and 7 days before, 7 days after, each once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from labelling.certificates.reminders import expiry_occasion
from labelling.extensions import db
from labelling.frameworks.services import current_framework
from labelling.notifications.models import OutboxMessage
from labelling.notifications.reminders import reminder_providers, send_reminders
from tests.factories import create_user, labelled_organisation

EXPIRY = date(2027, 2, 28)  # a Gold label assessed in March 2025 runs to the end of Feb 2027
BEFORE, AFTER = [90, 30, 7], 7


@pytest.mark.parametrize(
    ("today", "occasion"),
    [
        (EXPIRY - timedelta(days=91), None),
        (EXPIRY - timedelta(days=90), "before-90"),
        (EXPIRY - timedelta(days=31), "before-90"),
        (EXPIRY - timedelta(days=30), "before-30"),
        (EXPIRY - timedelta(days=7), "before-7"),
        (EXPIRY, "before-7"),
        (EXPIRY + timedelta(days=1), None),
        (EXPIRY + timedelta(days=7), "after-7"),
        (EXPIRY + timedelta(days=37), "after-7"),
        (EXPIRY + timedelta(days=38), None),
    ],
)
def test_which_occasion_a_day_reaches(today, occasion):
    assert expiry_occasion(EXPIRY, today, BEFORE, AFTER) == occasion


def expiry_mails(email: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.recipient == email, OutboxMessage.template == "reminder_label_expiry"
            )
            .order_by(OutboxMessage.id)
        )
    )


def run(today: date) -> int:
    queued = send_reminders(reminder_providers(), today)
    db.session.commit()
    return queued


@pytest.fixture
def label(app):
    manager = create_user("expiring@example.org", "Eva Expiring")
    label = labelled_organisation(manager, "gold", date(2025, 3, 10), legal_name="Expiring e.V.")
    assert label.valid_until == EXPIRY
    return label


def test_each_reminder_goes_out_once_on_its_day(label):
    email = "expiring@example.org"
    days = [EXPIRY - timedelta(days=n) for n in (120, 90, 89, 30, 29, 7, 1, 0)]
    days += [EXPIRY + timedelta(days=n) for n in (1, 7, 8, 60)]
    for day in days:
        run(day)
        run(day)  # twice the same day: nothing twice
    mails = expiry_mails(email)
    assert len(mails) == 4
    assert [m.subject for m in mails[:3]] == ["Your Gold label expires on 28 Feb 2027"] * 3
    assert "expires in 90 days" in mails[0].body_text
    assert "expires in 30 days" in mails[1].body_text
    assert "expires in 7 days" in mails[2].body_text
    assert mails[3].subject == "Your Gold label expired on 28 Feb 2027"
    assert f"/organisations/{label.organisation_id}/applications/new" in mails[0].body_text


def test_a_late_run_sends_only_the_nearest_occasion(label):
    run(EXPIRY - timedelta(days=5))
    mails = expiry_mails("expiring@example.org")
    assert len(mails) == 1 and "expires in 5 days" in mails[0].body_text


def test_revoked_and_renewed_labels_get_no_reminder(app, label):
    from labelling.certificates.imports import import_label

    revoked = labelled_organisation(
        create_user("revoked@example.org"),
        "gold",
        date(2025, 3, 10),
        status="revoked",
        reason="Dissolved",
    )
    assert revoked.valid_until == EXPIRY
    # Renewed in January 2027: the new label continues the old one, which needs no reminder.
    renewal = import_label(
        label.organisation,
        "gold",
        date(2027, 1, 20),
        current_framework(),
        label.application.created_by,
        "Renewal",
        with_certificate=False,
    )
    db.session.commit()
    assert renewal.previous_label_id == label.id
    run(EXPIRY - timedelta(days=7))
    assert expiry_mails("expiring@example.org") == []
    assert expiry_mails("revoked@example.org") == []
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_days_can_come_from_the_environment(app, label, monkeypatch):
    from labelling.config import load_config

    monkeypatch.setenv("LABELLING_LABEL_EXPIRY_REMINDER_DAYS_BEFORE", "60, 14")
    load_config(app, {"TESTING_CONFIG": True, **{k: app.config[k] for k in ("DATABASE_URL",)}})
    assert app.config["LABEL_EXPIRY_REMINDER_DAYS_BEFORE"] == ["60", "14"]
    run(EXPIRY - timedelta(days=20))
    mails = expiry_mails("expiring@example.org")
    assert len(mails) == 1 and "expires in 20 days" in mails[0].body_text
    run(EXPIRY - timedelta(days=14))
    assert len(expiry_mails("expiring@example.org")) == 2
