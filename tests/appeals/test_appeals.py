"""Appeals: lodged by the organisation's team within the framework's period against a
refusal, a lower level, a suspension or a revocation; decided by a panel of at least two
people who took no part; an overturn re-opens the decision or restores the label."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from labelling.accounts.models import Role
from labelling.appeals.models import Appeal
from labelling.assessments import decisions, services
from labelling.assessments.models import Application
from labelling.assessments.workflow import State
from labelling.certificates import services as certificates
from labelling.certificates.models import Label
from labelling.core.audit import events_for
from labelling.extensions import db
from tests.factories import (
    application_with_team,
    create_user,
    last_email,
    sign_in,
    with_mini_framework,
)


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


@pytest.fixture
def refused(app):
    application, people = application_with_team(State.ASSESSED)
    decisions.refuse_label(application, people["secretariat"], "The evidence did not hold.")
    db.session.commit()
    people["panel_a"] = create_user("pa@example.org", "Paula Panel", roles=(Role.SECRETARIAT,))
    people["panel_b"] = create_user("pb@example.org", "Piet Panel", roles=(Role.SECRETARIAT,))
    return application, people


def as_user(client, user):
    client.post("/logout")
    sign_in(client, user.email)


def lodge(client, application, grounds="The assessors misread our member list."):
    return client.post(f"/applications/{application.id}/appeal", data={"grounds": grounds})


def appeals() -> list[Appeal]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Appeal)))


def refreshed(application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


def test_the_team_appeals_a_refusal_and_the_secretariat_is_told(client, refused):
    application, people = refused
    as_user(client, people["applicant"])
    page = client.get(f"/applications/{application.id}").text
    assert "Appeal against this decision" in page
    form = client.get(f"/applications/{application.id}/appeal")
    assert form.status_code == 200 and "An appeal can be lodged until" in form.text
    assert lodge(client, application, grounds="").status_code == 422
    assert appeals() == []
    response = lodge(client, application)
    assert response.status_code == 303
    (appeal,) = appeals()
    assert (appeal.subject, appeal.state) == ("refusal", "lodged")
    assert "appealed against the refusal" in last_email(people["secretariat"].email).body_text
    assert [e.action for e in events_for("application", application.id)][-1] == "appeal.lodged"
    assert "Appeal lodged" in client.get(f"/applications/{application.id}").text


def test_appeals_refused_with_the_reason_and_nothing_changed(client, refused):
    application, people = refused
    as_user(client, people["outsider"])
    assert lodge(client, application).status_code == 403
    as_user(client, people["applicant"])
    assert lodge(client, application).status_code == 303
    second = lodge(client, application)
    assert second.status_code == 409 and "appealed already" in second.text
    assert len(appeals()) == 1


def test_an_appeal_after_the_period_is_refused(client, refused):
    application, people = refused
    application = refreshed(application)
    application.decided_at = application.decided_at - timedelta(days=31)
    db.session.commit()
    as_user(client, people["applicant"])
    late = lodge(client, application)
    assert late.status_code == 409 and "period for an appeal" in late.text
    assert appeals() == []


def test_an_award_at_the_level_applied_for_cannot_be_appealed(client, app):
    application, people = application_with_team(State.ASSESSED)
    framework = services.framework_of(application)
    decisions.award_label(application, framework, people["secretariat"], "gold", date.today())
    db.session.commit()
    as_user(client, people["applicant"])
    assert lodge(client, application).status_code == 409
    assert "Appeal against this decision" not in client.get(f"/applications/{application.id}").text


def form_panel(client, appeal, *members):
    return client.post(
        f"/appeals/{appeal.id}/panel", data={"members": [member.id for member in members]}
    )


def test_the_panel_has_two_people_who_took_no_part(client, refused):
    application, people = refused
    as_user(client, people["applicant"])
    lodge(client, application)
    (appeal,) = appeals()
    as_user(client, people["secretariat"])
    page = client.get(f"/appeals/{appeal.id}").text
    assert "took the decision appealed" in page  # the secretariat member who refused
    assert form_panel(client, appeal, people["panel_a"]).status_code == 422  # one is too few
    # The secretariat member who decided may not sit; neither may an assessor of it.
    conflicted = form_panel(client, appeal, people["panel_a"], people["secretariat"])
    assert conflicted.status_code == 409 and "took part" in conflicted.text
    people["secretariat_assessor"].grant(Role.SECRETARIAT)
    db.session.commit()
    assessed = form_panel(client, appeal, people["panel_a"], people["secretariat_assessor"])
    assert assessed.status_code == 409
    assert appeals()[0].state == "lodged"
    assert form_panel(client, appeal, people["panel_a"], people["panel_b"]).status_code == 303
    assert appeals()[0].state == "under_review"
    assert "You sit on the panel" in last_email(people["panel_b"].email).subject


def under_review(client, application, people) -> Appeal:
    """The manager appeals; the secretariat forms the panel of Paula and Piet."""
    as_user(client, people["applicant"])
    lodge(client, application)
    (appeal,) = appeals()
    as_user(client, people["secretariat"])
    form_panel(client, appeal, people["panel_a"], people["panel_b"])
    return appeals()[0]


def test_only_the_panel_decides_and_an_upheld_refusal_stands(client, refused):
    application, people = refused
    appeal = under_review(client, application, people)
    decision = {
        "outcome": "uphold",
        "reasons": "The member list was read right.",
        "confirmed": "yes",
    }
    assert client.post(f"/appeals/{appeal.id}/decision", data=decision).status_code == 403
    as_user(client, people["panel_a"])
    asked = client.post(f"/appeals/{appeal.id}/decision", data={**decision, "confirmed": ""})
    assert asked.status_code == 200 and "Record the panel&#39;s decision?" in asked.text
    assert client.post(f"/appeals/{appeal.id}/decision", data=decision).status_code == 303
    assert appeals()[0].state == "upheld"
    assert refreshed(application).status == State.REFUSED
    assert "Appeal rejected" in last_email(people["applicant"].email).subject


def test_an_overturned_refusal_is_decided_again_and_the_certificate_follows(client, refused):
    application, people = refused
    appeal = under_review(client, application, people)
    as_user(client, people["panel_b"])
    overturn = {"outcome": "overturn", "reasons": "The list shows 40 members.", "confirmed": "yes"}
    assert client.post(f"/appeals/{appeal.id}/decision", data=overturn).status_code == 303
    application = refreshed(application)
    assert application.status == State.ASSESSED and application.decided_at is None
    # The decision is taken again, by a member of staff, and the certificate is issued.
    as_user(client, people["panel_a"])
    awarded = client.post(
        f"/secretariat/applications/{application.id}/decision",
        data={
            "decision": "award",
            "award-level": "gold",
            "award-assessment_date": date.today().isoformat(),
            "award-reason": "Awarded after the appeal.",
            "confirmed": "yes",
        },
    )
    assert awarded.status_code == 303
    label = db.session.scalar(db.select(Label).filter_by(application_id=application.id))
    assert label is not None and certificates.current_certificate(label) is not None


def test_a_revoked_label_is_under_appeal_then_restored(client, app):
    application, people = application_with_team(State.ASSESSED)
    framework = services.framework_of(application)
    decisions.award_label(application, framework, people["secretariat"], "gold", date.today())
    db.session.commit()
    label = db.session.scalar(db.select(Label).filter_by(application_id=application.id))
    certificates.change_label_status(label, "revoke", people["secretariat"], "Fees unpaid.")
    db.session.commit()
    number = certificates.current_certificate(label).number
    panel = [
        create_user(f"p{i}@example.org", f"Panel {i}", roles=(Role.SECRETARIAT,)) for i in (1, 2)
    ]
    as_user(client, people["applicant"])
    assert "Appeal against this decision" in client.get("/dashboard").text
    assert client.post(f"/labels/{label.id}/appeal", data={"grounds": "Paid."}).status_code == 303
    client.post("/logout")
    assert "Under appeal" in client.get(f"/verify/{number}").text
    (appeal,) = appeals()
    assert appeal.subject == "revocation"
    sign_in(client, people["secretariat"].email)
    assert form_panel(client, appeal, *panel).status_code == 303
    as_user(client, panel[0])
    overturn = {"outcome": "overturn", "reasons": "The fees were paid.", "confirmed": "yes"}
    assert client.post(f"/appeals/{appeal.id}/decision", data=overturn).status_code == 303
    db.session.expire_all()
    assert db.session.get(Label, label.id).status == "active"
    client.post("/logout")
    verification = client.get(f"/verify/{number}").text
    assert "Valid" in verification and "Under appeal" not in verification


def test_a_level_below_the_one_applied_for_can_be_appealed(app):
    from labelling.appeals.services import subject_of_application

    application, people = application_with_team(State.ASSESSED)
    framework = services.framework_of(application)
    decisions.award_label(
        application, framework, people["secretariat"], "bronze", date.today(), "Bronze only."
    )
    db.session.commit()
    assert subject_of_application(application, framework).value == "lower_level"


def test_an_overdue_panel_is_reminded_once(client, refused):
    from labelling.appeals.reminders import overdue_panels
    from labelling.notifications.reminders import reminder_providers, send_reminders

    application, people = refused
    appeal = under_review(client, application, people)
    assert list(overdue_panels(appeal.due_on)) == []  # due today: not overdue yet
    late = appeal.due_on + timedelta(days=1)
    assert overdue_panels in reminder_providers()
    assert send_reminders([overdue_panels], late) == 2  # one per panel member
    assert send_reminders([overdue_panels], late) == 0  # never twice
    db.session.commit()
    assert "Overdue" in last_email(people["panel_a"].email).subject
