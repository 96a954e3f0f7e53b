"""After a decision every page tells the truth: the verified result instead of the
self-assessment wording, the label's live status with its reason, and the certificate one
click away from the application, organisation, dashboard and label pages and the e-mail."""

from __future__ import annotations

from datetime import date

import pytest

from labelling.assessments import decisions, rating, services
from labelling.assessments.workflow import State
from labelling.certificates import services as certificates
from labelling.certificates.models import Label
from labelling.extensions import db
from tests.factories import application_with_team, last_email, sign_in, with_mini_framework

SELF_ASSESSED_WORDING = (
    "self-assessed, before verification",
    "On the answers so far, the rules allow",
    "Checked against the answers given so far",
    "Provisional excellence score",
)


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


@pytest.fixture
def awarded(app):
    application, people = application_with_team(State.ASSESSED)
    framework = services.framework_of(application)
    decisions.award_label(application, framework, people["secretariat"], "gold", date(2026, 3, 15))
    db.session.commit()
    label = db.session.scalar(db.select(Label).filter_by(application_id=application.id))
    return application, people, label


def certificate_url(label) -> str:
    return f"/labels/{label.id}/certificate.pdf"


def test_the_awarded_application_shows_the_verified_result_and_the_certificate(client, awarded):
    application, people, label = awarded
    sign_in(client, people["applicant"].email)
    page = client.get(f"/applications/{application.id}").text
    for stale in SELF_ASSESSED_WORDING:
        assert stale not in page
    assert "The Gold label was awarded on" in page and "assessment of 15 Mar 2026" in page
    assert "Excellence score verified by the assessors" in page
    assert certificate_url(label) in page
    assert f"/applications/{application.id}/report" in page
    assert f"/applications/{application.id}/benchmarking" in page
    number = certificates.current_certificate(label).number
    assert f"/verify/{number}" in page
    pdf = client.get(certificate_url(label))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_the_certificate_is_linked_from_every_page_of_the_label(client, awarded):
    application, people, label = awarded
    sign_in(client, people["applicant"].email)
    assert certificate_url(label) in client.get("/dashboard").text
    assert certificate_url(label) in client.get(f"/organisations/{label.organisation_id}").text
    mail = last_email(people["applicant"].email)
    assert f"/applications/{application.id}/certificate.pdf" in mail.body_text
    by_mail = client.get(f"/applications/{application.id}/certificate.pdf")
    assert by_mail.status_code == 200 and by_mail.data.startswith(b"%PDF")
    client.post("/logout")
    sign_in(client, people["secretariat"].email)
    assert certificate_url(label) in client.get(f"/secretariat/labels/{label.id}").text


def test_another_organisation_cannot_fetch_the_certificate_by_application(client, awarded):
    application, people, _label = awarded
    sign_in(client, people["outsider"].email)
    assert client.get(f"/applications/{application.id}/certificate.pdf").status_code == 403
    assert client.get("/applications/99999/certificate.pdf").status_code == 404


@pytest.mark.parametrize(("action", "shown"), [("revoke", "Revoked"), ("suspend", "Suspended")])
def test_a_revocation_or_suspension_shows_on_the_application_and_dashboard(
    client, awarded, action, shown
):
    application, people, label = awarded
    certificates.change_label_status(label, action, people["secretariat"], "Fees unpaid.")
    db.session.commit()
    sign_in(client, people["applicant"].email)
    for url in (
        f"/applications/{application.id}",
        "/dashboard",
        f"/organisations/{label.organisation_id}",
    ):
        page = client.get(url).text
        assert f"{shown} on " in page and "Reason: Fees unpaid." in page, url
    assert f"Label: {shown}" in client.get(f"/applications/{application.id}").text


def test_the_history_groups_a_day_of_ratings_into_one_line(client, awarded):
    application, people, _label = awarded

    framework = services.framework_of(application)
    db.session.expire_all()
    fresh = db.session.get(type(application), application.id)
    fresh.state = State.IN_ASSESSMENT.value
    for code in ("1.1", "1.2", "2.1", "2.2"):
        rating.record_score(fresh, framework, people["lead"], code, rating.RatingInput())
    fresh.state = State.AWARDED.value
    db.session.commit()
    sign_in(client, people["secretariat"].email)
    page = client.get(f"/applications/{application.id}").text
    assert "<strong>Lena Lead</strong>: rated 4 indicators" in page
    assert page.count("Indicator rated") == 4  # the single events, folded under the line
    assert "<details>" in page
