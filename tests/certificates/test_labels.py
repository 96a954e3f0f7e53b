"""An award creates the organisation's label; its status follows the date and its state."""

from __future__ import annotations

import re
from datetime import date

import pytest

from labelling.assessments import decisions, services
from labelling.assessments.workflow import State
from labelling.certificates.models import Label, LabelStatus
from labelling.criteria.scoring import EarlierLabel
from labelling.extensions import db
from labelling.frameworks.services import current_framework
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
    text = words_of(client.get("/dashboard").text)
    # Issue 28, finding 6: the badge and the dates said it twice ("Valid valid ...").
    assert "Valid 15 Mar 2026 to 29 Feb 2028" in text and "Valid valid" not in text
    assert text.count("Awarded") <= 1
    from labelling.certificates import services as labels

    labels.change_label_status(label, "revoke", people["secretariat"], "Figures were false")
    db.session.commit()
    text = words_of(client.get("/dashboard").text)
    assert "Revoked (term 15 Mar 2026 to 29 Feb 2028)" in text, text
    assert "Revoked valid" not in text


def words_of(html: str) -> str:
    """A page's text as a reader sees it: tags dropped, white space as single spaces."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


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


def test_earlier_labels_come_from_labels_in_good_standing(app):
    application, people = application_with_team(State.ASSESSED)
    label = award(application, people, assessed=date(2025, 3, 1))
    renewal = services.start_application(
        application.organisation, "silver", "new", people["applicant"], current_framework()
    )
    db.session.commit()
    assert services.earlier_labels(renewal.organisation_id, renewal.id) == (
        EarlierLabel("gold", date(2025, 3, 1)),
    )
    # The label an application gave does not count for that same application.
    assert services.earlier_labels(application.organisation_id, application.id) == ()
    label.status, label.status_reason = "revoked", "Misrepresented members"
    db.session.commit()
    assert services.earlier_labels(renewal.organisation_id, renewal.id) == ()


ACTION_TABLE = [
    # (stored status, day, action, allowed)
    ("active", date(2027, 1, 1), "suspend", True),
    ("active", date(2027, 1, 1), "restore", False),
    ("active", date(2027, 1, 1), "revoke", True),
    ("suspended", date(2027, 1, 1), "suspend", False),
    ("suspended", date(2027, 1, 1), "restore", True),
    ("suspended", date(2027, 1, 1), "revoke", True),
    ("revoked", date(2027, 1, 1), "suspend", False),
    ("revoked", date(2027, 1, 1), "restore", False),
    ("revoked", date(2027, 1, 1), "revoke", False),
    ("active", date(2029, 1, 1), "suspend", False),  # expired: nothing left to suspend
    ("active", date(2029, 1, 1), "revoke", True),  # a fraud found later still revokes
]


@pytest.mark.parametrize(("stored", "day", "action", "allowed"), ACTION_TABLE)
def test_label_state_rules(stored, day, action, allowed):
    from labelling.certificates.services import can_change

    label = Label(status=stored, valid_from=date(2026, 3, 15), valid_until=date(2028, 2, 29))
    assert can_change(label, action, day) is allowed


def test_the_secretariat_suspends_restores_and_revokes(app, client):
    from labelling.core.audit import events_for
    from tests.factories import last_email

    application, people = application_with_team(State.ASSESSED)
    label = award(application, people, assessed=date.today())
    url = f"/secretariat/labels/{label.id}"
    sign_in(client, people["applicant"].email)
    assert client.get(url).status_code == 403
    assert client.post(url, data={"action": "revoke", "comment": "x"}).status_code == 403
    client.post("/logout")
    sign_in(client, people["secretariat"].email)
    no_reason = client.post(url, data={"action": "suspend"})
    assert no_reason.status_code == 422 and "Please give the reason." in no_reason.text
    assert (
        client.post(url, data={"action": "suspend", "comment": "Audit pending"}).status_code == 303
    )
    db.session.expire_all()
    assert label.status_on(date.today()) is LabelStatus.SUSPENDED
    assert label.status_reason == "Audit pending"
    assert "suspended" in last_email(people["applicant"].email).subject
    assert client.post(url, data={"action": "restore"}).status_code == 303
    assert client.post(url, data={"action": "restore"}).status_code == 409
    asked = client.post(url, data={"action": "revoke", "comment": "  False data "})
    assert asked.status_code == 200 and "A revocation cannot be undone." in asked.text
    # Issue 28, finding 9: the step repeats the reason the public will read.
    assert re.search(
        r"<figcaption>The reason, as it will be published:</figcaption>\s*"
        r"<blockquote>False data</blockquote>",
        asked.text,
    )
    db.session.expire_all()
    assert label.status == "active"  # asking changed nothing
    revoke = {"action": "revoke", "comment": "False data", "confirmed": "yes"}
    assert client.post(url, data=revoke).status_code == 303
    db.session.expire_all()
    assert (label.status, label.status_reason) == ("revoked", "False data")
    assert client.post(url, data={"action": "restore"}).status_code == 409  # final
    actions = [e.action for e in events_for("label", label.id)]
    assert actions == [
        "label.created",
        "label.certificate_issued",
        "label.suspend",
        "label.restore",
        "label.revoke",
    ]
    assert "False data" in client.get(url).text
