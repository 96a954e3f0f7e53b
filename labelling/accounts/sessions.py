"""Server-side sessions: one record per sign-in, checked on every request.

The signed session cookie carries a random token; the `user_session` row it names must
exist, belong to the signed-in user and be within its idle and absolute lifetimes, or the
request is anonymous. Signing out deletes the row, so a copied cookie opens nothing after.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, flash, g, request, session
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from labelling.accounts.models import TrustedDevice, User, UserSession
from labelling.db import utcnow
from labelling.extensions import db

SESSION_KEY = "sid"
# Seconds between two writes of `last_seen_at`: the idle limit is minutes or hours, so a
# write per request would buy nothing and cost every signed-in page a database write.
TOUCH_INTERVAL = 60


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta


def lifetimes_for(user: User, *, remembered: bool, config) -> Lifetimes:
    """How long a session may sit idle and live at most, from the settings: privileged
    roles get the short idle limit; "keep me signed in" lengthens a manager's session."""
    if remembered and not user.is_privileged:
        days = timedelta(days=config["SESSION_REMEMBER_DAYS"])
        return Lifetimes(idle=days, absolute=days)
    idle_key = "SESSION_PRIVILEGED_IDLE_MINUTES" if user.is_privileged else "SESSION_IDLE_MINUTES"
    return Lifetimes(
        idle=timedelta(minutes=config[idle_key]),
        absolute=timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]),
    )


def is_expired(record: UserSession, lifetimes: Lifetimes, now: datetime) -> bool:
    return (
        now - record.last_seen_at > lifetimes.idle or now - record.created_at > lifetimes.absolute
    )


def start_session(
    user: User, *, remember: bool = False, awaits_second_factor: bool = False
) -> UserSession:
    """Record a sign-in from this request's device and bind the browser's session to it.
    The caller commits, then calls flask_login.login_user (once the second factor, if
    awaited, is given)."""
    token = secrets.token_urlsafe(32)
    record = UserSession(
        token_hash=token_hash(token),
        user_id=user.id,
        address=request.remote_addr,
        user_agent=(request.user_agent.string or "")[:300] or None,
        is_remembered=remember,
        awaits_second_factor=awaits_second_factor,
    )
    db.session.add(record)
    db.session.flush()
    session.clear()  # nothing from before the sign-in carries over (session fixation)
    session[SESSION_KEY] = token
    # A remembered session outlives the browser; its end is still the server's to decide.
    session.permanent = remember
    g.user_session = record
    return record


def user_for_request(user_id: str) -> User | None:
    """Flask-Login's user loader: the user, only while this browser's session record lives."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str):
        return None
    record = _this_browsers_record(token)
    if record is None or record.awaits_second_factor or str(record.user_id) != str(user_id):
        return None
    user = record.user
    now = utcnow()
    lifetimes = lifetimes_for(user, remembered=record.is_remembered, config=current_app.config)
    if is_expired(record, lifetimes, now):
        db.session.delete(record)
        db.session.commit()
        g.session_expired = True
        return None
    if (now - record.last_seen_at).total_seconds() > TOUCH_INTERVAL:
        record.last_seen_at = now
        # The user is loaded before the view runs (load_user_first), so this commit holds
        # nothing but the touch.
        db.session.commit()
    g.user_session = record
    return user


def _this_browsers_record(token: str) -> UserSession | None:
    """The session record with its user (and the user's roles), in one round trip for the
    two: every signed-in request reads them."""
    return db.session.scalar(
        select(UserSession)
        .options(joinedload(UserSession.user).joinedload(User.role_rows))
        .where(UserSession.token_hash == token_hash(token))
    )


def pending_session() -> UserSession | None:
    """This browser's sign-in waiting for its second factor, if recent enough."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str):
        return None
    record = _this_browsers_record(token)
    if record is None or not record.awaits_second_factor:
        return None
    limit = timedelta(seconds=current_app.config["TWO_FACTOR_PENDING_SECONDS"])
    if utcnow() - record.created_at > limit:
        return None
    return record


def current_session() -> UserSession | None:
    return g.get("user_session")


def end_session(record: UserSession) -> None:
    db.session.delete(record)


def end_sessions(user: User, *, keep: UserSession | None = None) -> int:
    """End every session of the user but `keep`; how many ended."""
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    return db.session.execute(stmt).rowcount


def active_sessions(user: User) -> list[UserSession]:
    """The user's sessions still within their lifetimes, the most recently used first."""
    now = utcnow()
    records = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
    return [
        record
        for record in records
        if not is_expired(
            record,
            lifetimes_for(user, remembered=record.is_remembered, config=current_app.config),
            now,
        )
    ]


def purge_expired_sessions(now: datetime | None = None) -> int:
    """Delete sessions past the longest lifetime any session can have, and remembered
    devices past their date (housekeeping: `labelling purge-sessions`); how many rows."""
    config = current_app.config
    now = now or utcnow()
    longest = max(
        timedelta(days=config["SESSION_REMEMBER_DAYS"]),
        timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]),
    )
    ended = db.session.execute(
        delete(UserSession).where(UserSession.created_at < now - longest)
    ).rowcount
    forgotten = db.session.execute(
        delete(TrustedDevice).where(TrustedDevice.expires_at < now)
    ).rowcount
    return ended + forgotten


def load_user_first() -> None:
    """Before every request: check the session before the view does any work, and forget a
    session the server has ended, telling the reader when it ended by itself."""
    if "_user_id" not in session:
        return
    if current_user.is_authenticated:
        return
    for key in ("_user_id", "_fresh", "_id", SESSION_KEY):
        session.pop(key, None)
    if g.get("session_expired"):
        flash(_("You were signed out after a time without activity. Please sign in again."), "info")


# Form fields the sign-in page carries back to where they were typed, as `carry:<name>`.
CARRY_PREFIX = "carry:"
_CARRY_MAX_FIELDS = 500
_CARRY_MAX_CHARS = 20_000


def fields_to_carry(form, *, prefix: str = "") -> list[tuple[str, str]]:
    """The (name, value) pairs of a posted form worth carrying across a sign-in: not the
    token, bounded in number and length."""
    pairs = [
        (name[len(prefix) :], value[:_CARRY_MAX_CHARS])
        for name, value in form.items(multi=True)
        if name.startswith(prefix) and name[len(prefix) :] not in ("", "csrf_token")
    ]
    return pairs[:_CARRY_MAX_FIELDS]


def keep_carried_form(record: UserSession, path: str, fields: list[tuple[str, str]]) -> None:
    """Keep, in the new session, the form brought back through the sign-in page. Only a
    sign-in (a token-checked POST with the password) sets it: no third party can."""
    if fields:
        record.carried_form = {"path": path, "fields": [list(pair) for pair in fields]}


def take_carried_form(path: str) -> list[tuple[str, str]] | None:
    """The form carried for this page, once; the caller commits."""
    record = current_session()
    carried = record.carried_form if record is not None else None
    if not carried or carried.get("path") != path:
        return None
    record.carried_form = None
    return [tuple(pair) for pair in carried["fields"]]
