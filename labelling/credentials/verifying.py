"""Verifying a credential: its signature against a key set, its dates, its status.

Pure: the key set and the way to find a status list are given, so the same code serves
the public page (our own keys and lists) and `labelling verify-credential` (a saved JWKS
and saved status lists, offline).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from labelling.credentials.issuing import DATA_URL_PREFIX, ENVELOPE_TYPE
from labelling.credentials.signing import ALGORITHM
from labelling.credentials.status import is_set

VALID, REVOKED, SUSPENDED, EXPIRED, FORGED, UNREADABLE = (
    "valid",
    "revoked",
    "suspended",
    "expired",
    "forged",
    "unreadable",
)
# A status list found for a URL: its decoded credential, or None when it cannot be had.
StatusLists = Callable[[str], dict | None]


@dataclass
class Verdict:
    state: str
    credential: dict | None = None
    key_id: str | None = None
    unchecked: list[str] = field(default_factory=list)  # status purposes not checked

    @property
    def subject(self) -> dict:
        return (self.credential or {}).get("credentialSubject") or {}


def token_of(text: str) -> str | None:
    """The compact JWS in what was pasted or uploaded: the JWT itself, or the JSON envelope
    (EnvelopedVerifiableCredential) that carries it."""
    text = text.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            return None
        if not isinstance(document, dict) or document.get("type") != ENVELOPE_TYPE:
            return None
        carried = str(document.get("id", ""))
        return carried[len(DATA_URL_PREFIX) :] if carried.startswith(DATA_URL_PREFIX) else None
    return text if text.count(".") == 2 and " " not in text else None


def signed_payload(token: str, keys: KeySet) -> tuple[dict, str] | None:
    """The payload and key id of a JWS whose signature one of `keys` makes; else None."""
    try:
        found = jws.deserialize_compact(token, keys, algorithms=[ALGORITHM])
        payload = json.loads(found.payload)
    except (JoseError, ValueError, TypeError):
        return None
    if not isinstance(payload, dict):
        return None
    return payload, found.headers().get("kid")


def verify(text: str, keys: KeySet, status_lists: StatusLists, now: datetime | None = None):
    """What a credential is worth now: forged (or unreadable), revoked, suspended,
    expired or valid."""
    token = token_of(text)
    if token is None:
        return Verdict(UNREADABLE)
    signed = signed_payload(token, keys)
    if signed is None:
        return Verdict(FORGED)
    credential, key_id = signed
    verdict = Verdict(VALID, credential, key_id)
    issuer = _issuer_id(credential)
    for entry in _status_entries(credential):
        listed = status_lists(entry.get("statusListCredential", ""))
        if listed is None or _issuer_id(listed) != issuer:
            verdict.unchecked.append(entry.get("statusPurpose", ""))
            continue
        subject = listed.get("credentialSubject") or {}
        try:
            flagged = is_set(subject["encodedList"], int(entry["statusListIndex"]))
        except (KeyError, ValueError, TypeError):
            verdict.unchecked.append(entry.get("statusPurpose", ""))
            continue
        if flagged and subject.get("statusPurpose") == "revocation":
            verdict.state = REVOKED
        elif flagged and verdict.state != REVOKED:
            verdict.state = SUSPENDED
    if verdict.state == VALID and _has_ended(credential, now or datetime.now(UTC)):
        verdict.state = EXPIRED
    return verdict


def _issuer_id(credential: dict) -> str | None:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _status_entries(credential: dict) -> list[dict]:
    entries = credential.get("credentialStatus") or []
    entries = [entries] if isinstance(entries, dict) else entries
    return [entry for entry in entries if isinstance(entry, dict)]


def _has_ended(credential: dict, now: datetime) -> bool:
    until = credential.get("validUntil")
    if not until:
        return False
    try:
        return datetime.fromisoformat(until.replace("Z", "+00:00")) < now
    except ValueError:
        return True


def saved_status_lists(tokens: list[str], keys: KeySet) -> StatusLists:
    """Status lists saved as VC-JWTs (offline), each trusted only if one of `keys` signed it."""
    lists = {}
    for token in tokens:
        signed = signed_payload(token.strip(), keys)
        if signed is not None:
            lists[signed[0].get("id")] = signed[0]
    return lists.get
