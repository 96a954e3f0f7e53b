"""What the platform holds about a person: a download of all of it, and erasure.

The download is found, not listed by hand: every row of every table that points at the
account (a column referring to `user.id`) or names its address, so a table added later is
in it too. Secrets (password and token hashes, the second factor's key) and the audit
chain's hashes are left out: they identify nothing and would only help an attacker.

Erasure removes the person and keeps the record: the account's row stays as a pseudonym
("Erased account #12"), so the audit trail, decisions and labels it is part of stay
whole and verifiable (the hash chain is not touched); its personal fields, memberships,
sessions, devices and mail are removed.
"""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Table, delete, func, or_, select

from labelling.accounts.models import Role, User
from labelling.core.audit import record_event
from labelling.core.hooks import Registry
from labelling.core.storage import file_storage
from labelling.db import utcnow
from labelling.extensions import db

SECRET_WORDS = ("hash", "secret", "token")
# Rows that exist only for the person (removed on erasure); everything else pointing at
# the account is the record of something that happened, and stays, pointing at the pseudonym.
PERSONAL_TABLES = (
    "organisation_membership",
    "user_session",
    "trusted_device",
    "recovery_code",
    "user_role",
    "body_member",
)


def _user_table() -> Table:
    return db.metadata.tables["user"]


def _references(table: Table, user_id: int):
    """A WHERE for rows of `table` that point at the account; None if none can."""
    columns = [fk.parent for fk in table.foreign_keys if fk.column.table is _user_table()]
    return or_(*(column == user_id for column in columns)) if columns else None


def _addressed(table: Table, email: str):
    columns = [c for c in table.columns if c.name in ("email", "recipient", "contact_email")]
    folded = email.strip().lower()
    return or_(*(func.lower(column) == folded for column in columns)) if columns else None


def _shown(table: Table) -> list:
    return [
        column
        for column in table.columns
        if not any(word in column.name for word in SECRET_WORDS)
        and column.type.__class__.__name__ != "LargeBinary"
    ]


def _plain(value):
    """A value as JSON has it: dates and times in ISO 8601, decimals as text."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def personal_records(user: User) -> dict[str, list[dict]]:
    """Every row about `user`, by table, without secrets."""
    records: dict[str, list[dict]] = {}
    for table in db.metadata.sorted_tables:
        conditions = [
            c
            for c in (
                table.c.id == user.id if table is _user_table() else None,
                _references(table, user.id),
                _addressed(table, user.email),
            )
            if c is not None
        ]
        if not conditions:
            continue
        shown = _shown(table)
        rows = db.session.execute(
            select(*shown).where(or_(*conditions)).order_by(*table.primary_key.columns)
        ).mappings()
        found = [{key: _plain(value) for key, value in row.items()} for row in rows]
        if found:
            records[table.name] = found
    return records


# name -> `files(user)`: (stored name, name in the download) of each file the person uploaded
# to that feature (evidence, appeal documents), registered by the features that keep them.
UPLOADED_FILES: Registry[Callable[[User], list[tuple[str, str]]]] = Registry("uploaded files")


def their_files(user: User) -> list[tuple[str, str]]:
    """(stored name, name in the download) of each file the person uploaded."""
    return [found for files_of in UPLOADED_FILES for found in files_of(user)]


def download_archive(user: User) -> bytes:
    """A zip of `personal-data.json` and the person's files."""
    document = {
        "account_id": user.id,
        "exported_at": utcnow().isoformat(),
        "records": personal_records(user),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "personal-data.json", json.dumps(document, indent=2, ensure_ascii=False, default=str)
        )
        storage = file_storage()
        for stored, name in their_files(user):
            try:
                archive.writestr(f"files/{name}", storage.read(stored))
            except FileNotFoundError:
                continue  # removed by the retention rule meanwhile
    return buffer.getvalue()


class ErasureRefused(Exception):
    """The code says why: last-administrator."""


def erase_account(user: User) -> None:
    """Pseudonymise the account and remove what exists only for the person. The caller
    commits (and signs the person out)."""
    if user.has_role(Role.ADMIN) and _only_administrator(user):
        raise ErasureRefused("last-administrator")
    email = user.email
    record_event("user.erased", "user", user.id, actor=user)
    for name in PERSONAL_TABLES:
        table = db.metadata.tables[name]
        db.session.execute(delete(table).where(_references(table, user.id)))
    for name in ("outbox_message", "sent_reminder"):
        table = db.metadata.tables[name]
        db.session.execute(delete(table).where(_addressed(table, email)))
    invitations = db.metadata.tables["organisation_invitation"]
    db.session.execute(
        delete(invitations).where(
            _addressed(invitations, email), invitations.c.accepted_by_id.is_(None)
        )
    )
    user.email = f"erased-{user.id}@erased.invalid"
    user.full_name = f"Erased account #{user.id}"
    user.password_hash = f"!erased:{secrets.token_hex(16)}"  # matches no password
    user.is_enabled = False
    user.locale = None
    user.last_login_at = user.email_confirmed_at = None
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.expire(user, ["role_rows"])


def _only_administrator(user: User) -> bool:
    from labelling.accounts.models import UserRole

    others = db.session.scalar(
        select(func.count())
        .select_from(UserRole)
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.ADMIN.value, User.id != user.id, User.is_enabled)
    )
    return others == 0
