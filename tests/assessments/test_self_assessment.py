"""The self-assessment by indicator, and not-applicable claims with their justification."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from labelling.assessments.models import Application, NotApplicableClaim
from labelling.extensions import db
from tests.factories import create_org, sign_in


@pytest.fixture
def application(client, manager):
    org = create_org(manager)
    sign_in(client, manager.email)
    client.post(f"/organisations/{org.id}/applications/new", data={"level": "gold", "kind": "new"})
    return db.session.scalars(select(Application)).one()


def test_every_indicator_is_listed_with_its_threshold(client, application):
    html = client.get(f"/applications/{application.id}/self-assessment").get_data(as_text=True)
    assert html.count('<th scope="row">') == 31
    assert "1.1.2 Number of committed participants" in html
    assert "≥ 30 members" in html and "≥ 15 members" in html  # Gold and baseline
    assert "≥ 3 types and Share of companies among members ≥ 50 %" in html
    assert "within the last 36 months" in html and "band ≥ 3" in html
    assert "provisional" in html
    # The profile prefilled 25 committed of 41 members: 1.1.2 (>= 30) is not met yet.
    assert "no answer yet" in html


def test_not_applicable_needs_a_justification(client, application):
    url = f"/applications/{application.id}/self-assessment"
    missing = client.post(url, data={"na_1_2": "y", "why_1_2": "  "})
    assert missing.status_code == 422
    assert "Say why this indicator does not apply." in missing.get_data(as_text=True)
    assert db.session.scalars(select(NotApplicableClaim)).all() == []
    saved = client.post(url, data={"na_1_2": "y", "why_1_2": "A cross-border cluster."})
    assert saved.status_code == 303
    db.session.refresh(application)
    assert application.not_applicable_claims() == {"1.2": "A cross-border cluster."}
    html = client.get(url).get_data(as_text=True)
    assert "not applicable" in html and "A cross-border cluster." in html
    # Unticking withdraws the claim.
    client.post(url, data={"why_1_2": "A cross-border cluster."})
    db.session.refresh(application)
    assert application.not_applicable_claims() == {}


def test_indicators_that_do_not_allow_it_cannot_be_waived(client, application):
    url = f"/applications/{application.id}/self-assessment"
    client.post(url, data={"na_1_1_2": "y", "why_1_1_2": "We are small."})
    db.session.refresh(application)
    assert application.not_applicable_claims() == {}
    assert 'name="na_1_1_2"' not in client.get(url).get_data(as_text=True)
