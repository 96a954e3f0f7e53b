"""Issue 25, item 6: labels as signed, portable credentials. A manager downloads the label's
credential (an Open Badges 3.0 VC-JWT signed with Ed25519) beside its PDF; its keys are
published as a JWKS, its status in a W3C Bitstring Status List; /verify and `labelling
verify-credential` say valid, suspended, revoked, expired or forged. An independent
library (PyJWT, not joserfc, which signs) verifies it too."""

from __future__ import annotations

import base64
import gzip
import io
import json
from datetime import date, timedelta

import jwt as pyjwt
import pytest
from sqlalchemy import select

from labelling.certificates.services import change_label_status, current_certificate
from labelling.credentials.models import SigningKey
from labelling.extensions import db
from tests.factories import create_user, labelled_organisation, sign_in


@pytest.fixture
def label(manager):
    return labelled_organisation(manager, "gold", with_certificate=True)


def download(client, label) -> dict:
    response = client.get(f"/labels/{label.id}/credential.json")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/json"
    number = current_certificate(label).number
    assert f'filename="{number}.credential.json"' in response.headers["Content-Disposition"]
    return response.get_json()


def token_of(document: dict) -> str:
    assert document["type"] == "EnvelopedVerifiableCredential"
    prefix = "data:application/vc+jwt,"
    assert document["id"].startswith(prefix)
    return document["id"][len(prefix) :]


def check(client, text: str):
    return client.post("/verify/credential", data={"credential": text})


def verdict_of(response) -> str:
    page = response.get_data(as_text=True)
    for word in ("Valid:", "Suspended:", "Revoked:", "Expired:", "Not genuine", "not a credential"):
        if word in page:
            return word
    return page


def independent_payload(client, token: str, required=("exp", "iss")) -> dict:
    """PyJWT, with the key from the published JWKS: another implementation than ours."""
    jwks = client.get("/.well-known/jwks.json").get_json()
    kid = pyjwt.get_unverified_header(token)["kid"]
    (jwk,) = [key for key in jwks["keys"] if key["kid"] == kid]
    public = pyjwt.PyJWK(jwk, algorithm="EdDSA").key
    return pyjwt.decode(token, public, algorithms=["EdDSA"], options={"require": list(required)})


def bit(encoded: str, index: int) -> bool:
    """The Bitstring Status List's bit, decoded by hand from the specification."""
    assert encoded[0] == "u"
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(raw) * 8 >= 131_072
    return bool(raw[index // 8] & (0x80 >> (index % 8)))


def test_the_manager_downloads_a_credential_an_independent_library_verifies(
    app, client, manager, label
):
    sign_in(client, manager.email)
    token = token_of(download(client, label))
    payload = independent_payload(client, token)
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in payload["@context"]
    subject = payload["credentialSubject"]
    assert subject["name"] == label.organisation.legal_name
    assert subject["achievement"]["type"] == ["Achievement"]
    assert payload["validUntil"].startswith(label.valid_until.isoformat())
    assert payload["id"].endswith(f"/verify/{current_certificate(label).number}")
    header = pyjwt.get_unverified_header(token)
    assert (header["alg"], header["typ"]) == ("EdDSA", "vc+jwt")
    # The status entries point at lists any verifier can fetch; this label is in neither.
    entries = {entry["statusPurpose"]: entry for entry in payload["credentialStatus"]}
    assert set(entries) == {"revocation", "suspension"}
    for purpose, entry in entries.items():
        path = entry["statusListCredential"].split("localhost", 1)[1]
        listed = client.get(path)
        assert listed.mimetype == "application/vc+jwt"
        status = independent_payload(client, listed.get_data(as_text=True), ["iss"])
        assert status["credentialSubject"]["statusPurpose"] == purpose
        assert not bit(status["credentialSubject"]["encodedList"], int(entry["statusListIndex"]))
    assert verdict_of(check(client, json.dumps(download(client, label)))) == "Valid:"


def test_a_changed_byte_and_another_key_are_forged(app, client, manager, label):
    sign_in(client, manager.email)
    token = token_of(download(client, label))
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["validUntil"] = "2099-12-31T23:59:59Z"
    changed = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert verdict_of(check(client, f"{head}.{changed}.{signature}")) == "Not genuine"
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert verdict_of(check(client, f"{head}.{payload}.{flipped}")) == "Not genuine"
    # Signed with a key that is not ours (same kid even): forged too.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = pyjwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={
        "kid": pyjwt.get_unverified_header(token)["kid"]
    })  # fmt: skip
    assert verdict_of(check(client, other)) == "Not genuine"
    with pytest.raises(pyjwt.InvalidSignatureError):
        independent_payload(client, other)
    assert verdict_of(check(client, "not a credential at all")) == "not a credential"


def test_suspending_and_revoking_update_the_status_list(app, client, manager, label):
    sign_in(client, manager.email)
    text = json.dumps(download(client, label))
    secretariat = create_user("sec@example.org", roles=())
    change_label_status(label, "suspend", secretariat, "Evidence under review")
    db.session.commit()
    assert verdict_of(check(client, text)) == "Suspended:"
    revocation = "/credentials/status/platform/suspension"
    listed = independent_payload(client, client.get(revocation).get_data(as_text=True), ["iss"])
    assert bit(listed["credentialSubject"]["encodedList"], label.id)
    change_label_status(label, "restore", secretariat)
    db.session.commit()
    assert verdict_of(check(client, text)) == "Valid:"
    change_label_status(label, "revoke", secretariat, "Fraud")
    db.session.commit()
    assert verdict_of(check(client, text)) == "Revoked:"


def test_an_expired_label_verifies_as_expired(app, client, manager):
    old = labelled_organisation(
        manager, "gold", date.today() - timedelta(days=4 * 365), with_certificate=True
    )
    sign_in(client, manager.email)
    assert verdict_of(check(client, json.dumps(download(client, old)))) == "Expired:"


def test_a_rotated_key_still_verifies_what_it_signed(app, client, manager, label):
    sign_in(client, manager.email)
    before = json.dumps(download(client, label))
    result = app.test_cli_runner().invoke(args=["credential-keys", "rotate"])
    assert result.exit_code == 0 and "platform now signs with key" in result.output
    after = json.dumps(download(client, label))
    kids = {pyjwt.get_unverified_header(token_of(json.loads(t)))["kid"] for t in (before, after)}
    assert len(kids) == 2
    assert len(client.get("/.well-known/jwks.json").get_json()["keys"]) == 2
    assert verdict_of(check(client, before)) == "Valid:"
    assert verdict_of(check(client, after)) == "Valid:"


def test_the_private_keys_are_sealed(app, client, manager, label):
    sign_in(client, manager.email)
    download(client, label)
    key = db.session.scalars(select(SigningKey)).one()
    assert "PRIVATE KEY" not in key.private_sealed
    assert "d" not in key.public_jwk  # the JWKS holds no private part


def test_a_certificate_issued_before_bodies_were_named_gets_its_credential(
    app, client, manager, label
):
    """Seen in the benchmark: a certificate whose kept context predates `body_name` (issued
    before 2026-12-01) answered the credential's download with a 500."""
    certificate = current_certificate(label)
    certificate.context = {k: v for k, v in certificate.context.items() if k != "body_name"}
    db.session.commit()
    sign_in(client, manager.email)
    payload = independent_payload(client, token_of(download(client, label)))
    assert payload["issuer"]["name"] == certificate.context["issuer"]


def test_only_the_team_and_staff_download_it(app, client, manager, label):
    outsider = create_user("other@example.org")
    sign_in(client, outsider.email)
    assert client.get(f"/labels/{label.id}/credential.json").status_code == 403
    client.post("/logout")
    assert client.get(f"/labels/{label.id}/credential.json").status_code == 302


def test_the_upload_and_the_form_errors(app, client, manager, label):
    sign_in(client, manager.email)
    content = json.dumps(download(client, label)).encode()
    uploaded = client.post(
        "/verify/credential",
        data={"credential_file": (io.BytesIO(content), "label.credential.json")},
        content_type="multipart/form-data",
    )
    assert verdict_of(uploaded) == "Valid:"
    empty = client.post("/verify/credential", data={})
    assert empty.status_code == 422
    assert 'id="credential-error"' in empty.get_data(as_text=True)
    big = client.post(
        "/verify/credential",
        data={"credential_file": (io.BytesIO(b"x" * 70_000), "big.json")},
        content_type="multipart/form-data",
    )
    assert big.status_code == 422 and "larger than 64 KB" in big.get_data(as_text=True)


def test_verify_credential_offline(app, client, manager, label, tmp_path):
    sign_in(client, manager.email)
    credential = tmp_path / "label.credential.json"
    credential.write_text(json.dumps(download(client, label)))
    runner = app.test_cli_runner()
    keys = tmp_path / "jwks.json"
    assert runner.invoke(args=["credential-keys", "export", str(keys)]).exit_code == 0
    valid = runner.invoke(args=["verify-credential", str(credential), "--keys", str(keys)])
    assert valid.exit_code == 0 and valid.output.startswith("VALID")
    assert "status not checked (revocation, suspension)" in valid.output
    secretariat = create_user("sec@example.org", roles=())
    change_label_status(label, "revoke", secretariat, "Fraud")
    db.session.commit()
    saved = tmp_path / "revocation.jwt"
    saved.write_text(client.get("/credentials/status/platform/revocation").get_data(as_text=True))
    revoked = runner.invoke(
        args=["verify-credential", str(credential), "--keys", str(keys), "--status", str(saved)]
    )
    assert revoked.exit_code == 1 and revoked.output.startswith("REVOKED")
    strange = tmp_path / "other.json"
    strange.write_text(json.dumps({"keys": []}))
    forged = runner.invoke(args=["verify-credential", str(credential), "--keys", str(strange)])
    assert forged.exit_code == 1 and forged.output.startswith("FORGED")


def test_the_list_covers_every_label_not_only_the_flagged_ones():
    """A list as long as its highest flagged index left newer labels outside it (their
    status unknown to a verifier); it is as long as the highest label id, in steps of
    131,072 bits."""
    from labelling.credentials.status import MIN_BITS, encode, is_set, list_size

    assert list_size(0) == list_size(MIN_BITS - 1) == MIN_BITS
    assert list_size(200_000) == 2 * MIN_BITS
    encoded = encode({5, 150_000}, list_size(200_000))
    assert is_set(encoded, 5) and is_set(encoded, 150_000)
    assert not is_set(encoded, 200_000)  # inside the list, not flagged
    assert bit(encoded, 150_000) and not bit(encoded, 6)  # as the specification decodes it
    with pytest.raises(ValueError):
        is_set(encoded, 2 * MIN_BITS)
