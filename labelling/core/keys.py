"""Keys kept outside the database: in the settings, or derived from the secret key.

Whoever can write to the database must not be able to forge what these keys protect: the
sealed second factors (core.sealing) and the audit chain with its checkpoints (core.audit).
Each setting lists keys newest first: the first is used for what is written now, every one
is accepted for what was written before, so a key is rotated by putting a new one in front.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

MIN_AUDIT_KEY_LENGTH = 32


@lru_cache(maxsize=16)
def derived_key(secret: str, purpose: str) -> bytes:
    """32 bytes for one purpose, derived from the application's secret key (HKDF-SHA256)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
    return hkdf.derive(secret.encode())


def listed(config, name: str) -> tuple[str, ...]:
    return tuple(key.strip() for key in config.get(name) or () if key.strip())


def key_id(key: bytes) -> str:
    """A short public name of a key (it says which key, never what key)."""
    return hashlib.sha256(b"labelling key id:" + key).hexdigest()[:12]


@lru_cache(maxsize=8)
def _audit_keys(configured: tuple[str, ...], secret: str) -> tuple[tuple[str, bytes], ...]:
    # The key derived from the secret key comes last: it keys the chain until keys are
    # set, and what it keyed still verifies after.
    keys = [k.encode() for k in configured] + [derived_key(secret, "labelling audit chain")]
    return tuple((key_id(key), key) for key in keys)


def audit_keys(config=None) -> tuple[tuple[str, bytes], ...]:
    """(id, key) of every audit key, the one that keys new events first, the one derived
    from the secret key last."""
    config = config if config is not None else current_app.config
    return _audit_keys(listed(config, "AUDIT_KEYS"), config["SECRET_KEY"])


def audit_key_problems(config) -> list[str]:
    keys = listed(config, "AUDIT_KEYS")
    short = [n for n, key in enumerate(keys, 1) if len(key) < MIN_AUDIT_KEY_LENGTH]
    return [f"key {n} has fewer than {MIN_AUDIT_KEY_LENGTH} characters" for n in short]
