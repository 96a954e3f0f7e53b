"""An award creates the organisation's label; its status follows the date and its state."""

from __future__ import annotations

from datetime import date

import pytest

from labelling.assessments import decisions, review, services
from labelling.assessments.workflow import State
from labelling.certificates.models import Label, LabelStatus
from labelling.extensions import db
from tests.factories import application_with_team, sign_in, with_mini_framework


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def award(application, people, assessed=date(2026, 3, 15)) -> Label:
    framework = services.framework_of(application)
    decisions.award_label(application, framework, people["secretariat"], "gold", assessed)
    db.session.commit()
    return db.session.scalar(db.select(Label).filter_by(application_id=application.id))


def test_an_award_creates_the_label_shown_on_the_dashboard(app, client):
    application, people = application_with_team(State.ASSESSED)
    label = award(application, people)
    assert (label.level, label.framework_version) == ("gold", "1.0")
    assert (label.valid_from, label.valid_until) == (date(2026, 3, 15), date(2028, 2, 29))
    assert label.organisation_id == application.organisation_id
    sign_in(client, people["applicant"].email)
    page = client.get("/dashboard").text
    assert "valid 2026/03/15 to 2028/02/29" in page


@pytest.mark.parametrize(
    ("status", "day", "expected"),
    [
        ("active", date(2027, 1, 1), LabelStatus.ACTIVE),
        ("active", date(2028, 2, 29), LabelStatus.ACTIVE),
        ("active", date(2028, 3, 1), LabelStatus.EXPIRED),
        ("active", date(2026, 3, 14), LabelStatus.NOT_YET_VALID),
        ("suspended", date(2027, 1, 1), LabelStatus.SUSPENDED),
        ("revoked", date(2027, 1, 1), LabelStatus.REVOKED),
        ("revoked", date(2030, 1, 1), LabelStatus.REVOKED),
    ],
)
def test_status_on_a_day(status, day, expected):
    label = Label(
        level="gold", status=status, valid_from=date(2026, 3, 15), valid_until=date(2028, 2, 29)
    )
    assert label.status_on(day) is expected


def test_previous_label_facts_come_from_labels_in_good_standing(app):
    application, people = application_with_team(State.ASSESSED)
    label = award(application, people, assessed=date(2025, 3, 1))
    renewal = services.start_application(
        application.organisation, "silver", "new", people["applicant"], services.current_framework()
    )
    db.session.commit()
    level, age = review.previous_label_facts(renewal)
    today = date.today()
    assert level == "gold"
    assert age == (today.year - 2025) * 12 + today.month - 3
    label.status, label.status_reason = "revoked", "Misrepresented members"
    db.session.commit()
    assert review.previous_label_facts(renewal) == (None, None)
