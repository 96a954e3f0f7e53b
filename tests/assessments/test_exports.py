"""The manager's answers as XLSX and PDF, read back; PDF rendering fetches nothing outside."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from labelling.assessments.models import Application
from labelling.core.pdf import StaticOnlyFetcher, render_pdf
from labelling.extensions import db
from tests.factories import create_org, create_user, sign_in


@pytest.fixture
def application(client, manager):
    org = create_org(manager, legal_name="Ελληνικό Cluster Ærø Łódź")
    sign_in(client, manager.email)
    client.post(f"/organisations/{org.id}/applications/new", data={"level": "gold", "kind": "new"})
    application = db.session.scalars(select(Application)).one()
    client.post(
        f"/applications/{application.id}/questionnaire/financing",
        data={"budget_total": "480000", "budget_private": "150000"},
    )
    return application


def test_xlsx_holds_the_answers_and_the_indicators(client, application):
    response = client.get(f"/applications/{application.id}/answers.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    rows = {row[1]: row for row in workbook["Answers"].iter_rows(values_only=True)}
    assert rows["budget_total"][3] == 480000 and rows["budget_total"][4] == "EUR"
    assert rows["members_sme"][3] == 30  # prefilled from the profile
    indicators = list(workbook["Indicators"].iter_rows(values_only=True))
    assert len(indicators) == 1 + 31
    assert indicators[1][:2] == ("1.1.0", "Commitment of cluster participants")
    about = dict(workbook["About"].iter_rows(values_only=True))
    assert about["Organisation"] == "Ελληνικό Cluster Ærø Łódź"
    assert about["Criteria"] == "ecei-2013@2013.1"


def test_pdf_summary_reads_back(client, application):
    response = client.get(f"/applications/{application.id}/summary.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 2
    assert "Ελληνικό Cluster Ærø Łódź" in text
    assert "Annual budget of the cluster management" in text and "480,000 EUR" in text
    assert "4.1.5 Review of strategy and action plan" in text


def test_only_viewers_download(client, application):
    client.post("/logout")
    sign_in(client, create_user("outsider@example.org").email)
    assert client.get(f"/applications/{application.id}/answers.xlsx").status_code == 403
    assert client.get(f"/applications/{application.id}/summary.pdf").status_code == 403


def test_pdf_rendering_refuses_outside_urls(app, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = f"""<html><head>
      <link rel="stylesheet" href="css/print.css">
      <link rel="stylesheet" href="file://{secret}">
      <link rel="stylesheet" href="https://example.org/evil.css">
      </head><body><img src="http://169.254.169.254/latest/meta-data">
      <img src="../../../etc/passwd"><p>Hello</p></body></html>"""
    with app.test_request_context():
        fetcher = StaticOnlyFetcher(app.static_folder)
        pdf = render_pdf(html, fetcher)
    assert pdf.startswith(b"%PDF-")
    assert any(url.startswith("file://") for url in fetcher.refused)
    assert "https://example.org/evil.css" in fetcher.refused
    assert "http://169.254.169.254/latest/meta-data" in fetcher.refused
    assert not any("print.css" in url for url in fetcher.refused)  # our own file is served
    assert len(fetcher.refused) == 4


def test_nothing_typed_becomes_a_formula_in_the_workbook(client, manager):
    formula = '=HYPERLINK("http://evil.example/","Open")'
    org = create_org(manager, legal_name=formula)
    sign_in(client, manager.email)
    client.post(f"/organisations/{org.id}/applications/new", data={"level": "gold", "kind": "new"})
    application = db.session.scalars(select(Application)).one()
    saved = client.post(
        f"/applications/{application.id}/questionnaire/achievements",
        data={"success_story_summary": "@SUM(A1:A9)", "press_items_per_year": "3"},
    )
    assert saved.status_code in (303, 422)
    assert application.answer_values()["success_story_summary"] == "@SUM(A1:A9)"
    workbook = load_workbook(
        io.BytesIO(client.get(f"/applications/{application.id}/answers.xlsx").data)
    )
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    about = dict(workbook["About"].iter_rows(values_only=True))
    assert about["Organisation"] == "'" + formula
    answers = {row[1]: row[3] for row in workbook["Answers"].iter_rows(values_only=True)}
    assert answers["success_story_summary"] == "'@SUM(A1:A9)"
    assert answers["press_items_per_year"] == 3  # numbers stay numbers
