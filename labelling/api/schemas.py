"""Open data API schemas (marshmallow): what each resource looks like in JSON.

The OpenAPI document is generated from these same classes, so the description and the
responses cannot drift apart. Scores are never part of the public data.
"""

from __future__ import annotations

from marshmallow import Schema, fields

STATUSES = ("active", "suspended", "revoked", "expired", "not_yet_valid")
CERTIFICATE_STATUSES = (*STATUSES, "superseded")


class FrameworkRefSchema(Schema):
    id = fields.String(required=True)
    version = fields.String(required=True)


class LabelSchema(Schema):
    id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    level = fields.String(required=True, metadata={"enum": ["bronze", "silver", "gold"]})
    level_name = fields.String(required=True)
    framework = fields.Nested(FrameworkRefSchema, required=True)
    assessment_date = fields.Date(required=True)
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    status = fields.String(
        required=True,
        metadata={"enum": list(STATUSES), "description": "The label's status today."},
    )
    status_reason = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Why it is suspended or revoked; null otherwise."},
    )
    certificate_number = fields.String(allow_none=True, required=True)
    verify_url = fields.Url(allow_none=True, required=True)
    seal_url = fields.Url(required=True)
    url = fields.Url(required=True)


class OrganisationSummarySchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    short_name = fields.String(allow_none=True, required=True)
    city = fields.String(required=True)
    region = fields.String(allow_none=True, required=True)
    country = fields.String(
        required=True, metadata={"description": "ISO 3166-1 alpha-2 code", "example": "DE"}
    )
    country_name = fields.String(required=True)
    technology_area = fields.String(required=True)
    technology_area_name = fields.String(required=True)
    website = fields.String(allow_none=True, required=True)
    registry_url = fields.Url(required=True)
    url = fields.Url(required=True)


class OrganisationSchema(OrganisationSummarySchema):
    labels = fields.List(
        fields.Nested(LabelSchema),
        required=True,
        metadata={"description": "Every label held, newest first."},
    )


class RegistryEntrySchema(Schema):
    organisation = fields.Nested(OrganisationSummarySchema, required=True)
    label = fields.Nested(LabelSchema, required=True)


class FacetValueSchema(Schema):
    value = fields.String(required=True)
    count = fields.Integer(required=True)


class PageLinksSchema(Schema):
    self = fields.Url(required=True)
    first = fields.Url(required=True)
    last = fields.Url(required=True)
    next = fields.Url(allow_none=True, required=True)
    prev = fields.Url(allow_none=True, required=True)


class RegistryPageSchema(Schema):
    items = fields.List(fields.Nested(RegistryEntrySchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(
        allow_none=True, required=True, metadata={"description": "Null when paging by cursor."}
    )
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    next_cursor = fields.String(
        allow_none=True,
        required=True,
        metadata={
            "description": "Pass as `cursor` for the items after this page (keyset paging, "
            "fast at any depth); null on the last page."
        },
    )
    links = fields.Nested(PageLinksSchema, required=True)
    facets = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(FacetValueSchema)),
        required=True,
        metadata={"description": "Per facet, each value's count with the other filters."},
    )


class RegistryDownloadSchema(Schema):
    generated = fields.Date(required=True)
    items = fields.List(fields.Nested(RegistryEntrySchema), required=True)
    total = fields.Integer(required=True)


class CertificateSchema(Schema):
    number = fields.String(required=True, metadata={"example": "GOLD-DEU-2026-7KQ4-M2XD"})
    status = fields.String(required=True, metadata={"enum": list(CERTIFICATE_STATUSES)})
    valid = fields.Boolean(
        required=True, metadata={"description": "True only while the label is active."}
    )
    status_reason = fields.String(allow_none=True, required=True)
    organisation_name = fields.String(required=True)
    country_name = fields.String(required=True)
    level = fields.String(required=True)
    level_name = fields.String(required=True)
    assessment_date = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    issuer = fields.String(required=True)
    issued_at = fields.DateTime(required=True)
    sha256 = fields.String(
        required=True, metadata={"description": "SHA-256 of the PDF as issued, in hex."}
    )
    superseded_by = fields.String(allow_none=True, required=True)
    verify_url = fields.Url(required=True)
    label = fields.Nested(LabelSchema, required=True)


class ErrorBodySchema(Schema):
    status = fields.Integer(required=True)
    title = fields.String(required=True)
    message = fields.String(required=True)
    fields_ = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "Per query parameter, what is wrong with it."},
    )
    revocation_reason = fields.String()


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)
    certificate = fields.Nested(CertificateSchema, metadata={"description": "With 410 only."})


class FrameworkLinksSchema(Schema):
    page = fields.Url(required=True, metadata={"description": "The published criteria page."})
    handbook = fields.Url(required=True, metadata={"description": "The handbook as PDF."})
    source_yaml = fields.Url(required=True)
    source_json = fields.Url(required=True)
    self = fields.Url(required=True)


class FrameworkSummarySchema(Schema):
    id = fields.String(required=True)
    version = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["draft", "active", "retired"]})
    title = fields.String(required=True)
    short_title = fields.String(required=True)
    issuer = fields.String(required=True)
    published_on = fields.Date(allow_none=True, required=True)
    retired_on = fields.Date(allow_none=True, required=True)
    links = fields.Nested(FrameworkLinksSchema, required=True)


class FrameworkListSchema(Schema):
    items = fields.List(fields.Nested(FrameworkSummarySchema), required=True)


class FrameworkDetailSchema(FrameworkSummarySchema):
    content = fields.Dict(
        required=True,
        metadata={
            "description": "The framework file as published: levels and their rules, "
            "eligibility, rubrics, areas, indicators and thresholds, the questionnaire "
            "(its format: labelling/criteria/FORMAT.md)."
        },
    )


class AccountabilityRowSchema(Schema):
    level = fields.String(required=True)
    year = fields.Integer(required=True)
    decided = fields.Integer(required=True)
    shown = fields.Boolean(
        required=True,
        metadata={
            "description": "False: fewer decisions than the anonymity minimum; "
            "the figures below are then null."
        },
    )
    share_awarded = fields.Float(allow_none=True, required=True, metadata={"description": "%"})
    to_decision_median = fields.Float(
        allow_none=True, required=True, metadata={"description": "Working days."}
    )
    to_decision_p90 = fields.Float(allow_none=True, required=True)
    to_certificate_median = fields.Float(allow_none=True, required=True)
    to_certificate_p90 = fields.Float(allow_none=True, required=True)
    appeals = fields.Integer(allow_none=True, required=True)
    overturned = fields.Integer(allow_none=True, required=True)


class AssessorsActiveSchema(Schema):
    year = fields.Integer(required=True)
    country = fields.String(required=True)
    assessors = fields.Integer(allow_none=True, required=True)


class AccountabilitySchema(Schema):
    min_group = fields.Integer(required=True)
    rows = fields.List(fields.Nested(AccountabilityRowSchema), required=True)
    assessors_active = fields.List(fields.Nested(AssessorsActiveSchema), required=True)


class TwinningCountrySchema(Schema):
    country = fields.String(required=True, metadata={"example": "DE"})
    organisations_taking_part = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: fewer than min_group"}
    )
    partnerships = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: fewer than min_group"}
    )


class TwinningAreaSchema(Schema):
    area = fields.String(required=True, metadata={"description": "Area code of the criteria"})
    partnerships = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: fewer than min_group"}
    )


class TwinningStatisticsSchema(Schema):
    min_group = fields.Integer(required=True)
    organisations_taking_part = fields.Integer(required=True, allow_none=True)
    partnerships = fields.Integer(required=True, allow_none=True)
    countries = fields.List(fields.Nested(TwinningCountrySchema), required=True)
    areas = fields.List(fields.Nested(TwinningAreaSchema), required=True)
