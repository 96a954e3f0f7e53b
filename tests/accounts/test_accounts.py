"""Registration, sign-in, password reset and change, role administration, via the test client."""

from __future__ import annotations

import os
import re
import uuid

import pytest
from sqlalchemy import func, select

from labelling.accounts.models import Role, User
from labelling.config import Config
from labelling.core.audit import AuditEvent
from labelling.extensions import db
from labelling.notifications.models import OutboxMessage
from tests.factories import PASSWORD, create_user, last_email, link_in, sign_in
from tests.statements import counted_statements


def register(client, email="new@example.org", password="a long passphrase", confirm=None, **kw):
    return client.post(
        "/register",
        data={
            "full_name": kw.get("full_name", "Nina Neu"),
            "email": email,
            "password": password,
            "confirm": confirm if confirm is not None else password,
        },
    )


def path_of(link: str) -> str:
    return link.split("localhost", 1)[1]


def test_register_confirms_the_address_then_signs_in_as_cluster_manager(app, client):
    assert Config.PASSWORD_HASH_METHOD == "scrypt"  # production hashes with scrypt
    app.config["PASSWORD_HASH_METHOD"] = Config.PASSWORD_HASH_METHOD
    response = register(client)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/register/sent")
    assert "Check your inbox" in client.get("/register/sent").get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert user.roles == {Role.CLUSTER_MANAGER}
    assert user.password_hash.startswith("scrypt:")
    assert "a long passphrase" not in user.password_hash
    assert user.email_confirmed_at is None
    # Not before the link: signing in sends a new one.
    early = sign_in(client, "new@example.org", "a long passphrase")
    assert early.status_code == 403
    assert "Confirm your e-mail address first" in early.get_data(as_text=True)
    message = last_email("new@example.org")
    assert message.subject == "Confirm your e-mail address"
    path = path_of(link_in(message))
    # Opening the link (as a mail scanner does) confirms nothing: a person presses the button.
    page = client.get(path)
    assert page.status_code == 200 and "Confirm and sign in" in page.get_data(as_text=True)
    db.session.refresh(user)
    assert user.email_confirmed_at is None
    done = client.post(path)
    assert done.status_code == 303 and done.headers["Location"].endswith("/dashboard")
    assert "Nina Neu" in client.get("/dashboard").get_data(as_text=True)
    db.session.refresh(user)
    assert user.email_confirmed_at is not None
    # The link signed in once; a second use (a forwarded mail, a shared computer) does not.
    client.post("/logout")
    again = client.post(path)
    assert again.status_code == 302 and "/login" in again.headers["Location"]
    assert client.get("/dashboard").status_code == 302


def test_a_forged_confirmation_link_confirms_nothing(client):
    register(client)
    path = path_of(link_in(last_email("new@example.org")))
    forged = client.post(path[:-3] + "abc")
    assert forged.status_code == 302 and "/login" in forged.headers["Location"]
    assert client.get("/dashboard").status_code == 302


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Invalid email address"),
        ({"password": "Short 1 pass"[:11]}, "password", "Use at least 12 characters"),
        ({"confirm": "something else"}, "confirm", "The passwords differ"),
        ({"full_name": ""}, "full_name", "This field is required"),
    ],
)
def test_register_errors_appear_next_to_the_field(client, kwargs, field, message):
    response = register(client, **kwargs)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(rf'id="{field}-error"[^>]*>.*{message}', html, re.S)
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_signing_up_with_a_known_address_looks_like_a_new_one(client, manager):
    """Finding 4: a known address answered "An account with this e-mail address exists
    already" (15 of 15 tries). Now both answers are the same, and the owner is told."""
    known = register(client, email="MANAGER@example.org")
    new = register(client, email="someone.new@example.org")
    assert (known.status_code, known.headers["Location"]) == (
        new.status_code,
        new.headers["Location"],
    )
    assert known.get_data() == new.get_data()
    assert db.session.scalar(select(func.count(User.id))) == 2  # the manager, the newcomer
    reminder = last_email(manager.email)
    assert reminder.subject == "You already have an account"
    assert "/login" in reminder.body_text and "/password/forgot" in reminder.body_text
    db.session.refresh(manager)
    assert manager.check_password(PASSWORD)  # nothing about the account changed


def test_sign_in_and_out(client, manager):
    bad = sign_in(client, manager.email, "wrong password")
    assert bad.status_code == 401
    assert "The e-mail address or the password is wrong." in bad.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    good = sign_in(client, "Manager@Example.org")
    assert good.status_code == 303
    assert client.get("/dashboard").status_code == 200
    assert client.get("/logout").status_code == 405  # signing out is POST-only
    assert client.post("/logout").status_code == 303
    assert client.get("/dashboard").status_code == 302


def test_disabled_account_cannot_sign_in(client, manager):
    manager.is_enabled = False
    db.session.commit()
    assert sign_in(client, manager.email).status_code == 401


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/organisations/", "/organisations/"),
        ("https://evil.example.org/", "/dashboard"),
        ("//evil.example.org/", "/dashboard"),
        ("/\\evil.example.org", "/dashboard"),
        ("javascript:alert(1)", "/dashboard"),
    ],
)
def test_next_redirect_is_validated(client, manager, target, expected):
    response = client.post(
        "/login?next=" + target, data={"email": manager.email, "password": PASSWORD}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == expected


def test_protected_page_sends_anonymous_users_to_sign_in_and_back(client, manager):
    response = client.get("/organisations/")
    assert response.status_code == 302
    assert "/login?next=%2Forganisations%2F" in response.headers["Location"]


def test_password_reset_by_emailed_token(client, manager):
    response = client.post("/password/forgot", data={"email": manager.email})
    assert response.status_code == 303
    message = last_email(manager.email)
    assert message.subject == "Reset your password"
    link = link_in(message)
    path = link.split("localhost", 1)[1]
    assert client.get(path).status_code == 200
    done = client.post(path, data={"password": "brand new secret", "confirm": "brand new secret"})
    assert done.status_code == 303
    assert sign_in(client, manager.email, PASSWORD).status_code == 401
    assert sign_in(client, manager.email, "brand new secret").status_code == 303
    client.post("/logout")
    # The token dies with the password it was made for: it cannot be used twice.
    reused = client.get(path)
    assert reused.status_code == 302 and "/password/forgot" in reused.headers["Location"]


def test_password_reset_link_expires(app, client, manager):
    client.post("/password/forgot", data={"email": manager.email})
    path = link_in(last_email(manager.email)).split("localhost", 1)[1]
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    response = client.get(path)
    assert response.status_code == 302
    assert "/password/forgot" in response.headers["Location"]


def test_reset_for_unknown_address_reveals_nothing(client):
    response = client.post(
        "/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True
    )
    assert "If an account uses this address" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_change_password_checks_the_current_one(client, manager):
    sign_in(client, manager.email)
    wrong = client.post(
        "/account/password",
        data={
            "current_password": "nope",
            "password": "another passphrase",
            "confirm": "another passphrase",
        },
    )
    assert "This is not your current password." in wrong.get_data(as_text=True)
    right = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": "another passphrase",
            "confirm": "another passphrase",
        },
    )
    assert right.status_code == 303
    db.session.refresh(manager)
    assert manager.check_password("another passphrase")
    actions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.object_id == manager.id, AuditEvent.object_type == "user"
        )
    ).all()
    assert "user.password_changed" in actions


def test_only_administrators_manage_roles(client, manager):
    admin = create_user("admin@example.org", roles=(Role.ADMIN,))
    sign_in(client, manager.email)
    assert client.get("/admin/users").status_code == 403
    assert client.post(f"/admin/users/{manager.id}", data={"role_admin": "y"}).status_code == 403
    client.post("/logout")
    sign_in(client, admin.email)
    assert manager.email in client.get("/admin/users").get_data(as_text=True)
    response = client.post(
        f"/admin/users/{manager.id}", data={"role_cluster_manager": "y", "role_secretariat": "y"}
    )
    assert response.status_code == 303
    db.session.refresh(manager)
    assert manager.roles == {Role.CLUSTER_MANAGER, Role.SECRETARIAT}
    # An administrator cannot lock themselves out.
    assert client.post(f"/admin/users/{admin.id}", data={"role_assessor": "y"}).status_code == 409


class TestSecurityDefaults:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "WTF_CSRF_ENABLED": True}

    def test_forms_need_a_csrf_token(self, client, manager):
        response = client.post("/login", data={"email": manager.email, "password": PASSWORD})
        assert response.status_code == 400
        assert "The form had expired" in response.get_data(as_text=True)
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        ok = client.post(
            "/login", data={"email": manager.email, "password": PASSWORD, "csrf_token": token}
        )
        assert ok.status_code == 303

    def test_session_cookie_is_httponly_and_samesite(self, client, manager):
        client.get("/login")
        cookie = client.get_cookie("session")
        assert cookie is not None
        assert cookie.http_only and cookie.same_site == "Lax"


class TestRateLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}

    def test_login_is_rate_limited(self, client, manager):
        for _ in range(3):
            client.post("/login", data={"email": manager.email, "password": "x"})
        blocked = client.post("/login", data={"email": manager.email, "password": PASSWORD})
        assert blocked.status_code == 429
        assert int(blocked.headers["Retry-After"]) > 0
        assert "Too many attempts" in blocked.get_data(as_text=True)

    def test_a_team_behind_one_address_is_not_blocked(self, client, manager):
        # Five colleagues sign in (and one mistypes) from one office address.
        colleagues = [create_user(f"colleague{i}@example.org") for i in range(5)]
        for person in colleagues:
            client.post("/login", data={"email": person.email, "password": "typo"})
            signed_in = client.post("/login", data={"email": person.email, "password": PASSWORD})
            assert signed_in.status_code == 303
            client.post("/logout")
        # Guessing at one account from that address is still stopped...
        for _ in range(3):
            client.post("/login", data={"email": manager.email, "password": "guess"})
        guessing = client.post("/login", data={"email": manager.email, "password": PASSWORD})
        assert guessing.status_code == 429
        # ...and the same account with another spelling of the address counts alike.
        upper = client.post("/login", data={"email": manager.email.upper(), "password": "x"})
        assert upper.status_code == 429


class TestAddressLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "ADDRESS_LOGIN_RATE_LIMIT": "4 per minute"}

    def test_many_accounts_from_one_address_hit_the_looser_limit(self, client):
        for i in range(4):
            client.post("/login", data={"email": f"nobody{i}@example.org", "password": "x"})
        sprayed = client.post("/login", data={"email": "nobody9@example.org", "password": "x"})
        assert sprayed.status_code == 429


REDIS_URL = os.environ.get("LABELLING_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class TestRateLimitOnRedis:
    """Several workers share one Redis: the limit holds across app instances."""

    @pytest.fixture
    def app_config(self, app_config):
        import redis

        try:
            redis.Redis.from_url(REDIS_URL).ping()
        except redis.ConnectionError as exc:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"Redis at {REDIS_URL} is not reachable: {exc}")
            pytest.skip(f"Redis at {REDIS_URL} is not reachable: {exc}")
        return {
            **app_config,
            "RATELIMIT_ENABLED": True,
            "LOGIN_RATE_LIMIT": "3 per minute",
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            # Keys of this test's own: another run on the same Redis counts apart (emptying
            # the whole database would also drop that run's job queues).
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex[:10]}",
        }

    def test_the_limit_is_shared_through_redis(self, app, client, manager):
        for _ in range(3):
            client.post("/login", data={"email": manager.email, "password": "x"})
        # A second worker with its own app object, same Redis: still blocked.
        from labelling import create_app

        other = create_app(
            dict(
                app.config,
                TESTING_CONFIG=True,
                DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                INSTANCE_PATH=app.instance_path,
            )
        )
        blocked = other.test_client().post(
            "/login", data={"email": manager.email, "password": PASSWORD}
        )
        assert blocked.status_code == 429


def request_work(client, url: str, data: dict) -> tuple[int, list[str]]:
    """The status and the SQL of one request up to its response: what a client can time.
    Work run after the response (core.after_response) happens when the response closes."""
    with counted_statements() as statements:
        response = client.post(url, data=data, buffered=False)
        status = response.status_code
        done_before_response = list(statements)
    response.close()
    return status, done_before_response


@pytest.mark.parametrize(
    ("url", "extra"),
    [
        ("/password/forgot", {}),
        ("/register", {"full_name": "Nina", "password": PASSWORD, "confirm": PASSWORD}),
    ],
)
def test_known_and_unknown_addresses_cost_the_request_the_same(client, manager, url, extra):
    """Finding 4: /password/forgot was measurably slower for known addresses (225/25/28/18
    ms against 52/9/9/10): the look-up and the e-mail ran before the response."""
    known = request_work(client, url, {"email": manager.email} | extra)
    unknown = request_work(client, url, {"email": "nobody@example.org"} | extra)
    assert known == unknown
    # ...and the work was done, after the response: the owner of the account has a mail.
    assert (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.recipient == manager.email)
        )
        == 1
    )


class TestSignUpLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "ADDRESS_LOGIN_RATE_LIMIT": "3 per minute"}

    def test_sign_up_is_rate_limited(self, client):
        for i in range(3):
            register(client, email=f"probe{i}@example.org")
        blocked = register(client, email="probe9@example.org")
        assert blocked.status_code == 429
