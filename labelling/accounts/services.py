"""Account services: registration, sign-in bookkeeping, password reset tokens."""

from __future__ import annotations

import hashlib
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from labelling.accounts.models import Role, User, UserRole
from labelling.core.audit import record_event
from labelling.core.http import external_url
from labelling.core.paging import Order, Page, holding, keyset_page
from labelling.db import utcnow
from labelling.extensions import db
from labelling.notifications.services import queue_email

RESET_SALT = "labelling.password-reset"
CONFIRM_SALT = "labelling.email-confirmation"


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message is user-facing."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def register_user(
    email: str,
    full_name: str,
    password: str | None = None,
    roles=(Role.CLUSTER_MANAGER,),
    locale: str | None = None,
    *,
    password_hash: str | None = None,
    confirmed: bool = True,
) -> User:
    """Create an account (e-mail goes out in `locale`, by default the browser's language at
    sign-up), from a password or its hash. An account made by sign-up is unconfirmed until
    its owner follows the link; one an administrator or a command makes is confirmed.
    Raises AccountError if the e-mail is taken."""
    if find_user_by_email(email) is not None:
        raise AccountError("email-taken")
    user = User(email=normalise_email(email), full_name=full_name.strip(), locale=locale)
    if password_hash is not None:
        user.password_hash = password_hash
    else:
        user.set_password(password)
    if confirmed:
        user.email_confirmed_at = utcnow()
    for role in roles:
        user.grant(role)
    db.session.add(user)
    db.session.flush()
    record_event("user.registered", "user", user.id, actor=user)
    return user


def sign_up(email: str, full_name: str, password_hash: str, locale: str, next_url: str) -> None:
    """What a sign-up does once its response has gone out (core.after_response), so that
    the page cannot tell a known address from a new one: a new address gets its account
    and a link to confirm it; a known one is told, by mail, that it has an account."""
    existing = find_user_by_email(email)
    if existing is not None:
        queue_email(
            existing.email,
            "account_exists",
            user=existing,
            sign_in=external_url("accounts.login"),
            reset=external_url("accounts.forgot_password"),
        )
        return
    user = register_user(
        email, full_name, locale=locale, password_hash=password_hash, confirmed=False
    )
    send_confirmation(user, next_url)


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _signed_payload(salt: str, token: str, max_age: int) -> dict | None:
    """What a link's token carries, if we signed it for `salt` within `max_age` seconds."""
    try:
        payload = _serializer(salt).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    return payload if isinstance(payload, dict) else None


def send_confirmation(user: User, next_url: str = "") -> None:
    token = _serializer(CONFIRM_SALT).dumps({"uid": user.id, "email": user.email, "next": next_url})
    link = external_url("accounts.confirm_email", token=token)
    queue_email(user.email, "confirm_email", user=user, link=link)


def confirmation_from_token(token: str) -> tuple[User, str] | None:
    """The account a valid, unexpired, unused confirmation link names, and where to go
    after."""
    max_age = current_app.config["EMAIL_CONFIRMATION_MAX_AGE"]
    payload = _signed_payload(CONFIRM_SALT, token, max_age)
    user = db.session.get(User, payload.get("uid")) if payload else None
    if user is None or user.email != payload.get("email"):
        return None
    if user.email_confirmed_at is not None:
        return None  # used: it signs in once, never again
    return user, str(payload.get("next") or "")


def confirm_email(user: User) -> None:
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        record_event("user.email_confirmed", "user", user.id, actor=user)


def authenticate(email: str, password: str) -> User | None:
    """The user if the credentials match an enabled account, else None. The caller checks
    that the address is confirmed."""
    user = find_user_by_email(email)
    if user is None:
        # Spend the same time as a real check so response times do not reveal accounts.
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.is_enabled:
        return None
    return user


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not-a-real-password")


def _password_fingerprint(user: User) -> str:
    # Tying the token to the current hash makes it single-use: a new password voids it.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return _serializer(RESET_SALT).dumps({"uid": user.id, "fp": _password_fingerprint(user)})


def user_from_reset_token(token: str) -> User | None:
    """The user a valid, unexpired, unused token names, else None."""
    payload = _signed_payload(RESET_SALT, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = db.session.get(User, payload.get("uid")) if payload else None
    if user is None or payload.get("fp") != _password_fingerprint(user):
        return None
    return user


def request_password_reset(email: str) -> None:
    """E-mail a reset link if the account exists; silent otherwise. Run after the response
    (core.after_response), so that neither the page nor its timing reveals accounts."""
    user = find_user_by_email(email)
    if user is None or not user.is_enabled:
        return
    link = external_url("accounts.reset_password", token=make_reset_token(user))
    queue_email(user.email, "password_reset", user=user, link=link)
    record_event("user.password_reset_requested", "user", user.id, actor=user)


def change_password(user: User, new_password: str, *, actor: User | None = None) -> None:
    user.set_password(new_password)
    record_event("user.password_changed", "user", user.id, actor=actor or user)


def language_of_address(address: str) -> str | None:
    """The language of the account with this address: its own, or the platform's default
    when it names none the platform offers. None when no account has the address."""
    account = db.session.execute(
        select(User.locale).where(func.lower(User.email) == address.strip().lower())
    ).first()
    if account is None:
        return None
    if account.locale in current_app.config["LANGUAGES"]:
        return account.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def staff_members() -> list[User]:
    """The enabled secretariat staff and administrators, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role.in_([Role.SECRETARIAT.value, Role.ADMIN.value]))
            .where(User.is_enabled.is_(True))
            .order_by(User.full_name)
            .distinct()
        )
    )


USERS_PER_PAGE = 50
USER_ORDER: Order = [(User.full_name, True), (User.id, True)]


def users_page(q: str, role: str, cursor: str | None) -> tuple[Page, int]:
    """The administrators' page of accounts by name, narrowed to a part of the name or
    e-mail address and a role, and how many there are. Raises core.paging.BadCursor."""
    conditions = []
    if q:
        conditions.append(holding(q, User.full_name, User.email))
    if role:
        conditions.append(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    total = db.session.scalar(select(func.count(User.id)).where(*conditions))
    page = keyset_page(select(User).where(*conditions), USER_ORDER, "name", cursor, USERS_PER_PAGE)
    return page, total
