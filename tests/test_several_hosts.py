"""Several hosts at once, as the README's production section runs them: two gunicorn
servers with instance folders of their own, on one PostgreSQL, one Redis and an S3
bucket (a local moto server), with two `labelling worker` processes. What a user does on
one host holds on the other (issue 26: "several hosts at once")."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer
from sqlalchemy import select

from labelling.certificates.models import Certificate
from labelling.extensions import db
from labelling.notifications.models import OutboxMessage, OutboxStatus
from tests.assessments.test_evidence import real_pdf
from tests.factories import PASSWORD, create_org, create_user, labelled_organisation
from tests.html_forms import post_forms
from tests.mailserver import free_port

ON_POSTGRESQL = os.environ.get("LABELLING_TEST_DATABASE_URL", "").startswith("postgresql")
pytestmark = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="several hosts share a PostgreSQL server (SQLite is one host's)"
)

BUCKET = "labelling-hosts"
REGISTRY_VERSION_TTL = 1.0  # the documented time a change takes to reach every host
LOGIN_LIMIT = 4
INVITATIONS = 12
BIN = Path(sys.executable).parent


@pytest.fixture
def s3(tmp_path):
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    settings = {
        "STORAGE_BACKEND": "s3",
        "STORAGE_S3_BUCKET": BUCKET,
        "STORAGE_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "STORAGE_S3_REGION": "eu-west-1",
        "STORAGE_S3_ACCESS_KEY": "testing",
        "STORAGE_S3_SECRET_KEY": "testing",
    }
    client = boto3.client(
        "s3",
        endpoint_url=settings["STORAGE_S3_ENDPOINT_URL"],
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    yield settings, client
    server.stop()


@pytest.fixture
def app_config(app_config, s3, mail_server, job_queue_config):
    """The test's own app (creating the data, as an administrator's script would) uses
    the same database, queue and bucket as the hosts."""
    return {**app_config, **s3[0], **mail_server.config(), **job_queue_config}


def environment(config: dict, instance: Path, base_url: str) -> dict:
    """The hosts' settings as the README's production section exports them."""
    settings = {
        "DATABASE_URL": config["DATABASE_URL"],
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "one-secret-key-that-every-host-of-this-test-shares",
        "BASE_URL": base_url,
        "RATELIMIT_STORAGE_URI": config["JOBS_REDIS_URL"],
        "CACHE_REDIS_URL": config["JOBS_REDIS_URL"],
        "JOBS_REDIS_URL": config["JOBS_REDIS_URL"],
        "JOBS_QUEUE": config["JOBS_QUEUE"],
        "MAIL_SERVER": config["MAIL_SERVER"],
        "MAIL_PORT": str(config["MAIL_PORT"]),
        "MAIL_USE_TLS": "false",
        "LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per minute",
        "REGISTRY_VERSION_TTL": str(REGISTRY_VERSION_TTL),
        **{key: value for key, value in config.items() if key.startswith("STORAGE_")},
    }
    return os.environ | {f"LABELLING_{key}": value for key, value in settings.items()}


@pytest.fixture
def hosts(app, app_config, tmp_path):
    """Two web hosts (gunicorn, two workers each) and two job workers; their base URLs."""
    ports = [free_port(), free_port()]
    base_url = f"http://127.0.0.1:{ports[0]}"  # the load balancer's address: one for all
    processes = []
    for number, port in enumerate(ports, start=1):
        env = environment(app_config, tmp_path / f"host-{number}", base_url)
        processes.append(
            subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "python:labelling.gunicorn_conf", "-w", "2",
                 "-b", f"127.0.0.1:{port}", "labelling:create_app()"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )  # fmt: skip
        processes.append(
            subprocess.Popen(
                [str(BIN / "labelling"), "worker"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )  # fmt: skip
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url in urls:
            wait_until(lambda url=url: answers(f"{url}/readyz"), "the host starts", 60)
        yield urls
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # a worker in the middle of a job
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:  # not listening yet, or its first answer still coming
        return False


def wait_until(condition, what: str, seconds: float) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, f"waited {seconds} s for {what}"
        time.sleep(0.05)
    return time.monotonic() - started


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def sign_in(browser: requests.Session, host: str, email: str, password: str = PASSWORD):
    token = csrf_token(browser.get(f"{host}/login").text)
    return browser.post(
        f"{host}/login",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
    )


def signed_in(browser_or_cookies, host: str) -> bool:
    kwargs = (
        {"cookies": browser_or_cookies}
        if isinstance(browser_or_cookies, dict)
        else {"cookies": browser_or_cookies.cookies.get_dict()}
    )
    answer = requests.get(f"{host}/account", allow_redirects=False, timeout=10, **kwargs)
    return answer.status_code == 200


def post_as_shown(browser: requests.Session, page_url: str, action: str, **changes):
    """Post the page's form to `action` as a browser would, with some fields changed."""
    page = browser.get(page_url)
    [form] = [each for each in post_forms(page.text, page_url) if each.action == action]
    fields = [(name, changes.get(name, value)) for name, value in form.fields]
    host = page_url.split("/", 3)[:3]
    return browser.post("/".join(host) + action, data=fields, allow_redirects=False)


def test_two_hosts_share_sign_in_limits_changes_files_and_mail(
    app, hosts, s3, mail_server, tmp_path
):
    one, two = hosts
    manager = create_user(f"manager-{uuid.uuid4().hex[:8]}@example.org", "Mia Manager")
    label = labelled_organisation(manager, with_certificate=True, city="Graz")
    organisation = label.organisation
    draft_org = create_org(manager, legal_name="Second Cluster")

    # A sign-in on one host is valid on the other.
    browser = requests.Session()
    assert sign_in(browser, one, manager.email).status_code == 303
    assert signed_in(browser, two)

    # A change made on one host is seen by an anonymous reader of the other within the
    # documented time (the registry's version memo), though the other kept the old page.
    public = f"{two}/registry/organisations/{organisation.id}"
    assert "Graz" in requests.get(public, timeout=10).text
    edit = f"{one}/organisations/{organisation.id}/edit"
    saved = post_as_shown(browser, edit, f"/organisations/{organisation.id}/edit", city="Linz")
    assert saved.status_code == 303, saved.text[:500]
    waited = wait_until(lambda: "Linz" in requests.get(public, timeout=10).text, "Linz", 10)
    assert waited <= REGISTRY_VERSION_TTL + 1.0

    # An evidence file uploaded through one host is served by the other.
    application_page = post_as_shown(
        browser,
        f"{one}/organisations/{draft_org.id}/applications/new",
        f"/organisations/{draft_org.id}/applications/new",
        level="gold",
    )
    assert application_page.status_code in (302, 303), application_page.text[:500]
    application_url = application_page.headers["Location"]
    app_id = int(re.search(r"/applications/(\d+)", application_url).group(1))
    content = real_pdf()
    token = csrf_token(browser.get(f"{one}/applications/{app_id}/evidence").text)
    uploaded = browser.post(
        f"{one}/applications/{app_id}/evidence",
        data={"question_id": "strategy_document", "description": "Our strategy",
              "csrf_token": token},
        files={"document": ("strategy.pdf", io.BytesIO(content), "application/pdf")},
        allow_redirects=False,
    )  # fmt: skip
    assert uploaded.status_code in (302, 303), uploaded.text[:500]
    listing = browser.get(f"{two}/applications/{app_id}/evidence").text
    evidence_path = re.search(rf"/applications/{app_id}/evidence/(\d+)", listing).group(0)
    served = browser.get(f"{two}{evidence_path}")
    assert served.status_code == 200 and served.content == content
    assert not any((tmp_path / host / "evidence").exists() for host in ("host-1", "host-2"))

    # A certificate rendered by one host (or a worker) is served by the other, byte for
    # byte as stored in the bucket.
    first = browser.get(f"{one}/labels/{label.id}/certificate.pdf")
    second = browser.get(f"{two}/labels/{label.id}/certificate.pdf")
    assert first.status_code == second.status_code == 200
    assert first.content.startswith(b"%PDF-") and first.content == second.content
    db.session.expire_all()
    certificate = db.session.scalar(select(Certificate).where(Certificate.label_id == label.id))
    stored = s3[1].get_object(Bucket=BUCKET, Key=f"evidence/{certificate.pdf_key}")
    assert stored["Body"].read() == first.content

    # Every e-mail is delivered once, with two workers taking jobs from one queue.
    invited = [f"member-{n}-{uuid.uuid4().hex[:6]}@example.org" for n in range(INVITATIONS)]
    for n, email in enumerate(invited):
        host = (one, two)[n % 2]
        team = f"{host}/organisations/{organisation.id}/team"
        sent = post_as_shown(browser, team, f"/organisations/{organisation.id}/team", email=email)
        assert sent.status_code == 303, sent.text[:500]

    def delivered() -> bool:
        db.session.expire_all()
        statuses = db.session.scalars(
            select(OutboxMessage.status).where(OutboxMessage.recipient.in_(invited))
        ).all()
        return len(statuses) == INVITATIONS and set(statuses) == {OutboxStatus.SENT}

    wait_until(delivered, "the invitations", 60)
    received = [m for m in mail_server.messages if m["To"] in invited]
    assert sorted(m["To"] for m in received) == sorted(invited)  # each once
    assert len({m["Message-ID"] for m in received}) == INVITATIONS

    # A sign-out on one host ends the session on both: the cookie it had is refused.
    cookies = browser.cookies.get_dict()
    token = csrf_token(browser.get(f"{one}/account").text)
    browser.post(f"{one}/logout", data={"csrf_token": token}, allow_redirects=False)
    assert not signed_in(cookies, two) and not signed_in(cookies, one)

    # Sign-ins to one account count across both hosts: half the limit on each host, and
    # the next one is refused on either.
    target = create_user(f"target-{uuid.uuid4().hex[:8]}@example.org")
    stranger = requests.Session()
    statuses = [
        sign_in(stranger, (one, two)[n % 2], target.email, "wrong").status_code
        for n in range(LOGIN_LIMIT + 2)
    ]
    assert statuses == [401] * LOGIN_LIMIT + [429, 429], statuses
