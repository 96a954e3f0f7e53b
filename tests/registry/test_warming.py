"""After a change to the register, its most-read public answers are made before a reader
asks (issue 27: the first page after a change within 2x of a kept one)."""

from __future__ import annotations

import pytest

from labelling.accounts.models import Role
from labelling.jobs.queue import job_queue
from labelling.registry.warming import WARMED_PATHS
from tests.factories import create_user, labelled_organisation, sign_in
from tests.statements import counted_statements
from tests.workers import run_worker


@pytest.fixture
def app_config(app_config):
    return {**app_config, "REGISTRY_WARM_AFTER_CHANGE": True}


def suspend_a_label(client) -> None:
    """The secretariat suspends one of two labels through its page: a change to the register."""
    manager = create_user("manager@example.org")
    label = labelled_organisation(manager, "silver", legal_name="Wind Cluster Nord")
    labelled_organisation(manager, "gold", legal_name="Food Valley")
    secretariat = create_user("sec@example.org", roles=(Role.SECRETARIAT,))
    sign_in(client, secretariat.email)
    suspend = {"action": "suspend", "comment": "Audit pending"}
    assert client.post(f"/secretariat/labels/{label.id}", data=suspend).status_code == 303


def assert_kept_for_the_first_reader(app) -> None:
    reader = app.test_client()  # anonymous, as the public reads
    for language in app.config["LANGUAGES"]:
        for path in WARMED_PATHS:
            with counted_statements() as statements:
                response = reader.get(path, headers={"Accept-Language": language})
            assert response.status_code == 200
            # Only the data version is read: the answer was kept for it, whole.
            assert len(statements) == 1 and "registry_state" in statements[0], (path, language)
    page = reader.get("/registry", headers={"Accept-Language": "en"}).text
    assert "Wind Cluster Nord" in page and "Suspended" in page  # the new version's answer


def test_after_a_change_the_first_reader_gets_a_kept_answer(app, client):
    """One web worker, its own cache: it makes them after its response has gone out."""
    suspend_a_label(client)
    assert_kept_for_the_first_reader(app)


class TestWithAQueueAndASharedCache:
    @pytest.fixture
    def app_config(self, app_config, shared_cache_config):
        return {**app_config, **shared_cache_config}

    def test_a_worker_makes_them_for_every_host(self, app, client):
        suspend_a_label(client)
        waiting = [job.description for job in job_queue(app).jobs]
        assert waiting.count("registry.warm()") == 1, waiting
        run_worker(app)
        assert_kept_for_the_first_reader(app)


def test_without_warming_the_first_reader_waits_for_the_count(app, client):
    app.config["REGISTRY_WARM_AFTER_CHANGE"] = False
    suspend_a_label(client)
    with counted_statements() as statements:
        assert app.test_client().get("/registry").status_code == 200
    assert any("GROUP BY registry_entry.cell_id" in sql for sql in statements)
