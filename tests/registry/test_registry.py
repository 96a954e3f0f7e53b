"""The public registry against a seeded data set: filters, facet counts, order, pages."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from labelling.registry.charts import horizontal_bars, nice_maximum, stacked_columns
from tests.factories import create_org, create_user, labelled_organisation
from tests.registry.conftest import TODAY, days_ago


def api(client, query: str = "") -> dict:
    response = client.get(f"/api/v1/organisations{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def names(body: dict) -> list[str]:
    return [item["organisation"]["name"] for item in body["items"]]


def counts(body: dict, facet: str) -> dict[str, int]:
    return {row["value"]: row["count"] for row in body["facets"][facet]}


def test_only_current_labels_are_listed_once_per_organisation(client, registry):
    body = api(client)
    assert body["total"] == 5
    assert names(body) == [
        "Bavarian ICT Network e.V.",
        "Kraków Aviation Valley",
        "Øresund Food Cluster",
        "Pôle Agroalimentaire Île-de-France",
        "Stuttgart Mobility Cluster",
    ]  # by name, with Ø among the O's
    assert "Berlin Health Cluster" not in names(body)  # revoked
    assert "Hamburg Energy Cluster" not in names(body)  # expired
    stuttgart = next(i for i in body["items"] if i["organisation"]["city"] == "Stuttgart")
    assert stuttgart["label"]["level"] == "gold"


def test_facet_counts_on_the_seeded_set(client, registry):
    body = api(client)
    assert counts(body, "level") == {"gold": 3, "silver": 1, "bronze": 1}
    assert counts(body, "country") == {"DE": 2, "DK": 1, "FR": 1, "PL": 1}
    assert counts(body, "status") == {"active": 4, "suspended": 1}
    assert counts(body, "technology_area") == {
        "food": 2,
        "ict": 1,
        "aviation_space": 1,
        "production_engineering": 1,
    }
    expected_years: dict[str, int] = {}
    for days in (60, 400, 200, 30, 20):
        year = str(days_ago(days).year)
        expected_years[year] = expected_years.get(year, 0) + 1
    assert counts(body, "year") == expected_years


def test_a_facet_counts_with_the_other_filters_but_not_its_own(client, registry):
    body = api(client, "?level=gold")
    assert body["total"] == 3
    # Choosing Gold still shows the other levels' counts, so the choice can be widened ...
    assert counts(body, "level") == {"gold": 3, "silver": 1, "bronze": 1}
    # ... while every other facet counts only Gold organisations.
    assert counts(body, "country") == {"DE": 2, "DK": 1}
    assert counts(body, "technology_area") == {
        "food": 1,
        "ict": 1,
        "production_engineering": 1,
    }
    widened = api(client, "?level=gold&level=bronze&country=DE&country=PL")
    assert sorted(names(widened)) == [
        "Bavarian ICT Network e.V.",
        "Kraków Aviation Valley",
        "Stuttgart Mobility Cluster",
    ]
    assert counts(widened, "country") == {"DE": 2, "PL": 1, "DK": 1}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("oresund", ["Øresund Food Cluster"]),
        ("ØRESUND", ["Øresund Food Cluster"]),
        ("ile paris", ["Pôle Agroalimentaire Île-de-France"]),
        ("krakow", ["Kraków Aviation Valley"]),
        ("munchen", ["Bavarian ICT Network e.V."]),  # the city
        ("cluster food", ["Øresund Food Cluster"]),
        ("100%_", []),  # LIKE wildcards are literal
        ("berlin", []),  # revoked, not listed
    ],
)
def test_search_folds_case_and_accents_and_needs_every_word(client, registry, q, expected):
    assert names(api(client, f"?q={q}")) == expected


def test_filters_by_status_and_year(client, registry):
    assert names(api(client, "?status=suspended")) == ["Kraków Aviation Valley"]
    year = days_ago(400).year
    body = api(client, f"?year={year}")
    assert "Pôle Agroalimentaire Île-de-France" in names(body)
    assert all(item["label"]["assessment_date"].startswith(str(year)) for item in body["items"])


def test_sorting_and_pages(client, registry):
    by_level = api(client, "?sort=-level")
    assert [i["label"]["level"] for i in by_level["items"]] == [
        "gold",
        "gold",
        "gold",
        "silver",
        "bronze",
    ]
    expiring = api(client, "?sort=valid_until")
    dates = [i["label"]["valid_until"] for i in expiring["items"]]
    assert dates == sorted(dates)
    first = api(client, "?per_page=2&sort=name")
    assert first["pages"] == 3 and first["total"] == 5 and len(first["items"]) == 2
    assert first["links"]["prev"] is None and "page=2" in first["links"]["next"]
    last = api(client, "?per_page=2&sort=name&page=3")
    assert len(last["items"]) == 1 and last["links"]["next"] is None
    everything = names(first) + names(api(client, "?per_page=2&page=2")) + names(last)
    assert everything == names(api(client, "?sort=name"))
    assert api(client, "?page=9")["items"] == []


def test_the_registry_page_shows_columns_facets_and_pages(client, registry):
    html = client.get("/registry?per_page=2").get_data(as_text=True)
    assert "5 organisations" in html
    for column in ("Technology area", "Website", "Level", "Valid until"):
        assert f'<th scope="col">{column}</th>' in html
    assert "Bavarian ICT Network e.V." in html and "Kraków Aviation Valley" in html
    assert "Øresund" not in html  # on the next page
    assert 'rel="next"' in html and "Page 1 of 3" in html
    assert 'id="facet-level-gold"' in html and 'Gold <span class="count">(3)</span>' in html
    assert 'for="q"' in html  # every input has a label
    filtered = client.get("/registry?level=silver&q=ile").get_data(as_text=True)
    assert "1 organisation" in filtered and "Pôle Agroalimentaire" in filtered
    assert 'value="silver" checked' in filtered
    # The download links carry the filters (not the page, not blank values) and work.
    blank = client.get("/registry?level=gold&sort=&page=2&per_page=1").get_data(as_text=True)
    link = blank.split('href="/api/v1/registry.csv')[1].split('"')[0].replace("&amp;", "&")
    assert link == "?level=gold"
    assert client.get(f"/api/v1/registry.csv{link}").status_code == 200


def test_bad_parameters_get_a_clear_error_not_a_500(client, registry):
    page = client.get("/registry?per_page=1000&level=platinum")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Some filters could not be used" in html and "Must be one of" in html
    response = client.get("/api/v1/organisations?page=0&country=germany")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and set(error["fields"]) == {"page", "country"}


def test_an_organisation_page_shows_its_label_history_without_scores(client, registry):
    label = registry["berlin"]
    html = client.get(f"/registry/organisations/{label.organisation_id}").get_data(as_text=True)
    assert "Berlin Health Cluster" in html
    assert "Revoked" in html and "The organisation was dissolved." in html
    assert "score" not in html.lower().replace("scores are not published", "")
    stuttgart = client.get(f"/registry/organisations/{registry['stuttgart'].organisation_id}")
    text = stuttgart.get_data(as_text=True)
    assert text.count('<th scope="row">') == 2  # Bronze, then Gold: the whole history
    assert "/seal/" in text  # the current label's seal and its embed code


def test_an_organisation_that_never_held_a_label_is_not_public(client, registry):
    unlabelled = create_org(create_user("private@example.org"))
    assert client.get(f"/registry/organisations/{unlabelled.id}").status_code == 404
    assert client.get(f"/api/v1/organisations/{unlabelled.id}").status_code == 404
    assert client.get("/api/v1/organisations/99999999999").status_code == 404


def test_the_seal_shows_the_live_status_and_links_to_the_entry(app, client, registry):
    from labelling.certificates import services
    from labelling.extensions import db

    label = registry["munich"]
    response = client.get(f"/seal/{label.id}.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert "Valid" in svg and "GOLD" in svg
    assert f"/registry/organisations/{label.organisation_id}" in svg
    assert response.headers["Cache-Control"] == "public, max-age=60"
    services.change_label_status(label, "suspend", label.application.decided_by, "Audit")
    db.session.commit()
    assert "Suspended" in client.get(f"/seal/{label.id}.svg").get_data(as_text=True)


def test_statistics_count_by_level_country_and_year(client, registry):
    html = client.get("/registry/statistics").get_data(as_text=True)
    assert '<svg class="chart" role="img"' in html
    assert '<th scope="row">Gold</th><td class="num">3</td>' in html
    germany_row = '<th scope="row"><a href="/registry?country=DE">Germany</a></th>'
    assert germany_row in html
    # Germany: Bavaria (Gold) and Stuttgart (Gold); the revoked and expired do not count.
    germany = html.split(germany_row)[1].split("</tr>")[0]
    assert germany.count('<td class="num">') == 4 and germany.endswith('<td class="num">2</td>')
    assert f'<th scope="row">{TODAY.year}</th>' in html


def test_csv_and_xlsx_downloads_follow_the_filters(client, registry):
    response = client.get("/api/v1/registry.csv?country=DE")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["name", "short_name", "city"]
    assert sorted(row[0] for row in rows[1:]) == [
        "Bavarian ICT Network e.V.",
        "Stuttgart Mobility Cluster",
    ]
    workbook = load_workbook(io.BytesIO(client.get("/api/v1/registry.xlsx").data))
    sheet = workbook["Registry"]
    assert sheet.max_row == 6 and sheet["A1"].value == "name"
    assert "Øresund Food Cluster" in [cell.value for cell in sheet["A"]]


def test_downloads_defuse_spreadsheet_formulas(client, app):
    labelled_organisation(create_user("f@example.org"), "bronze", legal_name="=HYPERLINK(1)")
    rows = list(
        csv.reader(io.StringIO(client.get("/api/v1/registry.csv").data.decode("utf-8-sig")))
    )
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_the_api_allows_cross_origin_reads(client, registry):
    response = client.get("/api/v1/organisations", headers={"Origin": "https://example.com"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-Total-Count"] == "5"
    preflight = client.options(
        "/api/v1/organisations",
        headers={"Origin": "https://example.com", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert client.post("/api/v1/organisations").status_code in (400, 405)


def test_organisation_and_label_resources(client, registry):
    label = registry["krakow"]
    body = client.get(f"/api/v1/organisations/{label.organisation_id}").get_json()
    assert body["name"] == "Kraków Aviation Valley" and body["country"] == "PL"
    assert body["labels"][0]["status"] == "suspended"
    assert body["labels"][0]["status_reason"].startswith("The cluster manager left")
    assert "score" not in str(body).lower()
    single = client.get(f"/api/v1/labels/{label.id}").get_json()
    assert single["level"] == "bronze" and single["seal_url"].endswith(f"/seal/{label.id}.svg")
    assert client.get("/api/v1/labels/424242").get_json()["error"]["status"] == 404


def test_chart_geometry():
    assert [nice_maximum(v) for v in (0, 1, 3, 7, 12, 45, 101)] == [1, 1, 5, 10, 20, 50, 200]
    bars, ticks, height = horizontal_bars([("a", 5), ("b", 10)], width=100)
    assert [bar.width for bar in bars] == [50, 100] and height == 60
    assert ticks[0].value == 0 and ticks[-1].position == 100
    segments, _ticks, width = stacked_columns([("2025", [("gold", 2), ("silver", 3)])], 100)
    assert [s.height for s in segments] == [40, 60] and segments[1].y == 0 and width == 42


def test_the_public_pages_speak_german_and_french(client, registry):
    german = client.get("/registry", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Name oder Stadt" in german and "5 Organisationen" in german
    assert '<html lang="de">' in german
    french = client.get("/registry/statistics", headers={"Accept-Language": "fr"})
    assert "Organisations labellisées par niveau" in french.get_data(as_text=True)
