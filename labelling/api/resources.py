"""Turn labels, organisations and certificates into the API's public representation."""

from __future__ import annotations

from datetime import date
from functools import cache

from labelling.certificates import services as certificates
from labelling.certificates.models import Certificate, Label, LabelStatus
from labelling.core.http import url_builder
from labelling.core.languages import country_name
from labelling.organisations.models import TECHNOLOGY_AREAS, Organisation
from labelling.registry.search import RegistryRow

# A reason is public only while it explains the status.
_REASONED = {LabelStatus.SUSPENDED, LabelStatus.REVOKED}


class Urls:
    """The public URLs of a resource, built without url_for per item (lists of 100,000)."""

    def __init__(self) -> None:
        self.verify = url_builder("verify.certificate", number=str)
        self.seal = url_builder("registry.seal", label_id=int)
        self.label = url_builder("api.label", label_id=int)
        self.registry_page = url_builder("registry.organisation", organisation_id=int)
        self.organisation = url_builder("api.organisation", organisation_id=int)


class Names:
    """Level, country and technology area names in the request's language, looked up once
    per value rather than once per row."""

    def __init__(self, level_names: dict[str, str]) -> None:
        self.levels = level_names
        self.country = cache(country_name)
        self.area = cache(lambda code: str(TECHNOLOGY_AREAS.get(code, code)))


def _label_body(
    urls: Urls,
    names: Names,
    *,
    label_id: int,
    organisation_id: int,
    level: str,
    framework_id: str,
    framework_version: str,
    assessment_date: date,
    valid_from: date,
    valid_until: date,
    status: LabelStatus,
    status_reason: str | None,
    certificate_number: str | None,
) -> dict:
    return {
        "id": label_id,
        "organisation_id": organisation_id,
        "level": level,
        "level_name": names.levels.get(level, level),
        "framework": {"id": framework_id, "version": framework_version},
        "assessment_date": assessment_date,
        "valid_from": valid_from,
        "valid_until": valid_until,
        "status": status.value,
        "status_reason": status_reason if status in _REASONED else None,
        "certificate_number": certificate_number,
        "verify_url": urls.verify(number=certificate_number) if certificate_number else None,
        "seal_url": urls.seal(label_id=label_id),
        "url": urls.label(label_id=label_id),
    }


def _organisation_body(
    urls: Urls,
    names: Names,
    *,
    organisation_id: int,
    legal_name: str,
    short_name: str | None,
    city: str,
    region: str | None,
    country_code: str,
    technology_area: str,
    website: str | None,
) -> dict:
    return {
        "id": organisation_id,
        "name": legal_name,
        "short_name": short_name,
        "city": city,
        "region": region,
        "country": country_code,
        "country_name": names.country(country_code),
        "technology_area": technology_area,
        "technology_area_name": names.area(technology_area),
        "website": website,
        "registry_url": urls.registry_page(organisation_id=organisation_id),
        "url": urls.organisation(organisation_id=organisation_id),
    }


def label_resource(
    label: Label,
    today: date,
    level_names: dict[str, str],
    certificate: Certificate | None,
    urls: Urls | None = None,
) -> dict:
    return _label_body(
        urls or Urls(),
        Names(level_names),
        label_id=label.id,
        organisation_id=label.organisation_id,
        level=label.level,
        framework_id=label.framework_id,
        framework_version=label.framework_version,
        assessment_date=label.assessment_date,
        valid_from=label.valid_from,
        valid_until=label.valid_until,
        status=label.status_on(today),
        status_reason=label.status_reason,
        certificate_number=certificate.number if certificate else None,
    )


def organisation_summary(organisation: Organisation, urls: Urls | None = None) -> dict:
    return _organisation_body(
        urls or Urls(),
        Names({}),
        organisation_id=organisation.id,
        legal_name=organisation.legal_name,
        short_name=organisation.short_name,
        city=organisation.city,
        region=organisation.region,
        country_code=organisation.country_code,
        technology_area=organisation.technology_area,
        website=organisation.website,
    )


def registry_item(row: RegistryRow, urls: Urls, names: Names) -> dict:
    """A listed organisation with its label, straight from the registry's read model (a
    listed label is valid today, so its stored status is its status today)."""
    return {
        "organisation": _organisation_body(
            urls,
            names,
            organisation_id=row.organisation_id,
            legal_name=row.legal_name,
            short_name=row.short_name,
            city=row.city,
            region=row.region,
            country_code=row.country_code,
            technology_area=row.technology_area,
            website=row.website,
        ),
        "label": _label_body(
            urls,
            names,
            label_id=row.label_id,
            organisation_id=row.organisation_id,
            level=row.level,
            framework_id=row.framework_id,
            framework_version=row.framework_version,
            assessment_date=row.assessment_date,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            status=row.label_status,
            status_reason=row.status_reason,
            certificate_number=row.certificate_number,
        ),
    }


def organisation_resource(
    organisation: Organisation, today: date, level_names: dict[str, str]
) -> dict:
    labels = certificates.labels_of(organisation.id)
    issued = certificates.current_certificates([label.id for label in labels])
    urls = Urls()
    return organisation_summary(organisation, urls) | {
        "labels": [
            label_resource(label, today, level_names, issued.get(label.id), urls)
            for label in labels
        ]
    }


def certificate_resource(
    certificate: Certificate, today: date, level_names: dict[str, str]
) -> dict:
    label = certificate.label
    status = certificates.verification_status(certificate, today)
    context = certificate.context
    urls = Urls()
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
        "issuer": certificate.issuer_name,
        "issued_at": certificate.created_at,
        "sha256": certificate.sha256,
        "superseded_by": certificates.superseding_number(certificate),
        "verify_url": urls.verify(number=certificate.number),
        "label": label_resource(
            label, today, level_names, certificates.current_certificate(label), urls
        ),
    }
