"""`labelling credential-keys` (rotate, export) and `labelling verify-credential`."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from labelling.credentials.signing import issuer_of, key_set, published_keys, rotate
from labelling.credentials.verifying import saved_status_lists, verify
from labelling.extensions import db

VERDICTS = {
    "valid": "VALID",
    "suspended": "SUSPENDED: the signature is genuine, the label is suspended",
    "revoked": "REVOKED: the signature is genuine, the label was revoked",
    "expired": "EXPIRED: the signature is genuine, the label's validity has ended",
    "forged": "FORGED: no key of the key set signed this credential as it is",
    "unreadable": "UNREADABLE: neither a VC-JWT nor a JSON envelope carrying one",
}


@click.group("credential-keys")
def credential_keys():
    """The issuers' signing keys for labels as credentials."""


@credential_keys.command("rotate")
@click.option("--body", "body_id", type=int, default=None, help="The body (default: platform).")
@with_appcontext
def rotate_command(body_id: int | None):
    """Retire the issuer's key and make a new one: new credentials and status lists are
    signed with it; the old key stays published, so what it signed still verifies."""
    key = rotate(body_id)
    db.session.commit()
    click.echo(f"{issuer_of(body_id)} now signs with key {key.kid}.")


@credential_keys.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_command(path: str):
    """Save the published key set (JWKS), for verifying credentials offline."""
    keys = published_keys()
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(keys, handle, indent=2)
    click.echo(f"{len(keys['keys'])} key(s) written to {path}.")


@click.command("verify-credential")
@click.argument("credential", type=click.File("r", encoding="utf-8"))
@click.option(
    "--keys",
    "keys_file",
    type=click.File("r", encoding="utf-8"),
    required=True,
    help="A saved key set (JWKS: /.well-known/jwks.json, or `credential-keys export`).",
)
@click.option(
    "--status",
    "status_files",
    type=click.File("r", encoding="utf-8"),
    multiple=True,
    help="A saved status list (the VC-JWT at the credential's statusListCredential).",
)
def verify_credential(credential, keys_file, status_files):
    """Verify a credential offline, against a saved key set (and saved status lists).
    Exit status 0 only for a valid credential."""
    try:
        keys = key_set(json.load(keys_file))
    except (ValueError, KeyError, TypeError) as exc:
        raise click.ClickException(f"The key set cannot be read: {exc}") from exc
    lists = saved_status_lists([handle.read() for handle in status_files], keys)
    verdict = verify(credential.read(), keys, lists)
    click.echo(VERDICTS[verdict.state])
    if verdict.credential:
        subject = verdict.subject
        click.echo(f"  organisation: {subject.get('name')}")
        click.echo(f"  label: {(subject.get('achievement') or {}).get('name')}")
        click.echo(f"  issuer: {(verdict.credential.get('issuer') or {}).get('name')}")
        click.echo(f"  valid until: {verdict.credential.get('validUntil')}")
        click.echo(f"  key: {verdict.key_id}")
    if verdict.unchecked:
        click.echo(
            "  status not checked ("
            + ", ".join(verdict.unchecked)
            + "): give the saved status lists with --status"
        )
    raise SystemExit(0 if verdict.state == "valid" else 1)
