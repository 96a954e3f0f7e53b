"""With the cache shared (Redis), a worker keeps the accountability figures fresh at the
scheduler's ticks, so that no reader waits for them (issue 27: the secretariat's page took
3.6 s on its first request at 100,000 organisations)."""

from __future__ import annotations

import pytest

from labelling.accounts.models import Role
from labelling.db import utcnow
from labelling.jobs.scheduler import tick
from labelling.registry.accountability import refresh_figures
from tests.factories import create_user, sign_in
from tests.statements import counted_statements
from tests.workers import run_worker

COUNTING = "application.decided_at IS NOT NULL"  # the query that collects the figures


def read_the_page(client) -> list[str]:
    sign_in(client, create_user("sec@example.org", roles=(Role.SECRETARIAT,)).email)
    with counted_statements() as statements:
        response = client.get("/secretariat/accountability")
    assert response.status_code == 200 and "Assessor" in response.text
    return statements


class TestWithAWorkerAndASharedCache:
    @pytest.fixture
    def app_config(self, app_config, shared_cache_config):
        return {**app_config, **shared_cache_config}

    def test_a_worker_keeps_them_and_no_reader_computes_them(self, app, client):
        assert "registry.accountability" in tick(utcnow())
        run_worker(app)
        assert not any(COUNTING in sql for sql in read_the_page(client))
        assert refresh_figures() is False  # fresh: the next ticks recompute nothing yet


def test_without_a_shared_cache_the_ticks_leave_it_to_the_first_reader(app, client):
    assert "registry.accountability" not in tick(utcnow())
    assert any(COUNTING in sql for sql in read_the_page(client))
