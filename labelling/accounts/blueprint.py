"""The accounts blueprint, and the sign-in steps its two page modules share: `views` (sign-up,
sign-in, passwords, roles) and `two_factor_views` (the second factor) add their routes to it."""

from __future__ import annotations

from flask import Blueprint, make_response
from flask_login import login_user

from labelling.accounts.models import User, UserSession
from labelling.core.audit import record_event
from labelling.db import utcnow
from labelling.extensions import db

bp = Blueprint("accounts", __name__)


def no_store(body: str):
    response = make_response(body)
    response.headers["Cache-Control"] = "no-store"  # a password, a secret, recovery codes
    return response


def complete_sign_in(user: User, record: UserSession) -> None:
    record.awaits_second_factor = False
    user.last_login_at = utcnow()
    record_event("user.signed_in", "user", user.id, actor=user)
    db.session.commit()
    login_user(user)
