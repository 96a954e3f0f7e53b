"""W3C Bitstring Status List v1.0: one list per issuer and purpose (revocation,
suspension), each bit a label (its id is its index), set while the label is revoked or
suspended. The list is a credential of its own, signed like the labels' credentials, and
computed from the labels as they are now: revoking or suspending a label changes it at once.
"""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import func, or_, select

from labelling.assessments.models import Application
from labelling.bodies.services import effective_body_id
from labelling.certificates.models import Label, LabelStatus
from labelling.extensions import db

PURPOSES = {"revocation": LabelStatus.REVOKED, "suspension": LabelStatus.SUSPENDED}
# The specification's least size (16 KB), so that a list says little about any one label.
MIN_BITS = 131_072


def list_size(highest_index: int) -> int:
    """Bits enough for every index up to `highest_index`, in whole steps of the least size
    (so that the list grows rarely and says little about how many labels exist)."""
    return (highest_index // MIN_BITS + 1) * MIN_BITS


def encode(indexes: set[int], size: int = MIN_BITS) -> str:
    """The multibase (base64url, "u") of the GZIP of the bitstring, index 0 the left-most
    bit of the first byte."""
    size = max(size, list_size(max(indexes, default=0)))
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def is_set(encoded: str, index: int) -> bool:
    """Whether the bit `index` of an encoded list is set (ValueError for a bad list)."""
    if not encoded.startswith("u"):
        raise ValueError("not a base64url multibase value")
    text = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    if index < 0 or index >= len(bits) * 8:
        raise ValueError("index outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def issued_by(body_id: int | None):
    """The condition on Application.body_id of the applications an issuer decided: those
    with no body recorded belong to the European body (or, with none, to the platform)."""
    if body_id is None:
        return Application.body_id.is_(None)
    if body_id == effective_body_id(None):
        return or_(Application.body_id == body_id, Application.body_id.is_(None))
    return Application.body_id == body_id


def listed_labels(body_id: int | None, purpose: str) -> set[int]:
    """The ids of the issuer's labels whose bit is set for `purpose`."""
    issuer = issued_by(body_id)
    return set(
        db.session.scalars(
            select(Label.id)
            .join(Application, Application.id == Label.application_id)
            .where(issuer, Label.status == PURPOSES[purpose].value)
        )
    )


def _fingerprint() -> tuple:
    """What moves whenever a label enters or leaves a list (its status and the time of its
    change are set together), or a label is added: two index scans, about a millisecond
    at 100,000 organisations."""
    flagged = [status.value for status in PURPOSES.values()]
    row = db.session.execute(
        select(func.count(Label.id), func.sum(Label.id), func.max(Label.status_changed_at)).where(
            Label.status.in_(flagged)
        )
    ).one()
    return (*row, db.session.scalar(select(func.max(Label.id))))


def encoded_list(body_id: int | None, purpose: str) -> str:
    """The issuer's list for `purpose` as it is now, encoded. Kept in the worker while no
    label enters or leaves a list: building it reads every flagged label of the issuer
    (tens of milliseconds at 100,000 organisations), checking it reads two indexes."""
    kept = current_app.extensions.setdefault("credential_status_lists", {})
    fingerprint = _fingerprint()
    hit = kept.get((body_id, purpose))
    if hit is not None and hit[0] == fingerprint:
        return hit[1]
    encoded = encode(listed_labels(body_id, purpose), list_size(fingerprint[-1] or 0))
    kept[(body_id, purpose)] = (fingerprint, encoded)
    return encoded


def status_list_credential(url: str, issuer: dict, purpose: str, encoded: str) -> dict:
    """The status list as a credential (BitstringStatusListCredential)."""
    now = datetime.now(UTC).replace(microsecond=0)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": now.isoformat().replace("+00:00", "Z"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded,
        },
        "iss": issuer["id"],
        "iat": int(now.timestamp()),
    }
