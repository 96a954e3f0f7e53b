"""The open data API checked against its own OpenAPI document by schemathesis: generated
requests (valid and invalid) never get a 500, and every response matches the document."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.factories import create_user, labelled_organisation

OPERATIONS = [
    "GET /api/v1/organisations",
    "GET /api/v1/organisations/{organisation_id}",
    "GET /api/v1/labels/{label_id}",
    "GET /api/v1/certificates/{number}",
    "GET /api/v1/registry.csv",
    "GET /api/v1/registry.xlsx",
    "GET /api/v1/registry.json",
    "GET /api/v1/frameworks",
    "GET /api/v1/frameworks/{framework_id}/{version}",
    "GET /api/v1/accountability",
    "GET /api/v1/twinning/statistics",
]


@pytest.fixture
def api_schema(app):
    """Two labelled organisations (one with a certificate, one suspended) behind the API."""
    manager = create_user("open-data@example.org")
    labelled_organisation(manager, "gold", with_certificate=True, legal_name="Ålborg Wind Cluster")
    labelled_organisation(
        manager,
        "silver",
        date.today() - timedelta(days=300),
        status="suspended",
        reason="Under review",
        country_code="FR",
        city="Lyon",
    )
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


# schemathesis' own pytest integration does not run under pytest 9 yet, so each operation
# is driven through Hypothesis directly, valid and invalid inputs alike.
CASES = [
    (label, mode)
    for label in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    # Any string may be asked for as a certificate number or a framework version, and the
    # list takes no parameter: there is no invalid request to make of these.
    if not (
        label.startswith(
            (
                "GET /api/v1/certificates",
                "GET /api/v1/frameworks",
                "GET /api/v1/accountability",
                "GET /api/v1/twinning",
            )
        )
        and mode == GenerationMode.NEGATIVE
    )
]


@pytest.mark.parametrize(("label", "mode"), CASES)
def test_the_api_matches_its_openapi_document(api_schema, label, mode):
    operations = {}
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations[operation.label] = operation
    assert set(operations) == set(OPERATIONS)

    @given(case=operations[label].as_strategy(generation_mode=mode))
    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        # A cursor is any string to the document, but only one this API handed out can
        # be followed: a made-up one is refused (400), which is right, not a rejection of
        # valid data. Every other check still applies to such a request.
        made_up_cursor = "cursor" in (case.query or {})
        case.call_and_validate(
            excluded_checks=[positive_data_acceptance] if made_up_cursor else None
        )

    check()


def test_the_document_describes_every_route_and_schema(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/v1/organisations",
        "/api/v1/organisations/{organisation_id}",
        "/api/v1/labels/{label_id}",
        "/api/v1/certificates/{number}",
        "/api/v1/registry.csv",
        "/api/v1/registry.xlsx",
        "/api/v1/registry.json",
        "/api/v1/frameworks",
        "/api/v1/frameworks/{framework_id}/{version}",
        "/api/v1/accountability",
        "/api/v1/twinning/statistics",
    }
    assert {"RegistryPage", "Organisation", "Label", "Certificate", "Error", "Framework"} <= set(
        document["components"]["schemas"]
    )
    parameters = {
        p["name"] for p in document["paths"]["/api/v1/organisations"]["get"]["parameters"]
    }
    assert {
        "q",
        "level",
        "country",
        "technology_area",
        "status",
        "year",
        "sort",
        "page",
        "cursor",
    } <= parameters


def test_existing_resources_match_the_document(api_schema, app):
    """Random numbers rarely hit a real row: check every seeded resource explicitly."""
    from labelling.certificates.models import Certificate, Label
    from labelling.extensions import db

    operations = {result.ok().label: result.ok() for result in api_schema.get_all_operations()}
    labels = db.session.scalars(db.select(Label)).all()
    for label in labels:
        operations["GET /api/v1/labels/{label_id}"].Case(
            path_parameters={"label_id": label.id}
        ).call_and_validate()
        operations["GET /api/v1/organisations/{organisation_id}"].Case(
            path_parameters={"organisation_id": label.organisation_id}
        ).call_and_validate()
    for number in db.session.scalars(db.select(Certificate.number)):
        operations["GET /api/v1/certificates/{number}"].Case(
            path_parameters={"number": number}
        ).call_and_validate()
    assert len(labels) == 2
