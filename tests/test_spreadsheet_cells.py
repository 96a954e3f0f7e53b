"""Issue 25, finding 2: an answer or an organisation name starting with "=" was written as a
live formula into answers.xlsx. One rule (core.cells) now writes every cell; this test
types formula-like text into every free-text field a user fills that reaches a
spreadsheet, through the forms, and reads every CSV and XLSX export back: no cell is a
formula, and each typed value arrives as plain text."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from labelling.accounts.models import Role
from labelling.assessments.models import Application
from labelling.certificates.imports import import_label
from labelling.extensions import db
from labelling.frameworks.services import current_framework
from labelling.organisations.models import Organisation
from tests.factories import create_user, form_data, organisation_data, sign_in

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
TYPED = {
    "legal_name": '=HYPERLINK("http://evil.example/","Open")',
    "short_name": "+SUM(1,2)",
    "region": "-2+3",
    "city": "@cmd",
    "legal_form": "=1+1",
    "contact_name": "=DDE(1)",
    "contact_phone": "+49 30 1234",
}
ANSWER = '=HYPERLINK("http://evil.example/answer","x")'


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_cells(content: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    cells = [cell for row in rows for cell in row]
    live = [c for c in cells if c.startswith(FORMULA_STARTS) and not is_number(c)]
    assert live == [], f"cells a spreadsheet would run: {live}"
    return cells


def xlsx_cells(content: bytes) -> list:
    workbook = load_workbook(io.BytesIO(content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    formulas = [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert formulas == [], f"formula cells: {formulas}"
    values = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert not [v for v in values if v.startswith(FORMULA_STARTS)]
    return values


def test_formula_like_text_from_every_field_is_plain_in_every_export(app, client):
    manager = create_user("manager@example.org")
    sign_in(client, manager.email)
    created = client.post("/organisations/new", data=form_data(organisation_data(**TYPED)))
    assert created.status_code in (302, 303), created.get_data(as_text=True)[:2000]
    organisation = db.session.scalars(select(Organisation)).one()
    assert organisation.legal_name == TYPED["legal_name"]  # kept as typed
    client.post(
        f"/organisations/{organisation.id}/applications/new", data={"level": "gold", "kind": "new"}
    )
    application = db.session.scalars(select(Application)).one()
    client.post(
        f"/applications/{application.id}/questionnaire/achievements",
        data={"success_story_summary": ANSWER, "press_items_per_year": "3"},
    )
    import_label(
        organisation,
        "gold",
        date.today() - timedelta(days=30),
        current_framework(),
        manager,
        "Test register",
    )
    db.session.commit()

    answers = xlsx_cells(client.get(f"/applications/{application.id}/answers.xlsx").data)
    assert "'" + ANSWER in answers and "'" + TYPED["legal_name"] in answers

    registry_csv = csv_cells(client.get("/api/v1/registry.csv").data)
    registry_xlsx = xlsx_cells(client.get("/api/v1/registry.xlsx").data)
    for field in ("legal_name", "short_name", "region", "city"):
        assert "'" + TYPED[field] in registry_csv
        assert "'" + TYPED[field] in registry_xlsx

    secretariat = create_user("sec@example.org", roles=(Role.SECRETARIAT,))
    client.post("/logout")
    sign_in(client, secretariat.email)
    for kind in ("csv", "xlsx"):
        response = client.get(f"/secretariat/benchmarking/export.{kind}")
        assert response.status_code == 200
        (csv_cells if kind == "csv" else xlsx_cells)(response.data)
