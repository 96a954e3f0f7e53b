"""A seeded registry shared by the registry and search tests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from labelling.frameworks.services import current_framework
from tests.factories import create_user, labelled_organisation

TODAY = date.today()


def days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
def registry(app):
    """Seven organisations: five hold a current label, one's was revoked, one's expired."""
    manager = create_user("registry@example.org")
    labels = {
        "oresund": labelled_organisation(
            manager,
            "gold",
            days_ago(60),
            legal_name="Øresund Food Cluster",
            country_code="DK",
            city="København",
            technology_area="food",
        ),
        "paris": labelled_organisation(
            manager,
            "silver",
            days_ago(400),
            legal_name="Pôle Agroalimentaire Île-de-France",
            country_code="FR",
            city="Paris",
            technology_area="food",
        ),
        "munich": labelled_organisation(
            manager,
            "gold",
            days_ago(200),
            legal_name="Bavarian ICT Network e.V.",
            country_code="DE",
            city="München",
            technology_area="ict",
        ),
        "krakow": labelled_organisation(
            manager,
            "bronze",
            days_ago(30),
            status="suspended",
            reason="The cluster manager left; a new one is being appointed.",
            legal_name="Kraków Aviation Valley",
            country_code="PL",
            city="Kraków",
            technology_area="aviation_space",
        ),
        "berlin": labelled_organisation(
            manager,
            "silver",
            days_ago(100),
            status="revoked",
            reason="The organisation was dissolved.",
            legal_name="Berlin Health Cluster",
            country_code="DE",
            city="Berlin",
            technology_area="health_medical",
        ),
        "hamburg": labelled_organisation(
            manager,
            "bronze",
            days_ago(5 * 365),
            legal_name="Hamburg Energy Cluster",
            country_code="DE",
            city="Hamburg",
            technology_area="energy_environment",
        ),
    }
    # Stuttgart holds a Bronze and, later, a Gold: it is listed once, as Gold.
    stuttgart = labelled_organisation(
        manager,
        "bronze",
        days_ago(500),
        legal_name="Stuttgart Mobility Cluster",
        country_code="DE",
        city="Stuttgart",
        technology_area="production_engineering",
    )
    labels["stuttgart_bronze"] = stuttgart
    from labelling.certificates.imports import import_label
    from labelling.extensions import db

    labels["stuttgart"] = import_label(
        stuttgart.organisation,
        "gold",
        days_ago(20),
        current_framework(),
        manager,
        "Test register",
        with_certificate=False,
    )
    db.session.commit()
    return labels
