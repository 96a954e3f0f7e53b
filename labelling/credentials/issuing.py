"""A label's certificate as an Open Badges 3.0 credential (a W3C Verifiable Credential
2.0), secured as a VC-JWT: the JWT's payload is the credential itself, with the JWT
claims (iss, sub, jti, nbf, exp) beside it for the libraries that check only those.

The credential is made from the certificate's kept context, so the same certificate signed
with the same key gives the same bytes (Ed25519 signatures are deterministic).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from labelling.bodies.services import effective_body_id, name_of
from labelling.certificates.models import Certificate
from labelling.core.http import external_url
from labelling.credentials.signing import current_key, issuer_of, sign
from labelling.credentials.status import PURPOSES

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ENVELOPE_TYPE = "EnvelopedVerifiableCredential"
DATA_URL_PREFIX = "data:application/vc+jwt,"


def issuer_profile(body_id: int | None, fallback_name: str) -> dict:
    """The issuer as credentials name it (an Open Badges Profile)."""
    issuer = issuer_of(body_id)
    return {
        "id": external_url("credentials.issuer", issuer=issuer),
        "type": ["Profile"],
        "name": name_of(body_id) or fallback_name,
    }


def _moment(day: date, end: bool = False) -> datetime:
    return datetime.combine(day, time.max if end else time.min, UTC).replace(microsecond=0)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def credential_of(certificate: Certificate) -> dict:
    """The unsigned credential of a certificate."""
    label, context = certificate.label, certificate.context
    body_id = effective_body_id(label.application.body_id)
    issuer = issuer_profile(body_id, certificate.issuer_name)
    subject_id = external_url("registry.organisation", organisation_id=label.organisation_id)
    credential_id = external_url("verify.certificate", number=certificate.number)
    valid_from, valid_until = _moment(label.valid_from), _moment(label.valid_until, end=True)
    level_page = external_url(
        "criteria.version_page", framework_id=label.framework_id, version=label.framework_version
    )
    return {
        "@context": CONTEXTS,
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer,
        "name": f"{context['level_name']} — {context['framework']}",
        "validFrom": _iso(valid_from),
        "validUntil": _iso(valid_until),
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "name": context["organisation_name"],
            "achievement": {
                "id": f"{level_page}#level-{label.level}",
                "type": ["Achievement"],
                "achievementType": "Certification",
                "name": context["level_name"],
                "description": context.get("tagline") or context["level_name"],
                "criteria": {"id": level_page, "narrative": context["framework"]},
            },
            "result": [{"type": ["Result"], "value": label.level}],
        },
        "credentialStatus": [
            {
                "id": f"{status_url(body_id, purpose)}#{label.id}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose,
                "statusListIndex": str(label.id),
                "statusListCredential": status_url(body_id, purpose),
            }
            for purpose in PURPOSES
        ],
        "iss": issuer["id"],
        "sub": subject_id,
        "jti": credential_id,
        "nbf": int(valid_from.timestamp()),
        "exp": int(valid_until.timestamp()),
    }


def status_url(body_id: int | None, purpose: str) -> str:
    return external_url("credentials.status_list", issuer=issuer_of(body_id), purpose=purpose)


def signed_credential(certificate: Certificate) -> str:
    """The certificate's credential as a VC-JWT, signed with its issuer's newest key."""
    key = current_key(effective_body_id(certificate.label.application.body_id))
    return sign(credential_of(certificate), key)


def envelope(token: str) -> dict:
    """The VC-JWT in JSON, as VC 2.0 carries a secured credential
    (EnvelopedVerifiableCredential): what a manager downloads."""
    return {"@context": CONTEXTS[:1], "id": DATA_URL_PREFIX + token, "type": ENVELOPE_TYPE}
