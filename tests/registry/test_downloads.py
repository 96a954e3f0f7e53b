"""Downloads of the whole register stream from the read model in batches and chunks, and
hold exactly what the paged API holds."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from labelling.api import exports
from labelling.registry import search


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of two rows and chunks of 200 bytes: the five organisations of the seeded
    registry then take several of each, as 100,000 take several thousand."""
    monkeypatch.setattr(search, "DOWNLOAD_BATCH", 2)
    monkeypatch.setattr(exports, "CHUNK_BYTES", 200)


def streamed(client, path: str) -> tuple[list[bytes], object]:
    response = client.get(path, buffered=False)
    assert response.status_code == 200 and response.is_streamed
    chunks = [chunk for chunk in response.response if chunk]
    response.close()
    return chunks, response


def api_items(client, query: str = "") -> list[dict]:
    return client.get(f"/api/v1/organisations?per_page=100{query}").get_json()["items"]


def test_the_csv_streams_in_chunks_and_lists_every_organisation(client, registry, small_batches):
    chunks, response = streamed(client, "/api/v1/registry.csv?sort=-level")
    assert len(chunks) >= 3
    assert response.mimetype == "text/csv"
    assert 'filename="labelled-clusters-' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert rows[0] == exports.COLUMNS
    expected = api_items(client, "&sort=-level")
    assert [row[0] for row in rows[1:]] == [item["organisation"]["name"] for item in expected]
    assert [row[12] for row in rows[1:]] == [
        item["label"]["certificate_number"] or "" for item in expected
    ]
    assert [row[13] for row in rows[1:]] == [
        item["organisation"]["registry_url"] for item in expected
    ]


def test_the_json_download_holds_the_api_items_themselves(client, registry, small_batches):
    chunks, response = streamed(client, "/api/v1/registry.json?country=DE")
    assert len(chunks) >= 3 and response.mimetype == "application/json"
    body = json.loads(b"".join(chunks))
    assert body["total"] == 2 == len(body["items"])
    assert body["items"] == api_items(client, "&country=DE")


def test_the_xlsx_download_is_a_workbook_of_the_same_rows(client, registry, small_batches):
    chunks, _response = streamed(client, "/api/v1/registry.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(chunks)))["Registry"]
    assert [cell.value for cell in sheet[1]] == exports.COLUMNS
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    names = sorted(cell.value for cell in sheet["A"][1:])
    assert names == sorted(item["organisation"]["name"] for item in api_items(client))


def test_a_download_with_bad_filters_is_refused_before_streaming(client, registry):
    response = client.get("/api/v1/registry.json?level=platinum")
    assert response.status_code == 400
    assert "level" in response.get_json()["error"]["fields"]
