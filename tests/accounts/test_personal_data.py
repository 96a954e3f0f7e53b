"""A person downloads what the platform holds about them, and may have their account
erased; evidence of refused and withdrawn applications is deleted after its retention."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from labelling.accounts.models import Role, User
from labelling.assessments.models import Application, Evidence
from labelling.assessments.workflow import State
from labelling.certificates.models import Label
from labelling.core.audit import AuditEvent, verify_chain
from labelling.core.storage import file_storage
from labelling.extensions import db
from labelling.notifications.models import OutboxMessage
from labelling.organisations.models import Membership
from tests.assessments.test_evidence import application, real_pdf, upload  # noqa: F401
from tests.conftest import PASSWORD
from tests.factories import create_user, labelled_organisation, sign_in


def download(client) -> tuple[dict, dict[str, bytes]]:
    response = client.post("/account/data/download")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files.pop("personal-data.json")), files


def test_the_download_holds_every_record_and_file_and_no_secret(
    client,
    manager,
    application,  # noqa: F811 - a fixture: the manager's organisation, signed in
):
    content = real_pdf()
    upload(client, application, content, "strategy.pdf")
    client.post("/password/forgot", data={"email": manager.email})  # an e-mail to them
    other = create_user("someone.else@example.org")
    document, files = download(client)
    records = document["records"]
    assert document["account_id"] == manager.id
    [account] = records["user"]
    assert account["email"] == manager.email and "password_hash" not in account
    assert "totp_secret" not in account
    assert records["organisation_membership"][0]["user_id"] == manager.id
    assert all("token_hash" not in row for row in records["user_session"])
    assert {row["template"] for row in records["outbox_message"]} >= {"password_reset"}
    assert any(row["action"] == "application.evidence_added" for row in records["audit_event"])
    [evidence] = records["evidence"]
    assert files == {f"files/evidence/{evidence['id']}-strategy.pdf": content}
    assert other.email not in json.dumps(document)


def test_erasure_needs_the_password_and_keeps_the_record(client, manager):
    label = labelled_organisation(manager, "gold")
    sign_in(client, manager.email)
    events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    wrong = client.post("/account/erase", data={"current_password": "nope", "confirm": "y"})
    assert wrong.status_code == 422 and "This is not your password." in wrong.text
    response = client.post("/account/erase", data={"current_password": PASSWORD, "confirm": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    erased = db.session.get(User, manager.id)
    assert erased.email == f"erased-{manager.id}@erased.invalid"
    assert erased.full_name == f"Erased account #{manager.id}"
    assert not erased.is_enabled and erased.roles == set()
    assert db.session.scalars(select(Membership).filter_by(user_id=manager.id)).all() == []
    assert db.session.scalars(select(OutboxMessage)).all() == []
    assert db.session.get(Label, label.id).status == "active"  # the organisation's record
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events_before + 1
    count, broken = verify_chain()
    assert broken is None and count == events_before + 1
    assert client.get("/account").status_code == 302  # signed out
    again = sign_in(client, "manager@example.org")
    assert again.status_code == 401


def test_the_only_administrator_cannot_erase_themselves(client):
    admin = create_user("admin@example.org", roles=(Role.ADMIN,))
    sign_in(client, admin.email)
    response = client.post("/account/erase", data={"current_password": PASSWORD, "confirm": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, admin.id).email == "admin@example.org"


class TestRetention:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "EVIDENCE_RETENTION_YEARS": 3}

    def ended(self, application, state: State, year: int):  # noqa: F811
        decider, level = application.created_by_id, application.level
        application.state = state
        application.decided_at = datetime(year, 6, 1, tzinfo=UTC)
        application.decided_by_id = decider
        if state == State.AWARDED:
            application.awarded_level = level
            application.assessment_date = date(year, 5, 1)
        db.session.commit()

    def test_a_dry_run_lists_then_the_run_deletes_only_what_is_past_retention(
        self,
        app,
        client,
        application,  # noqa: F811
    ):
        upload(client, application, real_pdf(), "old.pdf")
        self.ended(application, State.REFUSED, date.today().year - 4)
        stored = db.session.scalars(select(Evidence.stored_name)).one()
        runner = app.test_cli_runner()
        dry = runner.invoke(args=["purge-evidence", "--dry-run"])
        assert f"application #{application.id} (refused" in dry.output
        assert "1 file(s) of 1 application(s) would be deleted (dry run: nothing was)" in dry.output
        assert list(file_storage().names()) == [stored]
        real = runner.invoke(args=["purge-evidence"])
        assert "1 file(s) of 1 application(s) deleted; kept 3 years." in real.output
        assert (
            list(file_storage().names()) == [] and db.session.scalars(select(Evidence)).all() == []
        )
        assert (
            db.session.scalars(select(AuditEvent.action)).all()[-1] == "application.evidence_purged"
        )
        assert runner.invoke(args=["purge-evidence"]).output.startswith("0 file(s)")

    def test_recent_and_awarded_applications_keep_their_evidence(
        self,
        app,
        client,
        application,  # noqa: F811
    ):
        upload(client, application, real_pdf(), "recent.pdf")
        self.ended(application, State.WITHDRAWN, date.today().year - 2)
        result = app.test_cli_runner().invoke(args=["purge-evidence"])
        assert result.output.startswith("0 file(s)")
        self.ended(application, State.AWARDED, date.today().year - 10)
        result = app.test_cli_runner().invoke(args=["purge-evidence"])
        assert result.output.startswith("0 file(s)")
        assert db.session.scalar(select(func.count()).select_from(Application)) == 1
        assert len(list(file_storage().names())) == 1
