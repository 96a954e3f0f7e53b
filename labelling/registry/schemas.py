"""The registry's query parameters, read the same way by the pages and the open data API."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)
from werkzeug.datastructures import MultiDict

from labelling.core.text import search_terms
from labelling.organisations.models import TECHNOLOGY_AREAS
from labelling.registry.search import (
    DEFAULT_PER_PAGE,
    FACETS,
    MAX_PER_PAGE,
    REGISTRY_STATUSES,
    SORTS,
    RegistryQuery,
)

LEVELS = ("bronze", "silver", "gold")  # the values the label table allows


class RegistryQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # other parameters (e.g. a cache buster) are ignored

    q = fields.String(
        load_default="",
        validate=validate.Length(max=200),
        metadata={"description": "Words to find in the name, short name or city."},
    )
    level = fields.List(
        fields.String(validate=validate.OneOf(LEVELS)),
        load_default=list,
        metadata={"description": "Label level; repeat for several."},
    )
    country = fields.List(
        fields.String(validate=validate.Regexp(r"^[A-Z]{2}$")),
        load_default=list,
        metadata={"description": "ISO 3166-1 alpha-2 country code; repeat for several."},
    )
    technology_area = fields.List(
        fields.String(validate=validate.OneOf(tuple(TECHNOLOGY_AREAS))),
        load_default=list,
        metadata={"description": "Technology area; repeat for several."},
    )
    status = fields.List(
        fields.String(validate=validate.OneOf(REGISTRY_STATUSES)),
        load_default=list,
        metadata={"description": "Label status today: active or suspended."},
    )
    year = fields.List(
        fields.Integer(strict=False, validate=validate.Range(min=1990, max=2100)),
        load_default=list,
        metadata={"description": "Year of the assessment that gave the current label."},
    )
    sort = fields.String(
        validate=validate.OneOf(SORTS),
        metadata={
            "description": "Order; a leading minus reverses it. Default: relevance when "
            "words are given, else name."
        },
    )
    page = fields.Integer(
        strict=False,
        validate=validate.Range(min=1, max=100_000),
        metadata={"description": "Page number (from 1); or page through with `cursor`."},
    )
    cursor = fields.String(
        validate=validate.Length(min=1, max=500),
        metadata={
            "description": "Continue after the last item of a page: the `next_cursor` of "
            "the previous answer (fast at any depth; not with `page`)."
        },
    )
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE,
        strict=False,
        validate=validate.Range(min=1, max=MAX_PER_PAGE),
    )

    @validates_schema
    def page_or_cursor(self, data: dict, **_kwargs) -> None:
        if "page" in data and "cursor" in data:
            raise ValidationError(_("Use either page or cursor, not both."), "cursor")

    @post_load
    def to_query(self, data: dict, **_kwargs) -> RegistryQuery:
        # Repeated values count once; the order they came in does not matter.
        for facet in FACETS:
            data[facet] = tuple(sorted(set(data[facet])))
        data["q"] = data["q"].strip()
        data.setdefault("sort", "relevance" if search_terms(data["q"]) else "name")
        data.setdefault("page", 1)
        return RegistryQuery(**data)


LIST_FIELDS = FACETS


def parse_registry_query(args: MultiDict, drop_empty: bool = True) -> RegistryQuery:
    """A RegistryQuery from request arguments; raises ValidationError with per-field messages.

    For the pages, empty values (a select left at its blank choice) count as absent; the
    API passes drop_empty=False, so `sort=` is an error there, as its document says."""
    raw: dict = {}
    for key in args:
        values = [value for value in args.getlist(key) if value != "" or not drop_empty]
        if key in LIST_FIELDS:
            raw[key] = values
        elif values:
            raw[key] = values[-1]
    return RegistryQuerySchema().load(raw)


__all__ = ["RegistryQuerySchema", "ValidationError", "parse_registry_query"]
