"""Two managers and their organisations with decided benchmarkings, both opted in:
North (Germany) is weak where South (France) is strong, and South wants what North offers."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.factories import create_user, sign_in, with_mini_framework
from tests.twinning.helpers import LEARNER, TEACHER, decided, settings_data


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def opt_in(client, email, organisation, **choices):
    client.post("/logout")
    sign_in(client, email)
    response = client.post(
        f"/organisations/{organisation.id}/twinning/settings", data=settings_data(**choices)
    )
    assert response.status_code == 303, response.text
    return response


@pytest.fixture
def twins(client):
    north_manager = create_user("north@example.org", "Nora North")
    south_manager = create_user("south@example.org", "Sam South")
    north = decided(north_manager, LEARNER, legal_name="North Cluster", country_code="DE")
    south = decided(south_manager, TEACHER, legal_name="South Cluster", country_code="FR")
    opt_in(client, "north@example.org", north, wants=["1.1", "2.2"], offers=["1.2", "2.1"])
    opt_in(client, "south@example.org", south, wants=["1.2"], offers=["1.1", "2.2"])
    client.post("/logout")
    return SimpleNamespace(
        north=north, south=south, north_manager=north_manager, south_manager=south_manager
    )
