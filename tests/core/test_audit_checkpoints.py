"""Issue 25: the audit chain's last events could be replaced or cut without trace unless
someone kept the head outside the database. Now the daily run signs the head and writes it
to storage of its own and to the log, and `labelling audit verify` checks every
checkpoint: a tail cut or replaced after one is found."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from labelling.core.audit import AuditEvent, record_event
from labelling.core.audit_checkpoints import checkpoint_storage
from labelling.core.keys import audit_keys
from labelling.extensions import db
from tests.core.test_audit_chain import rewrite_from_the_first, tamper, verify
from tests.factories import create_user


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "AUDIT_CHECKPOINT_DIRECTORY": str(tmp_path / "checkpoints")}


@pytest.fixture
def events(app):
    user = create_user("someone@example.org")
    for n in range(6):
        record_event("user.signed_in", "user", user.id, actor=user, data={"n": n})
        db.session.commit()
    return db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()


def checkpoint(app) -> str:
    result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_checkpoint_is_signed_written_out_and_logged(app, events, tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="labelling.core.audit_checkpoints"):
        output = checkpoint(app)
    assert f"Checkpoint written to the folder {tmp_path / 'checkpoints'}" in output
    assert f"event #{events[-1]}, {len(events)} events" in output
    (name,) = list(checkpoint_storage().names())
    body = json.loads(checkpoint_storage().read(name))
    assert body["event_id"] == events[-1] and len(body["signature"]) == 64
    assert body["key_id"] == audit_keys(app.config)[0][0]
    assert f'"chain_hash": "{body["chain_hash"]}"' in caplog.text  # printed in the log
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert f"the latest, of {body['written_at']}, covers the events up to #{events[-1]}" in (
        result.output
    )


def test_a_cut_tail_is_found(app, events):
    checkpoint(app)
    tamper("DELETE FROM audit_event WHERE id >= :id", id=events[-2])
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN: audit event #{events[-1]}, the head at the checkpoint of" in result.output
    assert "is gone: the chain was cut" in result.output


def test_a_tail_replaced_even_with_the_key_is_found(app, events):
    """Someone holding the audit key rewrites the chain consistently: the checkpoint,
    written out of their reach, still names the old head."""
    checkpoint(app)
    key_id, key = audit_keys(app.config)[0]
    rewrite_from_the_first("nothing happened", key, key_id)
    result = verify(app)
    assert result.exit_code == 1
    assert f"audit event #{events[-1]} differs from the checkpoint of" in result.output


def test_a_forged_checkpoint_is_refused(app, events):
    checkpoint(app)
    storage = checkpoint_storage()
    (name,) = list(storage.names())
    body = json.loads(storage.read(name))
    body["events"] += 1
    storage.write(name, json.dumps(body).encode())
    result = verify(app)
    assert result.exit_code == 1
    assert "does not bear a valid signature" in result.output


def test_the_daily_run_writes_a_checkpoint_after_its_duties(app, events):
    from labelling.core.http import site_request_context
    from labelling.jobs.scheduler import run_daily_tasks

    with site_request_context(app):
        run_daily_tasks(datetime.now(UTC).date().isoformat())
    names = list(checkpoint_storage().names())
    assert len(names) == 1
    body = json.loads(checkpoint_storage().read(names[0]))
    head = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
    assert body["event_id"] == head
