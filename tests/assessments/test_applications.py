"""Starting an application: eligibility from the profile, the pinned framework, withdrawal."""

from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm.exc import StaleDataError

from labelling.accounts.models import Role
from labelling.assessments import services
from labelling.assessments.models import Application
from labelling.assessments.workflow import Action, State
from labelling.core.audit import events_for
from labelling.criteria.loader import DEFAULT_DIRECTORY
from labelling.extensions import db
from labelling.frameworks.services import current_framework
from tests.factories import create_org, create_user, sign_in


def start(client, org, level="gold", kind="new"):
    return client.post(
        f"/organisations/{org.id}/applications/new", data={"level": level, "kind": kind}
    )


def test_team_member_starts_a_pinned_draft_and_sees_eligibility(client, manager):
    org = create_org(manager)
    sign_in(client, manager.email)
    page = client.get(f"/organisations/{org.id}/applications/new").get_data(as_text=True)
    assert "At least 15 committed members" in page and "Assessed by 2 experts" in page
    response = start(client, org)
    assert response.status_code == 303
    application = db.session.scalars(select(Application)).one()
    framework = current_framework()
    assert (application.state, application.level, application.kind) == ("draft", "gold", "new")
    assert application.framework_key == "ecei-2013@2013.1"
    assert application.framework_digest == framework.digest
    (event,) = events_for("application", application.id)
    assert (event.action, event.to_state, event.actor_id) == (
        "application.created",
        "draft",
        manager.id,
    )
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Gold application" in html and "Draft" in html and "Application started" in html
    assert "not eligible yet" not in html
    assert f"/applications/{application.id}" in client.get(f"/organisations/{org.id}").get_data(
        as_text=True
    )


def test_ineligible_organisation_is_told_why(client, manager):
    org = create_org(manager, committed_members=5, is_website_in_english=False)
    sign_in(client, manager.email)
    start(client, org, level="bronze")
    application = db.session.scalars(select(Application)).one()
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "not eligible yet" in html
    assert "Not met:</strong> At least 15 committed members" in html
    assert "Not met:</strong> A website in English" in html
    assert "Met:</strong> At least 2 types of members" in html


def test_unknown_level_is_refused_and_nothing_is_saved(client, manager):
    org = create_org(manager)
    sign_in(client, manager.email)
    assert start(client, org, level="platinum").status_code == 422
    assert start(client, org, kind="forever").status_code == 422
    assert db.session.scalars(select(Application)).all() == []


def test_only_the_team_starts_and_only_team_and_secretariat_see(client, manager, secretariat):
    org = create_org(manager)
    sign_in(client, manager.email)
    start(client, org)
    application = db.session.scalars(select(Application)).one()
    client.post("/logout")
    for user in (
        create_user("outsider@example.org"),
        create_user("assessor@example.org", roles=(Role.ASSESSOR,)),
    ):
        sign_in(client, user.email)
        assert start(client, org).status_code == 403
        assert client.get(f"/applications/{application.id}").status_code == 403
        assert client.post(f"/applications/{application.id}/withdraw").status_code == 403
        client.post("/logout")
    sign_in(client, secretariat.email)
    assert start(client, org).status_code == 403  # the secretariat never applies
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Withdraw the application" not in page  # it sees, but may not withdraw
    assert client.post(f"/applications/{application.id}/withdraw").status_code == 403


def test_withdraw_is_audited_and_a_second_click_gets_409(client, manager):
    org = create_org(manager)
    sign_in(client, manager.email)
    start(client, org)
    application = db.session.scalars(select(Application)).one()
    url = f"/applications/{application.id}/withdraw"
    # The first click only asks: it names the consequence and changes nothing.
    asked = client.post(url, data={"comment": "We apply next year."})
    assert asked.status_code == 200 and "Withdraw the application?" in asked.text
    assert 'name="confirmed" value="yes"' in asked.text
    assert 'value="We apply next year."' in asked.text  # the reason travels on
    db.session.refresh(application)
    assert application.state == State.DRAFT
    confirmed = {"comment": "We apply next year.", "confirmed": "yes"}
    assert client.post(url, data=confirmed).status_code == 303
    db.session.refresh(application)
    assert application.state == State.WITHDRAWN
    event = events_for("application", application.id)[-1]
    assert (event.action, event.from_state, event.to_state, event.comment) == (
        "application.withdraw",
        "draft",
        "withdrawn",
        "We apply next year.",
    )
    again = client.post(url)
    assert again.status_code == 409
    assert "can no longer take this step" in again.get_data(as_text=True)
    assert client.post(f"/applications/{application.id}/award").status_code == 404
    assert client.post(f"/applications/{application.id}/explode").status_code == 404


def test_concurrent_change_is_detected_not_overwritten(app, manager):
    org = create_org(manager)
    framework = current_framework()
    application = services.start_application(org, "bronze", "new", manager, framework)
    db.session.commit()
    # Another request withdraws it meanwhile (its own connection, its own version bump).
    with db.engine.begin() as conn:
        conn.execute(
            update(Application)
            .where(Application.id == application.id)
            .values(state=State.WITHDRAWN, row_version=Application.row_version + 1)
        )
    with pytest.raises(StaleDataError):
        services.apply_transition(application, Action.WITHDRAW, manager, "twice")
    db.session.rollback()


class TestNewerFrameworkVersion:
    @pytest.fixture
    def app_config(self, app_config, tmp_path):
        criteria = tmp_path / "criteria"
        shutil.copytree(DEFAULT_DIRECTORY, criteria)
        return {**app_config, "CRITERIA_DIRECTORY": str(criteria)}

    def test_an_application_keeps_its_version_when_a_new_one_is_published(
        self, app, client, manager
    ):
        org = create_org(manager)
        sign_in(client, manager.email)
        start(client, org)
        old = db.session.scalars(select(Application)).one()
        # Publish 2013.2 with a different Gold validity; restart the app to load it.
        directory = app.config["CRITERIA_DIRECTORY"]
        text = (DEFAULT_DIRECTORY / "ecei-2013" / "2013.1.yaml").read_text()
        newer = text.replace('version: "2013.1"', 'version: "2013.2"')
        with open(f"{directory}/ecei-2013/2013.2.yaml", "w") as fh:
            fh.write(newer)
        from labelling.criteria.loader import FrameworkRegistry

        app.extensions["criteria"] = FrameworkRegistry.from_directory(directory)
        start(client, org, level="bronze")
        new = db.session.scalars(select(Application).where(Application.id != old.id)).one()
        assert new.framework_version == "2013.2"
        db.session.refresh(old)
        assert old.framework_version == "2013.1"
        assert "version 2013.1" in client.get(f"/applications/{old.id}").get_data(as_text=True)


def test_dashboard_says_what_to_do_next(client, manager):
    org = create_org(manager)
    sign_in(client, manager.email)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Apply for a label" in html and "Labels held" in html
    start(client, org)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Gold application of" in html and "Draft" in html
    assert re.search(r"Complete the questionnaire: \d+ of 42 answered.", html)
    application = db.session.scalars(select(Application)).one()
    client.post(f"/applications/{application.id}/withdraw", data={"confirmed": "yes"})
    assert "Withdrawn" in client.get("/dashboard").get_data(as_text=True)


def test_a_second_application_for_a_level_in_progress_is_refused_with_the_reason(client, manager):
    """Issue 28, finding 10: a second Gold application could be started while one was in
    assessment, with no notice."""
    org = create_org(manager)
    sign_in(client, manager.email)
    assert start(client, org).status_code == 303
    first = db.session.scalars(select(Application)).one()
    db.session.execute(
        update(Application).where(Application.id == first.id).values(state=State.IN_ASSESSMENT)
    )
    db.session.commit()
    page = client.get(f"/organisations/{org.id}/applications/new").text
    assert "Already in progress for this organisation" in page
    assert f'href="/applications/{first.id}"' in page
    refused = start(client, org)
    assert refused.status_code == 422
    assert "An application for Gold is already in progress (In assessment)." in refused.text
    assert 'id="level-error"' in refused.text
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1
    assert start(client, org, level="silver").status_code == 303  # another level may start
