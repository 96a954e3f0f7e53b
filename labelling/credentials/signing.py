"""The issuers' Ed25519 keys: made on first use, rotated on request, all published.

An issuer is a labelling body (`body-<id>`) or the platform itself (`platform`, for
decisions no body took). Each signs its labels' credentials and status lists with its
newest key; every key it ever had stays in the JWKS, so credentials signed before a
rotation still verify.
"""

from __future__ import annotations

import json
import warnings

from flask import current_app
from joserfc import jws
from joserfc.jwk import KeySet, OKPKey
from sqlalchemy import select

from labelling.core.sealing import seal, unseal
from labelling.credentials.models import SigningKey
from labelling.db import utcnow
from labelling.extensions import db

ALGORITHM = "EdDSA"  # Ed25519 (RFC 8037); the name every JOSE library knows
PLATFORM = "platform"
MEDIA_TYPE = "vc+jwt"

# RFC 9864 names the algorithm "Ed25519"; most verifiers (PyJWT among them) know only
# "EdDSA", which means the same with an Ed25519 key.
warnings.filterwarnings("ignore", message="EdDSA is deprecated", module="joserfc")


def issuer_of(body_id: int | None) -> str:
    return f"body-{body_id}" if body_id else PLATFORM


def body_of(issuer: str) -> int | None:
    """The body id of an issuer name; None for the platform; ValueError if neither."""
    if issuer == PLATFORM:
        return None
    prefix, _dash, number = issuer.partition("-")
    if prefix != "body" or not number.isdigit():
        raise ValueError(issuer)
    return int(number)


def _of_issuer(body_id: int | None):
    return SigningKey.body_id.is_(None) if body_id is None else SigningKey.body_id == body_id


def current_key(body_id: int | None) -> SigningKey:
    """The issuer's newest key in force, made now if it has none (the caller commits)."""
    key = db.session.scalar(
        select(SigningKey)
        .where(_of_issuer(body_id), SigningKey.retired_at.is_(None))
        .order_by(SigningKey.id.desc())
        .limit(1)
    )
    return key or new_key(body_id)


def new_key(body_id: int | None) -> SigningKey:
    pair = OKPKey.generate_key("Ed25519")
    public = pair.as_dict(private=False)
    kid = pair.thumbprint()
    key = SigningKey(
        body_id=body_id,
        kid=kid,
        public_jwk=public | {"kid": kid, "alg": ALGORITHM, "use": "sig"},
        private_sealed=seal(pair.as_pem(private=True).decode("ascii")),
    )
    db.session.add(key)
    db.session.flush()
    return key


def rotate(body_id: int | None) -> SigningKey:
    """Retire the issuer's keys in force and make a new one (the caller commits)."""
    for key in db.session.scalars(
        select(SigningKey).where(_of_issuer(body_id), SigningKey.retired_at.is_(None))
    ):
        key.retired_at = utcnow()
    return new_key(body_id)


def sign(payload: dict, key: SigningKey) -> str:
    """The payload as a compact JWS (a VC-JWT), signed with the key."""
    private = _private_key(key)
    header = {"alg": ALGORITHM, "kid": key.kid, "typ": MEDIA_TYPE}
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return jws.serialize_compact(header, body, private, algorithms=[ALGORITHM])


def _private_key(key: SigningKey) -> OKPKey:
    """The key's private half, unsealed once per worker (a kid's key never changes)."""
    unsealed = current_app.extensions.setdefault("credential_private_keys", {})
    if key.kid not in unsealed:
        unsealed[key.kid] = OKPKey.import_key(unseal(key.private_sealed))
    return unsealed[key.kid]


def published_keys() -> dict:
    """The JWKS of every issuer: every key ever made, retired ones included."""
    keys = db.session.scalars(select(SigningKey).order_by(SigningKey.id)).all()
    return {"keys": [key.public_jwk for key in keys]}


def key_set(jwks: dict) -> KeySet:
    """A JWKS (ours, or one saved to a file) as the key set verification uses."""
    return KeySet([OKPKey.import_key(jwk) for jwk in jwks.get("keys", [])])
