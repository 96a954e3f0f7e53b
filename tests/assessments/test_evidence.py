"""Evidence uploads: checked by content and size, names sanitised, served only to viewers."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select
from weasyprint import HTML

from labelling.assessments.models import Application, Evidence
from labelling.extensions import db
from tests.factories import create_org, create_user, sign_in


def real_pdf() -> bytes:
    return HTML(string="<h1>Strategy 2026-2030</h1>").write_pdf()


def office_file(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return buffer.getvalue()


@pytest.fixture
def application(client, manager):
    org = create_org(manager)
    sign_in(client, manager.email)
    client.post(f"/organisations/{org.id}/applications/new", data={"level": "gold", "kind": "new"})
    return db.session.scalars(select(Application)).one()


def upload(client, application, content: bytes, name: str, question="strategy_document"):
    return client.post(
        f"/applications/{application.id}/evidence",
        data={
            "question_id": question,
            "description": "Our strategy",
            "document": (io.BytesIO(content), name),
        },
        content_type="multipart/form-data",
    )


def evidence_rows():
    return db.session.scalars(select(Evidence)).all()


def stored_files(app) -> list[Path]:
    directory = Path(app.instance_path) / "evidence"
    return list(directory.iterdir()) if directory.exists() else []


def test_a_pdf_is_stored_listed_and_served_to_the_team_only(app, client, application):
    content = real_pdf()
    response = upload(client, application, content, "../../etc/Stratégie 2026.pdf")
    assert response.status_code == 303
    (item,) = evidence_rows()
    assert item.filename == "etc_Strategie_2026.pdf"  # sanitised, no path
    assert (item.content_type, item.size) == ("application/pdf", len(content))
    listing = client.get(f"/applications/{application.id}/evidence").get_data(as_text=True)
    assert "etc_Strategie_2026.pdf" in listing and "Maria Manager" in listing
    download = client.get(f"/applications/{application.id}/evidence/{item.id}")
    assert download.status_code == 200 and download.data == content
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    # Finding 5 of issue 15: private files went out with only "no-cache".
    assert download.headers["Cache-Control"] == "no-store"
    client.post("/logout")
    sign_in(client, create_user("outsider@example.org").email)
    assert client.get(f"/applications/{application.id}/evidence/{item.id}").status_code == 403
    assert client.get(f"/applications/{application.id}/evidence").status_code == 403


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00 this is a program", "report.pdf"),
        (b"<html><script>alert(1)</script></html>", "page.png"),
        (b"PK\x03\x04 not really a zip", "sheet.xlsx"),
    ],
)
def test_disguised_files_are_refused_and_nothing_is_written(
    app, client, application, content, name
):
    response = upload(client, application, content, name)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "its content was checked, not its name" in html
    assert 'id="document-error"' in html
    assert evidence_rows() == [] and stored_files(app) == []


@pytest.mark.parametrize(("kind", "expected"), [("docx", ".docx"), ("xlsx", ".xlsx")])
def test_office_documents_are_recognised_by_their_content(client, application, kind, expected):
    assert upload(client, application, office_file(kind), f"plan.{kind}").status_code == 303
    assert evidence_rows()[0].filename == "plan" + expected


def test_links_and_the_either_or_rule(client, application):
    url = f"/applications/{application.id}/evidence"
    neither = client.post(url, data={"question_id": "strategy_document"})
    assert "Choose a document or give a link." in neither.get_data(as_text=True)
    link = client.post(
        url,
        data={"question_id": "press_items_per_year", "url": "https://cluster.example.org/press"},
    )
    assert link.status_code == 303
    assert evidence_rows()[0].url == "https://cluster.example.org/press"


def test_removing_evidence_deletes_the_file(app, client, application):
    upload(client, application, real_pdf(), "a.pdf")
    (item,) = evidence_rows()
    assert len(stored_files(app)) == 1
    response = client.post(f"/applications/{application.id}/evidence/{item.id}/delete")
    assert response.status_code == 303
    assert evidence_rows() == [] and stored_files(app) == []


class TestSizeLimits:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "EVIDENCE_MAX_BYTES": 2000, "MAX_CONTENT_LENGTH": 200_000}

    def test_a_file_over_the_limit_is_refused_next_to_the_field(self, app, client, application):
        response = upload(client, application, b"%PDF-1.7\n" + b"0" * 5000, "big.pdf")
        assert response.status_code == 422
        assert "larger than" in response.get_data(as_text=True)
        assert evidence_rows() == [] and stored_files(app) == []

    def test_a_request_over_the_hard_limit_gets_413(self, client, application):
        response = upload(client, application, b"%PDF-1.7\n" + b"0" * 300_000, "huge.pdf")
        assert response.status_code == 413
        assert "The upload is too large" in response.get_data(as_text=True)
