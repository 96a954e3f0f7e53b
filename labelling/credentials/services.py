"""The platform's side of credentials: its status lists, its key set, and verifying a
credential against both as they are now."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from werkzeug.exceptions import HTTPException

from labelling.core.http import external_url
from labelling.credentials.issuing import issuer_profile
from labelling.credentials.signing import body_of, current_key, key_set, published_keys, sign
from labelling.credentials.status import PURPOSES, encoded_list, status_list_credential
from labelling.credentials.verifying import Verdict, verify


def status_list(issuer: str, purpose: str) -> dict:
    """The issuer's status list for `purpose` as it is now (ValueError: no such list)."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    body_id = body_of(issuer)
    url = external_url("credentials.status_list", issuer=issuer, purpose=purpose)
    profile = issuer_profile(body_id, current_app.config["SITE_NAME"])
    return status_list_credential(url, profile, purpose, encoded_list(body_id, purpose))


def signed_status_list(issuer: str, purpose: str) -> str:
    return sign(status_list(issuer, purpose), current_key(body_of(issuer)))


def _our_status_list(url: str) -> dict | None:
    """A status list URL of ours, computed here rather than fetched."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != external_url("public.home"):
        return None
    try:
        endpoint, values = current_app.url_map.bind("localhost").match(parts.path)
    except HTTPException:
        return None
    if endpoint != "credentials.status_list":
        return None
    try:
        return status_list(values["issuer"], values["purpose"])
    except ValueError:
        return None


def verify_here(text: str) -> Verdict:
    """A pasted or uploaded credential, checked against our keys and our lists now."""
    return verify(text, key_set(published_keys()), _our_status_list)
