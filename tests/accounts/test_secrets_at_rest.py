"""Issue 25, left open the round before: the TOTP secret was stored in clear, so a dump of
the database gave everyone's second factor. Now it is sealed with keys kept outside the
database (LABELLING_DATA_KEYS, newest first), and `labelling reseal-secrets` seals all of
them again with the newest so that an old key can be dropped."""

from __future__ import annotations

import time

import pyotp
import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import text

from labelling.accounts import two_factor
from labelling.accounts.models import Role
from labelling.core.sealing import new_key
from labelling.extensions import db
from tests.factories import create_user, sign_in

OLD, NEW = new_key(), new_key()


@pytest.fixture
def app_config(app_config):
    return {**app_config, "TWO_FACTOR_REQUIRED": True, "DATA_KEYS": [OLD]}


def stored(user) -> str:
    """What a dump of the database holds for the user's second factor."""
    return db.session.execute(
        text('SELECT totp_secret FROM "user" WHERE id = :id'), {"id": user.id}
    ).scalar()


def enrolled_staff():
    user = create_user("sec@example.org", roles=(Role.SECRETARIAT,))
    secret = two_factor.new_secret(user)
    user.totp_enabled_at = db.func.now()
    user.totp_last_step = int(time.time() // 30) - 2
    codes = two_factor.new_recovery_codes(user)
    db.session.commit()
    return user, secret, codes


def signs_in_with_code(app, user, secret: str, offset_steps: int = 0) -> bool:
    client = app.test_client()
    sign_in(client, user.email)
    code = pyotp.TOTP(secret).at(time.time() + offset_steps * 30)
    return client.post("/login/two-factor", data={"code": code}).status_code == 303


def test_a_dump_holds_no_usable_second_factor(app):
    user, secret, _codes = enrolled_staff()
    dumped = stored(user)
    assert secret not in dumped and len(dumped) > 64
    with pytest.raises(InvalidToken):  # a key that is not the installation's opens nothing
        Fernet(new_key()).decrypt(dumped.encode())
    assert Fernet(OLD).decrypt(dumped.encode()).decode() == secret
    assert signs_in_with_code(app, user, secret)


def test_keys_rotate_and_reseal_secrets_lets_the_old_one_go(app):
    user, secret, _codes = enrolled_staff()
    runner = app.test_cli_runner()
    app.config["DATA_KEYS"] = [NEW, OLD]  # a new key in front: the old one still unseals
    assert signs_in_with_code(app, user, secret)
    result = runner.invoke(args=["reseal-secrets"])
    assert result.exit_code == 0 and "1 secret(s) sealed with the newest key" in result.output
    assert Fernet(NEW).decrypt(stored(user).encode()).decode() == secret
    app.config["DATA_KEYS"] = [NEW]  # the old key dropped
    db.session.expire_all()
    assert signs_in_with_code(app, user, secret, offset_steps=1)


def test_a_secret_sealed_with_a_dropped_key_leaves_the_recovery_codes(app):
    user, secret, codes = enrolled_staff()
    app.config["DATA_KEYS"] = [NEW]  # OLD dropped before resealing
    db.session.expire_all()
    assert not signs_in_with_code(app, user, secret)
    client = app.test_client()
    sign_in(client, user.email)
    assert client.post("/login/two-factor", data={"code": codes[0]}).status_code == 303
    result = app.test_cli_runner().invoke(args=["reseal-secrets"])
    assert result.exit_code == 1 and "sec@example.org" in result.output
    assert "Nothing was changed" in result.output


def test_a_bad_key_stops_the_start(app_config, tmp_path):
    from labelling import create_app
    from labelling.core.settings_check import SettingsError

    with pytest.raises(SettingsError) as raised:
        create_app({**app_config, "DATA_KEYS": [OLD, "not-a-key"], "AUDIT_KEYS": ["short"]})
    assert raised.value.problems == [
        "LABELLING_AUDIT_KEYS: key 1 has fewer than 32 characters",
        "LABELLING_DATA_KEYS: key 2 is not a key (make one with `labelling new-key`)",
    ]


def test_new_key_prints_a_key(app):
    result = app.test_cli_runner().invoke(args=["new-key"])
    assert result.exit_code == 0
    Fernet(result.output.strip())  # a valid key
