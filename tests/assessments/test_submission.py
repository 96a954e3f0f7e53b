"""Attestation and submission: blocked with reasons, frozen answers, no double submission."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select

from labelling.assessments.models import Application
from labelling.core.audit import events_for
from labelling.extensions import db
from tests.factories import create_org, sign_in, with_mini_framework

DECLARATION = {"full_name": "Maria Manager", "role": "Cluster manager", "declaration": "y"}


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


@pytest.fixture
def application(client, manager):
    org = create_org(manager)
    sign_in(client, manager.email)
    client.post(
        f"/organisations/{org.id}/applications/new", data={"level": "bronze", "kind": "new"}
    )
    return db.session.scalars(select(Application)).one()


def answer_everything(client, application, members="40"):
    base = f"/applications/{application.id}/questionnaire"
    client.post(f"{base}/s1", data={"members": members, "committed": "12", "regional": "10"})
    client.post(f"{base}/s2", data={"turnover": "20", "strategy": "3"})


def test_an_incomplete_application_is_saved_but_not_submitted(client, application):
    url = f"/applications/{application.id}/submit"
    page = client.get(url).get_data(as_text=True)
    assert "required questions are still unanswered" in page
    # Issue 28, finding 11: which ones, each with a link to its place.
    base = f"/applications/{application.id}/questionnaire"
    assert f'<a href="{base}/s1#members">' in page and f'<a href="{base}/s2#strategy">' in page
    client.post(f"{base}/s1", data={"members": "40", "committed": "12", "regional": "10"})
    page = client.get(url).get_data(as_text=True)
    assert f"{base}/s1#" not in page and f'<a href="{base}/s2#turnover">' in page
    response = client.post(url, data=DECLARATION)
    assert response.status_code == 409
    db.session.refresh(application)
    assert application.state == "draft" and application.submitted_at is None


def test_an_ineligible_application_is_told_why(client, application):
    answer_everything(client, application, members="10")
    response = client.post(f"/applications/{application.id}/submit", data=DECLARATION)
    assert response.status_code == 409
    assert "the eligibility criteria are not all met" in response.get_data(as_text=True)


def test_the_declaration_must_be_confirmed(client, application):
    answer_everything(client, application)
    response = client.post(
        f"/applications/{application.id}/submit", data={**DECLARATION, "declaration": ""}
    )
    assert response.status_code == 422
    assert "Please confirm the declaration." in response.get_data(as_text=True)


def test_submission_stores_the_attestation_and_freezes_the_answers(client, manager, application):
    answer_everything(client, application)
    response = client.post(f"/applications/{application.id}/submit", data=DECLARATION)
    assert response.status_code == 303
    db.session.refresh(application)
    assert application.state == "submitted"
    assert (application.attested_name, application.attested_role) == (
        "Maria Manager",
        "Cluster manager",
    )
    assert application.attested_by_id == manager.id and application.submitted_at is not None
    submitted = {
        "answers": application.answer_values(),
        "not_applicable": {},
        "improvement_areas": [],
    }
    canonical = json.dumps(submitted, sort_keys=True, separators=(",", ":"))
    assert application.answers_sha256 == hashlib.sha256(canonical.encode()).hexdigest()
    event = events_for("application", application.id)[-1]
    assert (event.action, event.from_state, event.to_state) == (
        "application.submit",
        "draft",
        "submitted",
    )
    # Frozen: the questionnaire no longer accepts changes from the manager.
    frozen = client.post(f"/applications/{application.id}/questionnaire/s1", data={"members": "99"})
    assert frozen.status_code == 403
    # A second tab or a double click meets the new state: 409, nothing changes.
    again = client.post(f"/applications/{application.id}/submit", data=DECLARATION)
    assert again.status_code == 409
    assert [e.action for e in events_for("application", application.id)].count(
        "application.submit"
    ) == 1
