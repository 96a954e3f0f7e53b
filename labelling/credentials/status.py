"""W3C Bitstring Status List v1.0: one list per issuer and purpose (revocation,
suspension), each bit a label (its id is its index), set while the label is revoked or
suspended. The list is a credential of its own, signed like the labels' credentials, and
computed from the labels as they are now: revoking or suspending a label changes it at once.
"""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, datetime

from sqlalchemy import or_, select

from labelling.assessments.models import Application
from labelling.bodies.services import effective_body_id
from labelling.certificates.models import Label, LabelStatus
from labelling.extensions import db

PURPOSES = {"revocation": LabelStatus.REVOKED, "suspension": LabelStatus.SUSPENDED}
# The specification's least size (16 KB), so that a list says little about any one label.
MIN_BITS = 131_072


def encode(indexes: set[int], size: int = MIN_BITS) -> str:
    """The multibase (base64url, "u") of the GZIP of the bitstring, index 0 the left-most
    bit of the first byte."""
    size = max(size, MIN_BITS, *(index + 1 for index in indexes)) if indexes else size
    bits = bytearray((size + 7) // 8)
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
