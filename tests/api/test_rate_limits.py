"""The open data API is rate-limited per client: 429, Retry-After and the JSON envelope."""

from __future__ import annotations

import pytest


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3 per minute"}


def test_the_fourth_request_in_a_minute_waits(client):
    for _ in range(3):
        assert client.get("/api/v1/organisations").status_code == 200
    limited = client.get("/api/v1/registry.csv")  # the limit covers the whole API
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.headers["Access-Control-Allow-Origin"] == "*"
    error = limited.get_json()["error"]
    assert error["status"] == 429 and error["message"]
    # Another client address has its own allowance; the public pages are not limited.
    other = client.get("/api/v1/organisations", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200
    assert client.get("/registry").status_code == 200
