"""Signed checkpoints of the audit chain, kept out of the database administrators' reach.

Once a day (and on `labelling audit checkpoint`) the head of the chain, its event number
and the count of events are signed with the audit key (HMAC-SHA256) and written to their
own storage (a folder or an S3 prefix the database's administrators cannot write to), and
printed in the log. `labelling audit verify` then checks every checkpoint against the
chain: a tail cut or replaced after a checkpoint no longer holds the event it names, or
holds another. Events after the latest checkpoint are covered by the next one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from labelling.core.audit import AuditEvent
from labelling.core.keys import audit_keys
from labelling.core.storage import LocalStorage, Storage, make_storage
from labelling.extensions import db

log = logging.getLogger(__name__)

SIGNED_FIELDS = ("event_id", "chain_hash", "events", "written_at", "key_id")


def checkpoint_storage() -> Storage:
    """The checkpoints' own storage, made once per application."""
    app = current_app._get_current_object()
    storage = app.extensions.get("audit_checkpoints")
    if storage is None:
        config = app.config
        if config["STORAGE_BACKEND"] == "s3":
            own = dict(config) | {"STORAGE_S3_PREFIX": config["AUDIT_CHECKPOINT_S3_PREFIX"]}
            storage = make_storage("s3", own, app.instance_path)
        else:
            folder = config["AUDIT_CHECKPOINT_DIRECTORY"]
            path = Path(folder) if folder else Path(app.instance_path) / "audit-checkpoints"
            storage = LocalStorage(path)
        app.extensions["audit_checkpoints"] = storage
    return storage


def _signature(body: dict, key: bytes) -> str:
    signed = {field: body[field] for field in SIGNED_FIELDS}
    canonical = json.dumps(signed, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def write_checkpoint(now: datetime | None = None) -> dict | None:
    """Sign the chain's head as it stands and write it out; None for an empty chain."""
    head = db.session.execute(
        select(AuditEvent.id, AuditEvent.chain_hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    if head is None:
        return None
    now = now or datetime.now(UTC)
    key_id, key = audit_keys()[0]
    body = {
        "event_id": head.id,
        "chain_hash": head.chain_hash,
        "events": db.session.scalar(select(func.count(AuditEvent.id))),
        "written_at": now.isoformat(timespec="seconds"),
        "key_id": key_id,
    }
    body["signature"] = _signature(body, key)
    # Digits only (the storage's names are hexadecimal): time first, so they sort by it.
    name = f"{now:%Y%m%d%H%M%S}{head.id:012d}"
    checkpoint_storage().write(name, json.dumps(body, sort_keys=True).encode())
    log.info("Audit checkpoint: %s", json.dumps(body, sort_keys=True))
    return body


@dataclass(frozen=True)
class CheckpointReport:
    checked: int
    problems: list[str]
    latest: dict | None


def check_checkpoints() -> CheckpointReport:
    """Every checkpoint written, against the chain as it is now."""
    storage = checkpoint_storage()
    keys = dict(audit_keys())
    problems, latest, checked = [], None, 0
    for name in storage.names():
        checked += 1
        try:
            body = json.loads(storage.read(name))
            problem = _problem(body, keys)
        except (ValueError, KeyError, TypeError):
            problem = f"the checkpoint file {name} cannot be read"
            body = None
        if problem:
            problems.append(problem)
        elif latest is None or body["event_id"] >= latest["event_id"]:
            latest = body
    return CheckpointReport(checked, problems, latest)


def _problem(body: dict, keys: dict[str, bytes]) -> str | None:
    when = body["written_at"]
    key = keys.get(body["key_id"])
    if key is None:
        return f"the checkpoint of {when} is signed with a key not in LABELLING_AUDIT_KEYS"
    if not hmac.compare_digest(_signature(body, key), str(body.get("signature"))):
        return f"the checkpoint of {when} does not bear a valid signature"
    event_id = int(body["event_id"])
    found = db.session.scalar(select(AuditEvent.chain_hash).where(AuditEvent.id == event_id))
    if found is None:
        return (
            f"audit event #{event_id}, the head at the checkpoint of {when}, is gone: "
            "the chain was cut"
        )
    if found != body["chain_hash"]:
        return (
            f"audit event #{event_id} differs from the checkpoint of {when}: "
            "the chain was rewritten up to it"
        )
    return None
