"""The second factor: time-based one-time codes (TOTP, RFC 6238) from an authenticator
app, single-use recovery codes, and devices remembered for a while at the user's request.

Required of assessors, the secretariat and administrators (`TWO_FACTOR_REQUIRED`; only the
demo turns it off), optional for cluster managers.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import timedelta

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, select

from labelling.accounts.models import RecoveryCode, TrustedDevice, User
from labelling.core.audit import record_event
from labelling.db import utcnow
from labelling.extensions import db

ISSUER = "Cluster Excellence Labelling"
STEP_SECONDS = 30
RECOVERY_CODES = 10
# A device is remembered at most this long, whatever the settings say.
MAX_REMEMBER_DAYS = 30
DEVICE_COOKIE = "second_factor_device"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def is_required(user: User) -> bool:
    return bool(current_app.config["TWO_FACTOR_REQUIRED"]) and user.is_privileged


def is_asked(user: User) -> bool:
    """Whether signing in takes a second step: enrolled users, and those who must enrol."""
    return user.has_second_factor or is_required(user)


def new_secret(user: User) -> str:
    """Start (or restart) enrolment: a fresh secret, not yet in force."""
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_enabled_at = None
    user.totp_last_step = None
    return secret


def provisioning_uri(user: User) -> str:
    issuer = current_app.config.get("SITE_NAME") or ISSUER
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(user: User) -> str:
    """The enrolment QR code as inline SVG (our CSP allows no outside images)."""
    return segno.make(provisioning_uri(user), error="m").svg_inline(
        scale=4, dark="#000", light="#fff", title="QR code"
    )


def matching_step(secret: str, code: str, last_step: int | None, now: float) -> int | None:
    """The time step `code` belongs to, within one step of now for clocks that drift, if
    no code of that step or a later one was accepted before (a code works once)."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def check_code(user: User, code: str, now: float | None = None) -> bool:
    """Accept a code from the app once, or an unused recovery code."""
    if not user.totp_secret_sealed:
        return False
    secret = user.totp_secret  # None if its key is gone: then only a recovery code works
    if secret:
        step = matching_step(secret, code, user.totp_last_step, now or time.time())
        if step is not None:
            user.totp_last_step = step
            return True
    return use_recovery_code(user, code)


def enable(user: User, code: str) -> list[str] | None:
    """Put the second factor in force once the app shows a right code; the recovery codes
    (shown once), or None if the code is wrong."""
    step = matching_step(user.totp_secret or "", code, None, time.time())
    if step is None:
        return None
    user.totp_last_step = step
    user.totp_enabled_at = utcnow()
    record_event("user.second_factor_enabled", "user", user.id, actor=user)
    return new_recovery_codes(user)


def disable(user: User, *, actor: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    forget_devices(user)
    record_event("user.second_factor_disabled", "user", user.id, actor=actor)


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones; only their hashes are kept."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    return codes


def _recovery_code() -> str:
    raw = secrets.token_hex(5)
    return f"{raw[:5]}-{raw[5:]}"


def _normal_recovery_code(code: str) -> str:
    raw = "".join(ch for ch in code.lower() if ch in "0123456789abcdef")
    return f"{raw[:5]}-{raw[5:]}"


def use_recovery_code(user: User, code: str) -> bool:
    row = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(_normal_recovery_code(code)),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = utcnow()
    record_event("user.recovery_code_used", "user", user.id, actor=user)
    return True


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def remember_days() -> int:
    return min(int(current_app.config["TWO_FACTOR_REMEMBER_DAYS"]), MAX_REMEMBER_DAYS)


def remember_device(user: User) -> str:
    """Remember this browser for the user; the cookie value (the server keeps its hash)."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        TrustedDevice(
            user_id=user.id,
            token_hash=_digest(token),
            expires_at=utcnow() + timedelta(days=remember_days()),
        )
    )
    return token


def is_remembered_device(user: User, token: str | None) -> bool:
    if not token:
        return False
    device = db.session.scalar(
        select(TrustedDevice).where(
            TrustedDevice.user_id == user.id, TrustedDevice.token_hash == _digest(token)
        )
    )
    return device is not None and device.expires_at > utcnow()


def forget_devices(user: User) -> None:
    db.session.execute(delete(TrustedDevice).where(TrustedDevice.user_id == user.id))


def device_cookie_name() -> str:
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    return f"__Host-{DEVICE_COOKIE}" if secure else DEVICE_COOKIE
