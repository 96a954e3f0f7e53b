"""Users and their roles."""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from labelling.core.sealing import Unsealable, seal, unseal
from labelling.db import TimestampMixin, UTCDateTime, trigram_index, utcnow
from labelling.extensions import db

log = logging.getLogger(__name__)


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


class Role(StrEnum):
    CLUSTER_MANAGER = "cluster_manager"
    ASSESSOR = "assessor"
    SECRETARIAT = "secretariat"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.CLUSTER_MANAGER: _l("Cluster manager"),
    Role.ASSESSOR: _l("Assessor"),
    Role.SECRETARIAT: _l("Secretariat"),
    Role.ADMIN: _l("Administrator"),
}


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user"
    # The administrators' list, by name a page at a time (core.paging).
    __table_args__ = (
        Index("ix_user_full_name", "full_name", "id"),
        trigram_index("ix_trgm_user_names", "full_name", "email"),  # the accounts' search
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(256), nullable=False)
    is_enabled: Mapped[bool] = mapped_column(default=True, nullable=False)
    locale: Mapped[str | None] = mapped_column(String(10))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the owner of the address followed the link sent at sign-up or a reset link,
    # or when a command or an administrator created the account: only then can it sign in.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, nullable=False
    )
    # The second factor: a TOTP secret (base32) once enrolled, sealed with the data keys
    # (core.sealing: a dump of the database alone gives no usable factor), and the last
    # time step a code was accepted for, so that one code never signs in twice.
    totp_secret_sealed: Mapped[str | None] = mapped_column("totp_secret", String(255))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None]

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<User {self.email}>"

    @property
    def totp_secret(self) -> str | None:
        if not self.totp_secret_sealed:
            return None
        try:
            return unseal(self.totp_secret_sealed)
        except Unsealable:
            # Its key was dropped from LABELLING_DATA_KEYS: only a recovery code, or an
            # administrator removing the factor, lets this person in now.
            log.error("The second factor of user %s is sealed with an unknown key", self.id)
            return None

    @totp_secret.setter
    def totp_secret(self, secret: str | None) -> None:
        self.totp_secret_sealed = seal(secret) if secret else None

    @property
    def is_active(self) -> bool:  # flask-login refuses disabled accounts
        return self.is_enabled

    @property
    def roles(self) -> set[Role]:
        return {Role(row.role) for row in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_privileged(self) -> bool:
        """Those who decide labels or see confidential evidence: a second factor is required
        of them and their sessions end sooner when idle."""
        return self.has_role(Role.ASSESSOR, Role.SECRETARIAT, Role.ADMIN)

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def is_staff(self) -> bool:
        """Secretariat and administrators see every organisation."""
        return self.has_role(Role.SECRETARIAT, Role.ADMIN)

    def grant(self, role: Role) -> None:
        if role not in self.roles:
            self.role_rows.append(UserRole(role=role.value))

    def revoke(self, role: Role) -> None:
        self.role_rows = [row for row in self.role_rows if row.role != role.value]

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)
        self.password_changed_at = utcnow()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class UserRole(db.Model):
    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False)

    user: Mapped[User] = relationship(back_populates="role_rows")


class UserSession(db.Model):
    """One sign-in on one device. The browser holds a random token; the server keeps only
    its SHA-256, so the table alone opens no session. Deleting the row signs that device out."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    is_remembered: Mapped[bool] = mapped_column(default=False, nullable=False)
    # Right password, second factor still to come: such a session opens nothing yet.
    awaits_second_factor: Mapped[bool] = mapped_column(default=False, nullable=False)
    # A form the reader had filled when the previous session ended, brought back through the
    # sign-in page: {"path": ..., "fields": [[name, value], ...]}, shown once, then dropped.
    carried_form: Mapped[dict | None] = mapped_column(JSON)

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator app (kept as a SHA-256)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TrustedDevice(db.Model):
    """A browser the user asked to remember after a second factor, until `expires_at`."""

    __tablename__ = "trusted_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
