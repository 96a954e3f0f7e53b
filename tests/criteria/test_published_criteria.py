"""The published criteria: readable by anyone, every version with its status, the levels,
indicators, thresholds, rubrics and questionnaire, what changed between versions, the
source file as YAML and JSON, a handbook as PDF, and the same through the API."""

from __future__ import annotations

import io
import json
import shutil

import pytest
import yaml
from pypdf import PdfReader

from labelling.criteria.changes import compare
from labelling.criteria.loader import DEFAULT_DIRECTORY, FrameworkRegistry
from tests.factories import MINI_DIRECTORY

ECEI_FILE = DEFAULT_DIRECTORY / "ecei-2013" / "2013.1.yaml"


def test_anyone_reads_the_list_and_every_indicator_of_a_version(client):
    index = client.get("/criteria/")
    assert index.status_code == 200
    assert "ECEI criteria 2013, version 2013.1" in index.text and "In force" in index.text
    assert "1 Jan 2013" in index.text  # published
    page = client.get("/criteria/ecei-2013/2013.1")
    assert page.status_code == 200
    framework = FrameworkRegistry.from_directory().get("ecei-2013", "2013.1")
    for indicator in framework.indicators:
        assert f'id="indicator-{indicator.code}"' in page.text
    assert "provisional" in page.text  # every ECEI threshold is provisional
    assert "A Bronze label or higher, 18 to 24 months old at the assessment" in page.text
    assert "Broad, proven expertise" in page.text  # a rubric band
    assert "Contacts and interaction within the cluster" in page.text  # a section
    assert "only for Bronze" in page.text  # the interview format question
    assert "minimum criterion" in page.text


def test_the_source_file_as_yaml_and_json(client):
    as_yaml = client.get("/criteria/ecei-2013/2013.1.yaml")
    assert as_yaml.status_code == 200 and as_yaml.mimetype == "application/yaml"
    assert as_yaml.data == ECEI_FILE.read_bytes()
    as_json = client.get("/criteria/ecei-2013/2013.1.json")
    assert as_json.mimetype == "application/json"
    parsed = yaml.safe_load(ECEI_FILE.read_text())
    assert as_json.get_json()["indicators"] == parsed["indicators"]
    assert as_json.get_json()["framework"]["published_on"] == "2013-01-01"


def test_the_handbook_is_a_real_pdf_kept_once_rendered(client):
    first = client.get("/criteria/ecei-2013/2013.1.pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(first.data))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert len(reader.pages) >= 3
    for expected in ("ECEI criteria 2013, version 2013.1", "Commitment of cluster participants"):
        assert expected in text
    assert client.get("/criteria/ecei-2013/2013.1.pdf").data == first.data


def test_unknown_versions_are_404(client):
    assert client.get("/criteria/ecei-2013/1999.1").status_code == 404
    assert client.get("/criteria/nothing/1.0.yaml").status_code == 404
    assert client.get("/criteria/ecei-2013/2013.1/changes").status_code == 404  # no earlier


@pytest.fixture
def two_versions(tmp_path):
    """mini 1.0 and a 1.1 that moves a threshold, adds and removes an indicator."""
    shutil.copytree(MINI_DIRECTORY / "mini", tmp_path / "mini")
    text = (tmp_path / "mini" / "1.0.yaml").read_text()
    regional = (
        '  - {code: "1.2", area: "1", name: Regional share, answer_type: percentage,'
        " measure: regional_share,\n"
        '     allows_not_applicable: true, gold_threshold: {comparator: ">=", value: 50}}\n'
    )
    members = (
        '  - {code: "1.3", area: "1", name: Regional members, answer_type: percentage,'
        " measure: regional_share,\n"
        '     gold_threshold: {comparator: ">=", value: 40}}\n'
    )
    turnover = 'gold_threshold: {comparator: "<=", value: 30}}'
    newer = (
        text.replace('version: "1.0"', 'version: "1.1"')
        .replace(turnover, turnover.replace("30", "25"))
        .replace(regional, members)
    )
    assert newer.count("1.3") == 1 and "value: 25}}" in newer
    (tmp_path / "mini" / "1.1.yaml").write_text(newer)
    return tmp_path


def test_what_changed_between_two_versions(two_versions):
    registry = FrameworkRegistry.from_directory(two_versions)
    changes = compare(registry.get("mini", "1.0"), registry.get("mini", "1.1"))
    assert [i.code for i in changes.added] == ["1.3"]
    assert [i.code for i in changes.removed] == ["1.2"]
    assert [c.after.code for c in changes.changed] == ["2.1"]
    assert changes.changed[0].gold_threshold_moved and not changes.changed[0].renamed
    same = compare(registry.get("mini", "1.0"), registry.get("mini", "1.0"))
    assert same.is_empty


def main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


class TestChangesPage:
    @pytest.fixture
    def app_config(self, app_config, two_versions):
        return {**app_config, "CRITERIA_DIRECTORY": str(two_versions)}

    def test_the_page_lists_added_removed_and_moved(self, client):
        index = client.get("/criteria/").text
        assert "What changed since 1.0" in index
        page = client.get("/criteria/mini/1.1/changes")
        assert page.status_code == 200
        assert "1.3 Regional members" in page.text and "1.2 Regional share" in page.text
        assert "≤ 30" in page.text and "≤ 25" in page.text
        explicit = client.get("/criteria/mini/1.1/changes?since=1.0").text
        assert main(explicit) == main(page.text)


def test_the_api_lists_and_serves_frameworks(client):
    listed = client.get("/api/v1/frameworks").get_json()["items"]
    ecei = next(item for item in listed if item["id"] == "ecei-2013")
    assert ecei["status"] == "active" and ecei["published_on"] == "2013-01-01"
    assert ecei["links"]["handbook"].endswith("/criteria/ecei-2013/2013.1.pdf")
    detail = client.get("/api/v1/frameworks/ecei-2013/2013.1")
    assert detail.status_code == 200
    content = detail.get_json()["content"]
    assert len(content["indicators"]) == 31
    missing = client.get("/api/v1/frameworks/ecei-2013/0.0")
    assert missing.status_code == 404 and missing.get_json()["error"]["status"] == 404
    assert json.loads(client.get("/api/v1/frameworks").data)  # plain JSON


def test_applicants_and_assessors_are_linked_to_the_public_entry(client, manager):
    from tests.factories import create_org, sign_in

    organisation = create_org(manager)
    sign_in(client, manager.email)
    client.post(
        f"/organisations/{organisation.id}/applications/new", data={"level": "gold", "kind": "new"}
    )
    from labelling.assessments.models import Application
    from labelling.extensions import db

    application = db.session.scalars(db.select(Application)).one()
    page = client.get(f"/applications/{application.id}/self-assessment").text
    assert "/criteria/ecei-2013/2013.1#indicator-1.1.0" in page
