"""The second factor: required of those who decide or see evidence (enrolment at their next
sign-in), optional for managers; single-use codes and recovery codes; a device remembered
only on request and for at most 30 days; rate-limited; set up by create-admin."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from labelling.accounts import two_factor
from labelling.accounts.models import Role, User
from labelling.extensions import db
from tests.factories import create_user, sign_in


@pytest.fixture
def app_config(app_config):
    return {**app_config, "TWO_FACTOR_REQUIRED": True}


def secret_on(page: str) -> str:
    return re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)


def code_for(user: User, offset_steps: int = 0) -> str:
    db.session.refresh(user)
    return pyotp.TOTP(user.totp_secret).at(time.time() + offset_steps * 30)


def enrolled(user: User) -> User:
    """A user with the second factor in force, its last code used a minute ago."""
    two_factor.new_secret(user)
    user.totp_enabled_at = db.func.now()
    user.totp_last_step = int(time.time() // 30) - 2
    db.session.commit()
    return user


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.ADMIN, Role.ASSESSOR])
def test_staff_without_a_second_factor_set_one_up_at_their_next_sign_in(client, role):
    """Finding 3: the secretariat, administrators and assessors signed in with a password."""
    user = create_user("staff@example.org", roles=(role,))
    first = sign_in(client, user.email)
    assert first.status_code == 303 and "/login/two-factor" in first.headers["Location"]
    # The password alone opens nothing.
    assert client.get("/dashboard").status_code == 302
    client.post("/logout")
    sign_in(client, user.email)
    page = client.get("/login/two-factor").get_data(as_text=True)
    assert "Set up two-step sign-in" in page and "<svg" in page
    secret = secret_on(page)
    wrong = client.post("/login/two-factor", data={"code": "000000"})
    assert wrong.status_code == 422 and "This code is not right" in wrong.get_data(as_text=True)
    done = client.post("/login/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    assert done.headers["Cache-Control"] == "no-store"
    codes = re.findall(
        r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", done.get_data(as_text=True)
    )
    assert len(codes) == 10
    assert client.get("/dashboard").status_code == 200
    db.session.refresh(user)
    assert user.has_second_factor


def test_a_code_signs_in_once_and_a_recovery_code_once(app, client):
    user = enrolled(create_user("sec@example.org", roles=(Role.SECRETARIAT,)))
    codes = two_factor.new_recovery_codes(user)
    db.session.commit()
    sign_in(client, user.email)
    assert client.post("/login/two-factor", data={"code": "123456"}).status_code == 401
    code = code_for(user)
    assert client.post("/login/two-factor", data={"code": code}).status_code == 303
    assert client.get("/dashboard").status_code == 200
    # The same code again, from another browser that has the password: refused.
    other = app.test_client()
    sign_in(other, user.email)
    replay = other.post("/login/two-factor", data={"code": code})
    assert replay.status_code == 401
    assert other.get("/dashboard").status_code == 302
    assert other.post("/login/two-factor", data={"code": codes[0].upper()}).status_code == 303
    third = app.test_client()
    sign_in(third, user.email)
    assert third.post("/login/two-factor", data={"code": codes[0]}).status_code == 401
    assert two_factor.recovery_codes_left(user) == 9


def test_a_device_is_remembered_only_when_asked_and_for_at_most_30_days(app, client):
    app.config["TWO_FACTOR_REMEMBER_DAYS"] = 90  # more than allowed: 30 it is
    user = enrolled(create_user("sec@example.org", roles=(Role.SECRETARIAT,)))
    sign_in(client, user.email)
    not_asked = client.post("/login/two-factor", data={"code": code_for(user)})
    assert "second_factor_device" not in not_asked.headers.get("Set-Cookie", "")
    client.post("/logout")
    again = sign_in(client, user.email)
    assert "/login/two-factor" in again.headers["Location"]
    asked = client.post(
        "/login/two-factor", data={"code": code_for(user, 1), "remember_device": "y"}
    )
    cookie = asked.headers["Set-Cookie"]
    assert "second_factor_device=" in cookie and "HttpOnly" in cookie
    assert int(re.search(r"Max-Age=(\d+)", cookie).group(1)) == 30 * 24 * 3600
    client.post("/logout")
    remembered = sign_in(client, user.email)
    assert remembered.headers["Location"].endswith("/dashboard")
    # Someone else on the same device is still asked.
    colleague = enrolled(create_user("col@example.org", roles=(Role.SECRETARIAT,)))
    client.post("/logout")
    assert "/login/two-factor" in sign_in(client, colleague.email).headers["Location"]


def test_managers_choose_the_second_factor_and_may_turn_it_off(client, manager):
    assert sign_in(client, manager.email).headers["Location"].endswith("/dashboard")
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = secret_on(page)
    on = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert on.status_code == 200 and "Your recovery codes" in on.get_data(as_text=True)
    client.post("/logout")
    assert "/login/two-factor" in sign_in(client, manager.email).headers["Location"]
    recovery = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", on.get_data(as_text=True))
    assert client.post("/login/two-factor", data={"code": code_for(manager, 1)}).status_code == 303
    used = client.post("/account/two-factor/turn-off", data={"code": code_for(manager, 1)})
    assert used.status_code == 422  # the code that signed in does not serve twice
    off = client.post("/account/two-factor/turn-off", data={"code": recovery[0]})
    assert off.status_code == 303
    db.session.refresh(manager)
    assert not manager.has_second_factor


def test_staff_cannot_turn_it_off(client):
    user = enrolled(create_user("sec@example.org", roles=(Role.SECRETARIAT,)))
    sign_in(client, user.email)
    client.post("/login/two-factor", data={"code": code_for(user)})
    refused = client.post("/account/two-factor/turn-off", data={"code": code_for(user, 1)})
    assert refused.status_code == 409
    db.session.refresh(user)
    assert user.has_second_factor


class TestCodeLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "TWO_FACTOR_RATE_LIMIT": "3 per minute"}

    def test_guessing_codes_is_stopped_even_across_new_sign_ins(self, app, client):
        user = enrolled(create_user("sec@example.org", roles=(Role.SECRETARIAT,)))
        for _ in range(3):
            browser = app.test_client()
            sign_in(browser, user.email)
            browser.post("/login/two-factor", data={"code": "000000"})
        fresh = app.test_client()
        sign_in(fresh, user.email)
        blocked = fresh.post("/login/two-factor", data={"code": code_for(user)})
        assert blocked.status_code == 429


def test_codes_match_within_one_step_of_drift_and_never_twice():
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    now = 1_800_000_000.0
    step = int(now // 30)
    assert two_factor.matching_step(secret, totp.at(now), None, now) == step
    assert two_factor.matching_step(secret, totp.at(now - 30), None, now) == step - 1
    assert two_factor.matching_step(secret, totp.at(now + 30), None, now) == step + 1
    assert two_factor.matching_step(secret, totp.at(now - 90), None, now) is None
    assert two_factor.matching_step(secret, totp.at(now), step, now) is None  # used
    assert two_factor.matching_step(secret, totp.at(now - 30), step, now) is None  # older
    spaced = totp.at(now)[:3] + " " + totp.at(now)[3:]
    assert two_factor.matching_step(secret, spaced, None, now) == step


CREATE_ADMIN = [
    "create-admin",
    "--email",
    "boss@example.org",
    "--name",
    "Boss",
    "--password",
    "a long passphrase",
]


def test_create_admin_sets_up_the_second_factor_on_the_command_line(app, monkeypatch):
    known = pyotp.random_base32()
    monkeypatch.setattr(two_factor.pyotp, "random_base32", lambda: known)
    runner = app.test_cli_runner()
    wrong = runner.invoke(args=CREATE_ADMIN, input="000000\n000000\n000000\n")
    assert wrong.exit_code != 0 and "was not set up" in wrong.output
    assert f"enter this key in it: {known}" in wrong.output
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == "boss@example.org")) is None
    right = runner.invoke(args=CREATE_ADMIN, input=f"{pyotp.TOTP(known).now()}\n")
    assert right.exit_code == 0, right.output
    assert len(re.findall(r"^  [0-9a-f]{5}-[0-9a-f]{5}$", right.output, re.M)) == 10
    user = db.session.scalar(select(User).where(User.email == "boss@example.org"))
    assert user.has_second_factor and user.has_role(Role.ADMIN)


def test_an_administrator_removes_a_lost_second_factor(app, client):
    admin = create_user("admin@example.org", roles=(Role.ADMIN,))
    enrolled(admin)
    lost = enrolled(create_user("sec@example.org", roles=(Role.SECRETARIAT,)))
    their_browser = app.test_client()
    sign_in(their_browser, lost.email)
    their_browser.post("/login/two-factor", data={"code": code_for(lost)})
    assert their_browser.get("/dashboard").status_code == 200
    sign_in(client, admin.email)
    client.post("/login/two-factor", data={"code": code_for(admin)})
    page = client.get(f"/admin/users/{lost.id}").get_data(as_text=True)
    assert "Remove the second factor" in page
    assert client.post(f"/admin/users/{lost.id}/two-factor/reset").status_code == 303
    assert their_browser.get("/dashboard").status_code == 302  # sessions ended
    db.session.refresh(lost)
    assert not lost.has_second_factor
    # ... and, required of the secretariat, it is set up again at the next sign-in.
    assert "/login/two-factor" in sign_in(their_browser, lost.email).headers["Location"]
    assert "Set up two-step sign-in" in their_browser.get("/login/two-factor").text
    # Nobody else may do it.
    manager = create_user("m@example.org")
    other = app.test_client()
    sign_in(other, manager.email)
    assert other.post(f"/admin/users/{admin.id}/two-factor/reset").status_code == 403
