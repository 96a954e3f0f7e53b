"""The existing register comes in: a generated 1,500-row file with the mistakes real
registers have, checked by a dry run, imported, and imported again to no effect."""

from __future__ import annotations

import csv
import html
import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from labelling.accounts.models import Role
from labelling.certificates.models import Certificate, Label
from labelling.certificates.register_import import parse_date, website_host
from labelling.extensions import db
from labelling.organisations.models import Invitation, Organisation
from tests.factories import create_user, sign_in

HEADER = [
    "Organisation",
    "Country",
    "Technology area",
    "Website",
    "Level",
    "Valid until",
    "Certificate number",
    "Assessment date",
    "City",
    "E-mail of a contact",
]
COUNTRIES = [
    "DE",
    "Germany",
    "Allemagne",
    "Niemcy",
    "FRA",
    "France",
    "Francia",
    "ES",
    "España",
    "Italia",
    "PL",
    "Polska",
    "Schweden",
    "AT",
    "Österreich",
    "Belgique",
]
LEVELS = ["Gold", "silver", "BRONZE label", "gold"]
AREAS = ["Food", "ict", "Biotechnology", "energy_environment", "Maritime and water"]
YEAR = date.today().year

# The mistakes, by row number (the header is row 1), and what the dry run says of each.
MISTAKES = {
    10: ("country", "Atlantis", "unknown country 'Atlantis'"),
    20: ("valid_until", "2027/02/30", "impossible date '2027/02/30'"),
    30: ("level", "Platinum", "unknown level 'Platinum'"),
    40: ("website", "https://www.cluster5.example.org/", "the same organisation as row 5"),
    50: ("organisation", "CLUSTER NUMBER 6", "the same organisation as row 6"),
}
EXPIRED_ROW = 60


def register_rows(count: int) -> list[list[str]]:
    rows = [HEADER]
    for n in range(2, count + 2):
        valid = f"{YEAR + 1 + n % 3}/{n % 12 + 1:02d}/28"
        row = {
            "organisation": f"Cluster number {n}",
            "country": COUNTRIES[n % len(COUNTRIES)],
            "technology_area": AREAS[n % len(AREAS)],
            "website": f"https://cluster{n}.example.org",
            "level": LEVELS[n % 4],
            "valid_until": valid if n % 2 else valid.replace("/", "-"),  # both date forms
            "certificate_number": f"EU-{n:05d}",
            "assessment_date": "",
            "city": f"City {n}",
            "contact_email": f"contact{n}@example.org" if n % 3 == 0 else "",
        }
        if n in MISTAKES:
            column, value, _message = MISTAKES[n]
            row[column] = value
        if n == 50:  # the same name as row 6, in the same country
            row["country"] = COUNTRIES[6 % len(COUNTRIES)]
        if n == EXPIRED_ROW:
            row["valid_until"] = f"{YEAR - 2}/01/31"
        rows.append(list(row.values()))
    return rows


def as_csv(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return buffer.getvalue().encode()


@pytest.fixture
def staff(app):
    return create_user("sec@example.org", "Sam Secretariat", roles=(Role.SECRETARIAT,))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.slow  # about a minute: 1,495 certificates rendered by WeasyPrint
def test_a_1500_row_register_is_checked_imported_and_imported_again_to_no_effect(
    app, staff, tmp_path
):
    path = tmp_path / "register.csv"
    path.write_bytes(as_csv(register_rows(1500)))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["import-register", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    for number, (_column, _value, message) in MISTAKES.items():
        assert f"row {number}: {message}" in dry.output
    assert f"row {EXPIRED_ROW}: the label expired on {YEAR - 2}-01-31" in dry.output
    assert dry.output.splitlines()[-1] == (
        "Dry run, nothing changed. 1,500 rows: 1,495 labels recorded (1,494 with a "
        "certificate), 1,495 organisations created, 499 contacts invited, 0 already "
        "recorded, 5 rows with problems."
    )
    assert count(Organisation) == 0 and count(Label) == 0

    real = runner.invoke(args=["import-register", str(path), "--actor", staff.email])
    assert real.exit_code == 0, real.output
    assert "1,495 labels recorded (1,494 with a certificate)" in real.output
    assert (count(Organisation), count(Label), count(Certificate)) == (1495, 1495, 1494)
    assert count(Invitation) == 499

    again = runner.invoke(args=["import-register", str(path), "--actor", staff.email])
    assert (
        "0 labels recorded (0 with a certificate), 0 organisations created, 0 contacts "
        "invited, 1,495 already recorded, 5 rows with problems" in again.output
    )
    assert (count(Organisation), count(Label), count(Certificate)) == (1495, 1495, 1494)
    assert count(Invitation) == 499


def test_the_secretariat_checks_then_confirms_an_xlsx_upload(app, client, staff):
    workbook = Workbook()
    for row in register_rows(12):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    admin = create_user("admin@example.org", roles=(Role.ADMIN,))
    sign_in(client, admin.email)
    report = client.post(
        "/secretariat/labels/import",
        data={"register": (io.BytesIO(buffer.getvalue()), "register.xlsx")},
        content_type="multipart/form-data",
    )
    assert report.status_code == 200
    page = report.get_data(as_text=True)
    assert "unknown country &#39;Atlantis&#39;" in page and "11 labels to record" in page
    assert count(Label) == 0  # nothing before the confirmation
    key = page.split('name="upload" type="hidden" value="')[1].split('"')[0]
    confirmed = client.post("/secretariat/labels/import/confirm", data={"upload": key})
    assert confirmed.status_code == 302
    assert count(Label) == 11
    again = client.post("/secretariat/labels/import/confirm", data={"upload": key})
    assert again.status_code == 302 and count(Label) == 11  # the upload is spent


def test_an_unreadable_file_is_refused_next_to_the_field(client, staff):
    sign_in(client, staff.email)
    response = client.post(
        "/secretariat/labels/import",
        data={"register": (io.BytesIO(b"name;place\nA;B\n"), "register.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Columns missing from the first row" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2027/03/31", date(2027, 3, 31)),
        ("2027-03-31", date(2027, 3, 31)),
        ("2027/02/30", None),
        ("31.03.2027", None),
    ],
)
def test_dates_are_read_in_the_register_forms(text, expected):
    assert parse_date(text) == expected


def test_websites_are_compared_by_host():
    assert website_host("https://www.Cluster.example.org/about") == "cluster.example.org"
    assert website_host("cluster.example.org") == "cluster.example.org"
    assert website_host("not a site") is None


def test_a_register_as_bodies_keep_them_is_read_as_meant(app):
    """Issue 26, finding 6 (part): a header saying "Label valid until", countries in their
    own language, a quoted name with doubled quotes beyond the first 4 KB, and a name that
    a spreadsheet would run as a formula."""
    from labelling.certificates.register_import import check_rows, read_rows
    from labelling.frameworks.services import current_framework

    header = ["Organisation", "Country", "Technology area", "Website", "Level"]
    rows = [[*header, "Label valid until"]]
    countries = ["Ελλάδα", "Danmark", "Suomi", "Česko", "Magyarország", "Germany"]
    for n in range(2, 102):  # well over 4 KB before the quoted name
        rows.append(
            [
                f"Cluster number {n}",
                countries[n % len(countries)],
                "Food",
                f"https://cluster{n}.example.org",
                "Gold",
                f"{YEAR + 1}/06/30",
            ]
        )
    rows.append(
        ['Klaster "Dolina", Rzeszów', "Polska", "Food", "https://dolina.example.pl", "Gold",
         f"{YEAR + 1}/06/30"]
    )  # fmt: skip
    rows.append(
        ['=HYPERLINK("http://evil.example","x")', "Malta", "Food", "https://mt.example.org",
         "Gold", f"{YEAR + 1}/06/30"]
    )  # fmt: skip
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)  # quotes doubled inside quoted fields, as Excel does
    content = buffer.getvalue().encode()
    assert content.index(b'""Dolina""') > 4096

    checked = check_rows(read_rows("register.csv", content), current_framework())
    by_name = {row.values["organisation"]: row for row in checked}
    dolina = by_name['Klaster "Dolina", Rzeszów']
    assert (
        dolina.importable and dolina.country == "PL" and dolina.website_host == "dolina.example.pl"
    )
    codes = {"Ελλάδα": "GR", "Danmark": "DK", "Suomi": "FI", "Česko": "CZ", "Magyarország": "HU"}
    for row in checked[:6]:
        assert row.country == codes.get(row.values["country"], "DE"), row.values["country"]
    assert all(row.importable for row in checked[:-1]), [r.problems for r in checked if r.problems]
    formula = checked[-1]
    assert formula.problems == [
        'the name looks like a spreadsheet formula: \'=HYPERLINK("http://evil.example","x")\''
    ]


def test_the_dry_run_gives_the_rows_to_look_at_as_a_csv(app, client, staff):
    """Issue 26, finding 6: every flagged row with its reasons, to correct the file by;
    its cells plain, the formula-like name included."""
    rows = register_rows(12)
    rows[3][0] = '=HYPERLINK("http://evil.example","x")'  # row 4
    admin = create_user("admin@example.org", roles=(Role.ADMIN,))
    sign_in(client, admin.email)
    report = client.post(
        "/secretariat/labels/import",
        data={"register": (io.BytesIO(as_csv(rows)), "register.csv")},
        content_type="multipart/form-data",
    )
    page = report.get_data(as_text=True)
    assert "Download the rows to look at (CSV)" in page
    key = page.split('name="upload" type="hidden" value="')[1].split('"')[0]
    download = client.post("/secretariat/labels/import/flagged.csv", data={"upload": key})
    assert download.status_code == 200 and download.mimetype == "text/csv"
    flagged = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    by_row = {int(line["row"]): line for line in flagged}
    assert sorted(by_row) == [4, 10]
    assert by_row[10]["problems"] == "unknown country 'Atlantis'"
    assert by_row[10]["imported"] == "no" and by_row[10]["country"] == "Atlantis"
    assert by_row[4]["organisation"].startswith("'=HYPERLINK")  # plain text, not a formula
    assert "spreadsheet formula" in by_row[4]["problems"]
    assert count(Label) == 0  # a download records nothing


def test_the_command_writes_the_rows_to_look_at(app, tmp_path):
    register = tmp_path / "register.csv"
    register.write_bytes(as_csv(register_rows(12)))
    flagged = tmp_path / "flagged.csv"
    result = app.test_cli_runner().invoke(
        args=["import-register", str(register), "--dry-run", "--flagged-csv", str(flagged)]
    )
    assert result.exit_code == 0, result.output
    lines = list(csv.DictReader(flagged.open(encoding="utf-8")))
    assert [(line["row"], line["problems"]) for line in lines] == [
        ("10", "unknown country 'Atlantis'")
    ]


def test_columns_named_otherwise_are_mapped_on_the_page_and_the_command(app, client, tmp_path):
    """Issue 26, finding 6: an explicit column mapping, for headers no list knows."""
    rows = register_rows(6)
    rows[0][HEADER.index("Valid until")] = "Gültig bis (Label)"
    rows[0][HEADER.index("Technology area")] = "Branche"
    content = as_csv(rows)
    admin = create_user("admin@example.org", roles=(Role.ADMIN,))
    sign_in(client, admin.email)
    refused = client.post(
        "/secretariat/labels/import",
        data={"register": (io.BytesIO(content), "register.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "Columns missing from the first row" in refused.get_data(as_text=True)
    wrong = client.post(
        "/secretariat/labels/import",
        data={"register": (io.BytesIO(content), "register.csv"), "columns": "Branche = sector"},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 422 and "Not a column mapping" in wrong.get_data(as_text=True)
    mapping = "Gültig bis (Label) = valid until\nBranche = technology area"
    report = client.post(
        "/secretariat/labels/import",
        data={"register": (io.BytesIO(content), "register.csv"), "columns": mapping},
        content_type="multipart/form-data",
    )
    page = report.get_data(as_text=True)
    assert report.status_code == 200 and "6 labels to record" in page
    key = page.split('name="upload" type="hidden" value="')[1].split('"')[0]
    sent = html.unescape(page.split('name="columns" type="hidden" value="')[1].split('"')[0])
    confirm = "/secretariat/labels/import/confirm"
    assert client.post(confirm, data={"upload": key}).status_code == 400  # not as checked
    client.post(confirm, data={"upload": key, "columns": sent})
    assert count(Label) == 6  # the confirmation read the file with the same mapping

    register = tmp_path / "register.csv"
    register.write_bytes(content)
    mapped = ["--column", "Gültig bis (Label)=valid until", "--column", "Branche=technology area"]
    result = app.test_cli_runner().invoke(
        args=["import-register", str(register), "--dry-run", *mapped]
    )
    assert result.exit_code == 0 and "6 labels already recorded" not in result.output
    assert "Dry run, nothing changed." in result.output
