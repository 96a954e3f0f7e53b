"""The secretariat's analytics: distributions over all organisations, the year's trend,
and an export with no name or number that points back to an organisation."""

from __future__ import annotations

import csv
import io
import statistics

import pytest
from openpyxl import load_workbook

from labelling.accounts.models import Role
from labelling.benchmarking.analytics import pseudonym
from labelling.frameworks.messages import format_number
from tests.benchmarking.test_peers import MEMBERS, peers  # noqa: F401 - the fixture
from tests.factories import create_user, sign_in, with_mini_framework


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


@pytest.fixture
def staff(app):
    return create_user("analyst@example.org", roles=(Role.SECRETARIAT,))


def test_only_staff_see_the_analytics(client, peers):  # noqa: F811
    sign_in(client, "peers@example.org")
    assert client.get("/secretariat/benchmarking").status_code == 403
    assert client.get("/secretariat/benchmarking/export.csv").status_code == 403


def test_distributions_and_the_trend(client, peers, staff):  # noqa: F811
    sign_in(client, staff.email)
    html = client.get("/secretariat/benchmarking?metric=members").text
    q1, median, q3 = statistics.quantiles(MEMBERS, n=4, method="inclusive")
    row = html.split(">Members</a></th>")[1].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in row.split('<td class="num">')[1:]] == [
        "8",
        "25",
        format_number(q1),
        format_number(median),
        format_number(q3),
        "120",
    ]
    assert "By year: Members" in html
    year = peers[0].submitted_at.year
    trend = html.split('id="trend-heading"')[1]
    assert f'<th scope="row">{year}</th><td class="num">8</td>' in trend


def test_the_export_is_anonymised(client, peers, staff):  # noqa: F811
    sign_in(client, staff.email)
    response = client.get("/secretariat/benchmarking/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 8
    assert sorted(float(row["members"]) for row in rows) == sorted(MEMBERS)
    text = response.data.decode("utf-8-sig")
    for application in peers:
        assert application.organisation.legal_name not in text
    assert "organisation_id" not in rows[0] and "application_id" not in rows[0]
    pseudonyms = {row["organisation_pseudonym"] for row in rows}
    assert len(pseudonyms) == 8
    assert pseudonym(peers[0].organisation_id) in pseudonyms
    assert str(peers[0].organisation_id) not in pseudonyms
    workbook = load_workbook(io.BytesIO(client.get("/secretariat/benchmarking/export.xlsx").data))
    assert workbook["Benchmark data"].max_row == 9
