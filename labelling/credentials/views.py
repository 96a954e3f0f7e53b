"""The credentials' addresses: the published keys, the issuers, the status lists (all
public, as any verifier must reach them), and a label's credential for its team."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, jsonify
from flask_login import current_user, login_required

from labelling.bodies.models import LabellingBody
from labelling.certificates import services as certificates
from labelling.certificates.models import Label
from labelling.core.http import get_or_404, require
from labelling.credentials import services
from labelling.credentials.issuing import envelope, issuer_profile, signed_credential
from labelling.credentials.signing import body_of, published_keys
from labelling.extensions import db

bp = Blueprint("credentials", __name__)

# Verifiers may keep keys and lists a little while; a revocation shows within a minute.
SHORT_CACHE = "public, max-age=60"


def _public_json(document: dict, media_type: str = "application/json") -> Response:
    response = jsonify(document)
    response.mimetype = media_type
    response.headers["Cache-Control"] = SHORT_CACHE
    response.headers["Access-Control-Allow-Origin"] = "*"  # any verifier, from anywhere
    return response


@bp.route("/.well-known/jwks.json")
def jwks():
    """Every issuer's public keys, retired ones included (old credentials still verify)."""
    return _public_json(published_keys(), "application/jwk-set+json")


@bp.route("/credentials/issuers/<issuer>")
def issuer(issuer: str):
    try:
        body_id = body_of(issuer)
    except ValueError:
        abort(404)
    if body_id is not None:
        get_or_404(LabellingBody, body_id)
    profile = issuer_profile(body_id, current_app.config["SITE_NAME"])
    context = {"@context": ["https://www.w3.org/ns/credentials/v2"]}
    return _public_json(context | profile)


@bp.route("/credentials/status/<issuer>/<purpose>")
def status_list(issuer: str, purpose: str):
    """The issuer's status list for revocation or suspension, as a signed VC-JWT."""
    try:
        token = services.signed_status_list(issuer, purpose)
    except ValueError:
        abort(404)
    db.session.commit()  # an issuer's first key, made now, is kept
    response = Response(token, mimetype="application/vc+jwt")
    response.headers["Cache-Control"] = SHORT_CACHE
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/labels/<int:label_id>/credential.json")
@login_required
def download(label_id: int):
    """The label's certificate as a signed credential, for the organisation's team and
    staff, beside its PDF."""
    label = get_or_404(Label, label_id)
    require(label.organisation.can_view(current_user))
    issued = certificates.current_certificate(label)
    if issued is None:
        abort(404)
    document = envelope(signed_credential(issued))
    db.session.commit()  # an issuer's first key, made now, is kept
    response = Response(json.dumps(document, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{issued.number}.credential.json"'
    )
    return response
