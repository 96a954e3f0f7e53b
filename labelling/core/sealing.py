"""Secrets kept in the database, sealed with keys kept outside it.

A second factor's TOTP secret is stored sealed (Fernet: AES-128-CBC with an HMAC-SHA256,
from the `cryptography` package), so a database dump alone yields no usable second factor.
The keys come from `LABELLING_DATA_KEYS`, newest first: the first seals, every one unseals,
so a key is rotated by putting a new one in front, running `labelling reseal-secrets`
(everything sealed again with the newest), then dropping the old one. A key derived from
the secret key (also outside the database) comes last: it seals while no key is set.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

from labelling.core.keys import derived_key, listed


class Unsealable(Exception):
    """Sealed with a key that is no longer configured, or changed."""


def configured_keys(config) -> tuple[str, ...]:
    """The data keys, newest first, then the one derived from the secret key: it seals
    until keys are set, and what it sealed still unseals after."""
    derived = derived_key(config["SECRET_KEY"], "labelling data key")
    return (*listed(config, "DATA_KEYS"), base64.urlsafe_b64encode(derived).decode())


def key_problem(key: str) -> str | None:
    try:
        Fernet(key)
    except (ValueError, TypeError):
        return "not a key (make one with `labelling new-key`)"
    return None


@lru_cache(maxsize=8)
def _ring(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def keyring(config=None) -> MultiFernet:
    return _ring(configured_keys(config if config is not None else current_app.config))


def seal(text: str) -> str:
    return keyring().encrypt(text.encode()).decode("ascii")


def unseal(token: str) -> str:
    try:
        return keyring().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise Unsealable from exc


def reseal(token: str) -> str:
    """The same secret sealed with the newest key."""
    try:
        return keyring().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise Unsealable from exc


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")
