"""Issue 25, finding 1: links in e-mails followed a forged `Host` header. `POST
/password/forgot` sent with `Host: evil.example` mailed the victim
`http://evil.example/password/reset/<token>`, a token that worked on the real host; the same
for sign-up with a known address and for team invitations. Now every absolute link is built
on LABELLING_BASE_URL and a request naming another host is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from labelling.core.http import external_url
from labelling.extensions import db
from labelling.notifications.models import OutboxMessage
from tests.factories import create_org, create_user, last_email, link_in, sign_in

SITE = "https://labels.example.org"
SIGN_UP = {"full_name": "Nina Neu", "password": "a long passphrase", "confirm": "a long passphrase"}


@pytest.fixture
def app_config(app_config):
    # The test client's own host (localhost) is trusted too, so its requests reach the app.
    trusted = ["labels.example.org", "internal.example.net", "localhost"]
    return {**app_config, "BASE_URL": SITE, "TRUSTED_HOSTS": trusted}


def outbox_count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


@pytest.fixture
def manager(app):
    return create_user("manager@example.org")


def test_a_forged_host_is_refused_and_nothing_is_mailed(client, manager):
    forged = client.post(
        "/password/forgot", data={"email": manager.email}, headers={"Host": "evil.example"}
    )
    assert forged.status_code == 400
    assert outbox_count() == 0
    # The same for sign-up with a known address: refused before any work.
    signup = client.post(
        "/register",
        data=SIGN_UP | {"email": manager.email},
        headers={"Host": "evil.example:443"},
    )
    assert signup.status_code == 400 and outbox_count() == 0


@pytest.mark.parametrize("host", ["labels.example.org", "internal.example.net"])
def test_the_reset_link_is_built_on_the_base_url_whatever_the_host(client, manager, host):
    """Even through another trusted name (a health check's, an internal one) the link is
    the site's own."""
    response = client.post(
        "/password/forgot", data={"email": manager.email}, headers={"Host": host}
    )
    assert response.status_code == 303
    assert link_in(last_email(manager.email)).startswith(f"{SITE}/password/reset/")


def test_a_known_address_signing_up_is_told_on_the_base_url(client, manager):
    client.post(
        "/register",
        data=SIGN_UP | {"email": manager.email},
        headers={"Host": "internal.example.net"},
    )
    reminder = last_email(manager.email)
    assert reminder.subject == "You already have an account"
    assert f"{SITE}/login" in reminder.body_text and "internal.example" not in reminder.body_text


def test_a_team_invitation_links_to_the_base_url(client, manager):
    organisation = create_org(manager)
    sign_in(client, manager.email)
    client.post(
        f"/organisations/{organisation.id}/team",
        data={"email": "colleague@example.org", "role": "member"},
    )  # asked at localhost (the test client's host, trusted here)
    link = link_in(last_email("colleague@example.org"))
    assert link.startswith(f"{SITE}/organisations/invitations/")


def test_pages_and_the_api_link_to_the_base_url(client, app):
    for path in ("/api/v1/organisations?per_page=1", "/registry?lang=de"):
        body = client.get(path, headers={"Host": "internal.example.net"}).get_data(as_text=True)
        assert "internal.example" not in body and SITE in body
    with app.app_context():  # outside a request: commands, jobs, certificates
        assert external_url("verify.certificate", number="X-1") == f"{SITE}/verify/X-1"


def test_without_a_base_url_the_demo_follows_its_own_address(app, client, manager):
    app.config["BASE_URL"] = ""
    app.config["TRUSTED_HOSTS"] = None
    client.post("/password/forgot", data={"email": manager.email}, headers={"Host": "demo.local"})
    assert link_in(last_email(manager.email)).startswith("http://demo.local/password/reset/")
