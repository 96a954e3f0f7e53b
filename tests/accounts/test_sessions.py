"""Server-side sessions: sign-out ends them, a password change ends the others, the account
page lists and ends them, idle and absolute lifetimes; and the headers of signed-in pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from labelling import create_app
from labelling.accounts.models import Role, UserSession
from labelling.extensions import db
from tests.factories import PASSWORD, create_user, last_email, link_in, sign_in

NEW_PASSWORD = "a brand new passphrase 42"


def copy_cookie(source, target, name="session") -> None:
    """What an attacker does with a stolen cookie: replay it from another browser."""
    target.set_cookie(name, source.get_cookie(name).value)


def signed_in(app, user):
    browser = app.test_client()
    assert sign_in(browser, user.email).status_code == 303
    return browser


def session_rows(user=None):
    stmt = select(UserSession).order_by(UserSession.id)
    if user is not None:
        stmt = stmt.where(UserSession.user_id == user.id)
    return db.session.scalars(stmt).all()


def test_a_copied_cookie_opens_nothing_after_sign_out(app, client, manager):
    sign_in(client, manager.email)
    thief = app.test_client()
    copy_cookie(client, thief)
    assert thief.get("/dashboard").status_code == 200  # the stolen cookie works while signed in
    assert client.post("/logout").status_code == 303
    assert session_rows() == []
    replay = thief.get("/dashboard")
    assert replay.status_code == 302 and "/login" in replay.headers["Location"]


def test_each_sign_in_is_recorded_with_its_device(app, manager):
    browser = app.test_client()
    browser.post(
        "/login",
        data={"email": manager.email, "password": PASSWORD},
        headers={"User-Agent": "Firefox on a laptop"},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    (record,) = session_rows(manager)
    assert (record.address, record.user_agent) == ("192.0.2.7", "Firefox on a laptop")
    assert record.created_at is not None and record.last_seen_at is not None
    # Only a hash is stored: the cookie's token is nowhere in the table.
    assert len(record.token_hash) == 64


def test_a_password_change_ends_every_other_session_and_keeps_this_one(app, manager):
    here, laptop, phone = (signed_in(app, manager) for _ in range(3))
    response = here.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        follow_redirects=True,
    )
    assert "2 other sessions were ended." in response.get_data(as_text=True)
    assert len(session_rows(manager)) == 1
    assert here.get("/dashboard").status_code == 200
    assert laptop.get("/dashboard").status_code == 302
    assert phone.get("/dashboard").status_code == 302


def test_a_password_reset_ends_every_session(app, client, manager):
    laptop = signed_in(app, manager)
    client.post("/password/forgot", data={"email": manager.email})
    link = link_in(last_email(manager.email))
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert session_rows(manager) == []
    assert laptop.get("/dashboard").status_code == 302


def test_the_account_page_lists_sessions_and_ends_one_or_all(app, manager):
    other = create_user("other@example.org")
    signed_in(app, other)  # someone else's session is neither listed nor reachable
    here = app.test_client()
    here.post(
        "/login",
        data={"email": manager.email, "password": PASSWORD},
        headers={"User-Agent": "Browser here"},
    )
    laptop, phone = signed_in(app, manager), signed_in(app, manager)
    page = here.get("/account").get_data(as_text=True)
    assert page.count("End session") == 2 and "This device" in page and "Browser here" in page
    laptop_row = session_rows(manager)[1]
    foreign = session_rows(other)[0]
    assert here.post(f"/account/sessions/{foreign.id}/end").status_code == 404
    assert here.post(f"/account/sessions/{laptop_row.id}/end").status_code == 303
    assert laptop.get("/dashboard").status_code == 302
    assert phone.get("/dashboard").status_code == 200
    answer = here.post("/account/sessions/end-others", follow_redirects=True)
    assert "1 other session was ended." in answer.get_data(as_text=True)
    assert phone.get("/dashboard").status_code == 302
    assert here.get("/dashboard").status_code == 200
    assert len(session_rows(other)) == 1


def age(record, *, idle=timedelta(0), since_start=timedelta(0)) -> None:
    record.last_seen_at -= idle
    record.created_at -= since_start
    db.session.commit()


@pytest.mark.parametrize(
    ("roles", "idle", "signed_out"),
    [
        ((Role.CLUSTER_MANAGER,), timedelta(hours=3), False),
        ((Role.CLUSTER_MANAGER,), timedelta(hours=9), True),
        ((Role.SECRETARIAT,), timedelta(hours=3), True),
        ((Role.ASSESSOR,), timedelta(hours=3), True),
        ((Role.SECRETARIAT,), timedelta(minutes=90), False),
    ],
)
def test_idle_sessions_end_sooner_for_those_who_decide(app, roles, idle, signed_out):
    user = create_user("someone@example.org", roles=roles)
    browser = signed_in(app, user)
    age(session_rows(user)[0], idle=idle)
    response = browser.get("/account", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert ("signed out after a time without activity" in page) is signed_out
    assert (len(session_rows(user)) == 0) is signed_out


def test_a_session_ends_at_its_absolute_lifetime_even_when_busy(app, manager):
    browser = signed_in(app, manager)
    age(session_rows(manager)[0], since_start=timedelta(hours=13))
    assert browser.get("/dashboard").status_code == 302


def test_keep_me_signed_in_lasts_days_for_a_manager(app, manager):
    browser = app.test_client()
    browser.post("/login", data={"email": manager.email, "password": PASSWORD, "remember": "y"})
    record = session_rows(manager)[0]
    assert record.is_remembered
    age(record, idle=timedelta(days=2), since_start=timedelta(days=3))
    assert browser.get("/dashboard").status_code == 200
    cookie = browser.get_cookie("session")
    assert cookie.expires is not None  # outlives the browser, up to the server's limit


def test_signed_in_pages_and_private_files_are_never_stored(app, client, manager):
    anonymous = client.get("/")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    sign_in(client, manager.email)
    for url in ("/dashboard", "/account", "/"):
        assert "no-store" in client.get(url).headers["Cache-Control"], url


def test_every_response_denies_unused_browser_features(client):
    response = client.get("/")
    policy = response.headers["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP in development


def test_on_https_the_cookie_is_host_bound_and_hsts_is_sent(app_config, _schema):
    secure = create_app({**app_config, "SESSION_COOKIE_SECURE": True})
    with secure.app_context():
        user = create_user("secure@example.org")
        browser = secure.test_client()
        response = browser.post(
            "/login",
            data={"email": user.email, "password": PASSWORD},
            base_url="https://localhost",
        )
        assert response.status_code == 303
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith("__Host-session=") and "Secure" in cookie and "Path=/" in cookie
        assert "Domain" not in cookie
        hsts = response.headers["Strict-Transport-Security"]
        assert int(hsts.split("max-age=")[1].split(";")[0]) >= 365 * 24 * 3600
        db.session.remove()


def test_ended_sessions_are_purged_by_the_daily_command(app, manager):
    from labelling.accounts.models import TrustedDevice
    from labelling.db import utcnow

    old, current = signed_in(app, manager), signed_in(app, manager)
    stale = session_rows(manager)[0]
    stale_id = stale.id
    age(stale, since_start=timedelta(days=15))
    db.session.add(
        TrustedDevice(user_id=manager.id, token_hash="x" * 64, expires_at=utcnow() - timedelta(1))
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-sessions"])
    assert result.exit_code == 0 and "2 ended session(s)" in result.output
    db.session.expire_all()
    assert stale_id not in [row.id for row in session_rows(manager)]
    assert len(session_rows(manager)) == 1
    assert current.get("/dashboard").status_code == 200
    assert old.get("/dashboard").status_code == 302
