"""Turn labels, organisations and certificates into the API's public representation."""

from __future__ import annotations

from datetime import date

from labelling.certificates import services as certificates
from labelling.certificates.models import Certificate, Label, LabelStatus
from labelling.core.http import external_url
from labelling.organisations.models import Organisation

# A reason is public only while it explains the status.
_REASONED = {LabelStatus.SUSPENDED, LabelStatus.REVOKED}


def label_resource(
    label: Label, today: date, level_names: dict[str, str], certificate: Certificate | None
) -> dict:
    status = label.status_on(today)
    return {
        "id": label.id,
        "organisation_id": label.organisation_id,
        "level": label.level,
        "level_name": level_names.get(label.level, label.level),
        "framework": {"id": label.framework_id, "version": label.framework_version},
        "assessment_date": label.assessment_date,
        "valid_from": label.valid_from,
        "valid_until": label.valid_until,
        "status": status.value,
        "status_reason": label.status_reason if status in _REASONED else None,
        "certificate_number": certificate.number if certificate else None,
        "verify_url": external_url("verify.certificate", number=certificate.number)
        if certificate
        else None,
        "seal_url": external_url("registry.seal", label_id=label.id),
        "url": external_url("api.label", label_id=label.id),
    }


def organisation_summary(organisation: Organisation) -> dict:
    return {
        "id": organisation.id,
        "name": organisation.legal_name,
        "short_name": organisation.short_name,
        "city": organisation.city,
        "region": organisation.region,
        "country": organisation.country_code,
        "country_name": organisation.country_name,
        "technology_area": organisation.technology_area,
        "technology_area_name": organisation.technology_area_label,
        "website": organisation.website,
        "registry_url": external_url("registry.organisation", organisation_id=organisation.id),
        "url": external_url("api.organisation", organisation_id=organisation.id),
    }


def organisation_resource(
    organisation: Organisation, today: date, level_names: dict[str, str]
) -> dict:
    labels = certificates.labels_of(organisation.id)
    issued = certificates.current_certificates([label.id for label in labels])
    return organisation_summary(organisation) | {
        "labels": [
            label_resource(label, today, level_names, issued.get(label.id)) for label in labels
        ]
    }


def certificate_resource(
    certificate: Certificate, today: date, level_names: dict[str, str]
) -> dict:
    label = certificate.label
    status = certificates.verification_status(certificate, today)
    context = certificate.context
    return {
        "number": certificate.number,
        "status": status,
        "valid": status == LabelStatus.ACTIVE.value,
        "status_reason": label.status_reason if status in _REASONED else None,
        "organisation_name": context["organisation_name"],
        "country_name": context["country_name"],
        "level": label.level,
        "level_name": context["level_name"],
        "assessment_date": label.assessment_date,
        "valid_until": label.valid_until,
        "issuer": context["issuer"],
        "issued_at": certificate.created_at,
        "sha256": certificate.sha256,
        "superseded_by": certificates.superseding_number(certificate),
        "verify_url": external_url("verify.certificate", number=certificate.number),
        "label": label_resource(label, today, level_names, certificates.current_certificate(label)),
    }
