"""Certificate PDFs are rendered by a job after the issue commits: stored once, whoever
renders first (the worker, a download meanwhile, a worker killed mid-render and its retry)."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from sqlalchemy import select

from labelling.certificates import services
from labelling.certificates.models import Certificate
from labelling.core.storage import file_storage
from labelling.extensions import db
from labelling.jobs.cli import app_worker_class
from labelling.jobs.queue import job_queue
from tests.factories import create_user, labelled_organisation, sign_in


@pytest.fixture
def app_config(app_config, job_queue_config):
    return {**app_config, **job_queue_config, "JOB_RETRY_BASE_SECONDS": 0}


def issued(manager) -> Certificate:
    label = labelled_organisation(manager, "gold", with_certificate=True)
    return db.session.scalars(select(Certificate).filter_by(label_id=label.id)).one()


def stored(certificate_id: int) -> tuple[bytes | None, str | None]:
    """The stored PDF and its checksum; (None, None) before it is rendered."""
    db.session.expire_all()
    row = db.session.get(Certificate, certificate_id)
    if row.pdf_key is None:
        return None, row.sha256
    return file_storage().read(row.pdf_key), row.sha256


def test_the_issue_only_enqueues_and_a_download_meanwhile_renders_once(app, client, manager):
    certificate = issued(manager)
    assert stored(certificate.id) == (None, None)  # the award did not wait for WeasyPrint
    assert job_queue(app).count == 1
    sign_in(client, manager.email)
    response = client.get(f"/labels/{certificate.label_id}/certificate.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    pdf, sha256 = stored(certificate.id)
    assert pdf == response.data and sha256
    # The job, when it comes, finds the certificate stored and changes nothing.
    assert services.store_certificate_pdf(certificate.id) is False
    assert stored(certificate.id) == (pdf, sha256)


def test_a_worker_killed_mid_render_retries_and_the_certificate_is_stored_once(
    app, manager, tmp_path, monkeypatch
):
    certificate = issued(manager)
    started = tmp_path / "first-render-started"
    real_render = services.render_certificate

    def render_slowly_the_first_time(context):
        if not started.exists():
            started.write_text("x")
            time.sleep(60)  # killed long before this ends
        return real_render(context)

    monkeypatch.setattr(services, "render_certificate", render_slowly_the_first_time)
    queue = job_queue(app)
    worker = app_worker_class()([queue], connection=queue.connection)
    killed = []

    def kill_the_horse_mid_render():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (started.exists() and worker.horse_pid):
            time.sleep(0.05)
        killed.append(worker.horse_pid)
        os.kill(worker.horse_pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_the_horse_mid_render)
    killer.start()
    worker.work(burst=True)  # the retry comes back at once (JOB_RETRY_BASE_SECONDS=0)
    killer.join()
    assert killed and killed[0] > 0
    pdf, sha256 = stored(certificate.id)
    assert pdf is not None and pdf.startswith(b"%PDF-") and len(sha256) == 64
    assert queue.failed_job_registry.count == 0
    assert services.store_certificate_pdf(certificate.id) is False  # stored once
    assert list(file_storage().names()) == [db.session.get(Certificate, certificate.id).pdf_key]


def test_an_award_in_the_embedded_setup_renders_right_after_the_commit(app, manager):
    app.config["JOBS_REDIS_URL"] = ""  # no queue: in-process, as the demo runs
    certificate = issued(create_user("other.manager@example.org"))
    pdf, sha256 = stored(certificate.id)
    assert pdf.startswith(b"%PDF-") and len(sha256) == 64
