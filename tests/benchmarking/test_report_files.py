"""The benchmarking report's PDF is rendered once per version of what it shows and kept in
the file storage (issue 27): a download serves the stored file, new figures make a new
one, and with a worker the applicant's PDF is ready before anyone asks."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from labelling.accounts.models import Role
from labelling.assessments.models import Application
from labelling.benchmarking import peers, report_files
from labelling.benchmarking.models import ReportFile
from labelling.core.storage import file_storage
from labelling.extensions import db
from labelling.jobs.queue import job_queue
from tests.benchmarking.test_peers import MEMBERS, answers
from tests.factories import create_user, sign_in, submitted_application, with_mini_framework
from tests.statements import counted_statements
from tests.workers import run_worker


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


@pytest.fixture
def renders(monkeypatch):
    """Every WeasyPrint rendering of a report (each still renders for real)."""
    made = []

    def counting(html):
        made.append(html)
        return real(html)

    real = report_files.render_pdf
    monkeypatch.setattr(report_files, "render_pdf", counting)
    return made


def peers_and_mine():
    mine = submitted_application(
        create_user("mine@example.org"), "bronze", answers(40), legal_name="Mine Cluster"
    )
    others = create_user("others@example.org")
    for i, members in enumerate(MEMBERS[1:]):
        submitted_application(others, "bronze", answers(members), legal_name=f"Peer {i}")
    return mine


def download(client, application, query="group=all"):
    response = client.get(f"/applications/{application.id}/benchmarking.pdf?{query}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return response.data


def kept() -> list[ReportFile]:
    db.session.expire_all()
    return list(db.session.scalars(select(ReportFile).order_by(ReportFile.id)))


def test_a_second_download_serves_the_stored_file(app, client, renders):
    mine = peers_and_mine()
    sign_in(client, "mine@example.org")
    first = download(client, mine)
    second = download(client, mine)
    assert first == second and len(renders) == 1
    [stored] = kept()
    assert (stored.kind, stored.language, stored.with_recommendation) == ("all", "en", False)
    assert file_storage().read(stored.file_key) == first and stored.size == len(first)
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(second)).pages)
    assert "Mine Cluster" in text


def test_new_peer_figures_make_a_new_pdf_that_replaces_the_old(app, client, renders):
    mine = peers_and_mine()
    sign_in(client, "mine@example.org")
    download(client, mine)
    [old] = kept()
    peers.data_changed()  # a peer's figures changed
    db.session.commit()
    download(client, mine)
    assert len(renders) == 2
    [new] = kept()
    assert new.version != old.version
    with pytest.raises(FileNotFoundError):
        file_storage().read(old.file_key)


def test_each_group_language_and_audience_has_its_own(app, client, renders):
    mine = peers_and_mine()
    sign_in(client, "mine@example.org")
    download(client, mine)
    download(client, mine, "group=all&lang=de")
    download(client, mine, "group=size")
    client.post("/logout")
    sign_in(client, create_user("sec@example.org", roles=(Role.SECRETARIAT,)).email)
    download(client, mine)  # the secretariat sees the recommendation
    reports = {(r.kind, r.language, r.with_recommendation) for r in kept()}
    assert reports == {
        ("all", "en", False),
        ("all", "de", False),
        ("size", "en", False),
        ("all", "en", True),
    }
    assert len(renders) == 4


def test_a_lost_file_is_rendered_again(app, client, renders):
    mine = peers_and_mine()
    sign_in(client, "mine@example.org")
    download(client, mine)
    [stored] = kept()
    file_storage().delete(stored.file_key)
    assert download(client, mine)[:5] == b"%PDF-"
    assert len(renders) == 2 and len(kept()) == 1


def test_a_stored_download_reads_one_statement_of_facts_and_writes_nothing(app, client, renders):
    """Issue 27: a stored PDF's download cost 3.4x a static file: it worked out the
    reader's standing twice, read every Gold holder and committed. Now the version and
    the stored file come from one statement, and nothing is written or committed."""
    mine = peers_and_mine()
    sign_in(client, "mine@example.org")
    download(client, mine)
    with counted_statements() as statements:
        download(client, mine)
    said = [s.split()[0].upper() for s in statements]
    assert not {"INSERT", "UPDATE", "DELETE", "COMMIT"} & set(said), statements
    assert not [s for s in statements if "FROM label" in s], statements
    assert sum("benchmark_report_file" in s for s in statements) == 1
    assert len(renders) == 1


def test_a_peer_losing_gold_makes_a_new_pdf(app, client, renders):
    """A label's change reaches the stored report: the excellence group may change."""
    from labelling.certificates import services as labels
    from labelling.certificates.models import Label
    from tests.benchmarking.test_peers import gold_label_of

    mine = peers_and_mine()
    peer = db.session.scalar(
        select(Application).where(Application.id != mine.id).order_by(Application.id)
    )
    gold_label_of(peer.organisation)
    db.session.commit()
    sign_in(client, "mine@example.org")
    download(client, mine)
    download(client, mine)
    assert len(renders) == 1
    label = db.session.scalar(select(Label).where(Label.organisation_id == peer.organisation_id))
    labels.change_label_status(label, "revoke", create_user("s@example.org"), "Dissolved")
    db.session.commit()
    download(client, mine)
    assert len(renders) == 2


class TestWithAWorker:
    @pytest.fixture
    def app_config(self, app_config, job_queue_config):
        return {**app_config, **job_queue_config}

    def test_the_applicants_pdf_is_ready_before_anyone_asks(self, app, client, renders):
        mine = peers_and_mine()
        waiting = [job.description for job in job_queue(app).jobs]
        assert f"benchmarking.report_pdf({mine.id},)" in waiting
        run_worker(app)
        rendered_by_the_worker = len(renders)
        assert rendered_by_the_worker >= 1
        [stored] = [r for r in kept() if r.application_id == mine.id]
        sign_in(client, "mine@example.org")
        assert download(client, mine, f"group={stored.kind}") == file_storage().read(
            stored.file_key
        )
        assert len(renders) == rendered_by_the_worker  # the download rendered nothing
