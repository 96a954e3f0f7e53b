"""keys outside the database: second factors sealed, the audit chain keyed

Revision ID: 9c3e5a7f2d41
Revises: 6523f84df4b3
Create Date: 2026-12-03 21:30:00

The TOTP secrets written in clear are sealed with the data keys, and the audit chain gets
its first keyed event after the plain ones, so that a chain whose head is plain (rewritten
by someone without the audit key) is found by `labelling audit verify`. Both use the keys
of the settings this upgrade runs with (the same settings as the application's).
"""
import datetime
import hashlib
import hmac
import json

from alembic import op
import sqlalchemy as sa
from flask import current_app

import labelling.db


# revision identifiers, used by Alembic.
revision = '9c3e5a7f2d41'
down_revision = '6523f84df4b3'
branch_labels = None
depends_on = None

USERS = sa.table('user', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String))
EVENTS = sa.table(
    'audit_event',
    sa.column('id', sa.Integer), sa.column('created_at', labelling.db.UTCDateTime()),
    sa.column('actor_id', sa.Integer), sa.column('action', sa.String),
    sa.column('object_type', sa.String), sa.column('object_id', sa.Integer),
    sa.column('from_state', sa.String), sa.column('to_state', sa.String),
    sa.column('comment', sa.Text), sa.column('data', sa.JSON),
    sa.column('prev_hash', sa.String), sa.column('chain_hash', sa.String),
    sa.column('key_id', sa.String),
)


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column(
            'totp_secret', existing_type=sa.String(length=64), type_=sa.String(length=255)
        )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))
    _seal_second_factors()
    _key_the_chain()


def _seal_second_factors():
    from labelling.core.sealing import keyring

    ring = keyring(current_app.config)
    bind = op.get_bind()
    for user_id, secret in bind.execute(
        sa.select(USERS.c.id, USERS.c.totp_secret).where(USERS.c.totp_secret.is_not(None))
    ).all():
        sealed = ring.encrypt(secret.encode()).decode('ascii')
        bind.execute(USERS.update().where(USERS.c.id == user_id).values(totp_secret=sealed))


def _key_the_chain():
    """One keyed event after the plain ones (none on an empty chain: every event from now
    on is keyed)."""
    from labelling.core.keys import audit_keys

    bind = op.get_bind()
    head = bind.execute(
        sa.select(EVENTS.c.chain_hash).order_by(EVENTS.c.id.desc()).limit(1)
    ).scalar()
    if head is None:
        return
    key_id, key = audit_keys(current_app.config)[0]
    event = {
        "created_at": datetime.datetime.now(datetime.UTC).replace(tzinfo=None),
        "actor_id": None, "action": "audit.chain_keyed", "object_type": "audit",
        "object_id": None, "from_state": None, "to_state": None, "comment": None,
        "data": None, "prev_hash": head,
    }
    canonical = json.dumps(
        event | {"created_at": _utc_iso(event["created_at"])},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    digest = hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()
    bind.execute(EVENTS.insert().values(**event, chain_hash=digest, key_id=key_id))


def _utc_iso(moment):
    return moment.replace(tzinfo=datetime.UTC).isoformat(timespec="microseconds")


def downgrade():
    from labelling.core.sealing import keyring

    ring = keyring(current_app.config)
    bind = op.get_bind()
    for user_id, sealed in bind.execute(
        sa.select(USERS.c.id, USERS.c.totp_secret).where(USERS.c.totp_secret.is_not(None))
    ).all():
        secret = ring.decrypt(sealed.encode('ascii')).decode()
        bind.execute(USERS.update().where(USERS.c.id == user_id).values(totp_secret=secret))
    # The keyed events stay; without the key column they no longer verify as plain ones.
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('key_id')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column(
            'totp_secret', existing_type=sa.String(length=255), type_=sa.String(length=64)
        )
