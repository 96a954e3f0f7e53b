"""Open data API, version 1: the registry, organisations, labels and certificates.

Read-only and public: GET answers carry CORS headers for any origin, every route is
rate-limited (429 with Retry-After), and every error is the one JSON envelope of
labelling.errors.
"""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context, url_for
from flask_babel import gettext as _

from labelling.api import exports, resources
from labelling.api.resources import registry_item
from labelling.api.schemas import (
    AccountabilitySchema,
    CertificateSchema,
    FrameworkDetailSchema,
    FrameworkListSchema,
    LabelSchema,
    OrganisationSchema,
    RegistryPageSchema,
    TwinningStatisticsSchema,
)
from labelling.certificates import services as certificates
from labelling.certificates.models import Label
from labelling.certificates.services import has_held_a_label
from labelling.core.http import get_or_404, this_url
from labelling.core.paging import BadCursor
from labelling.errors import error_response
from labelling.extensions import limiter
from labelling.frameworks.services import (
    every_version,
    json_default,
    level_names,
    loaded,
    source_data,
)
from labelling.organisations.models import Organisation
from labelling.registry import accountability, search
from labelling.registry.caching import public
from labelling.registry.schemas import ValidationError, parse_registry_query
from labelling.registry.services import run_search
from labelling.twinning.statistics import public_counts as twinning_statistics_counts

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _api_rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


# One allowance per client for the whole API, not one per route.
limiter.shared_limit(_api_rate_limit, scope="api")(bp)


@bp.after_app_request
def allow_cross_origin_reads(response: Response) -> Response:
    """Open data: any site may read it from a browser (GET only; nothing to write)."""
    if request.path.startswith(bp.url_prefix) and request.method in ("GET", "HEAD", "OPTIONS"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language"
        response.headers["Access-Control-Expose-Headers"] = "Link, Retry-After, X-Total-Count"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _query_or_error():
    try:
        return parse_registry_query(request.args, drop_empty=False), None
    except ValidationError as exc:
        return None, error_response(
            400,
            _("Some query parameters are not valid."),
            details={"fields": exc.messages},
        )


def _page_url(**changes) -> str:
    """This request's URL with `page` or `cursor` set (the other one dropped)."""
    params = {
        key: values
        for key, values in request.args.to_dict(flat=False).items()
        if key not in ("page", "cursor")
    }
    params.update({key: [str(value)] for key, value in changes.items()})
    return url_for("api.organisations", _external=True, **params)


def _registry_page(query):
    """One page of the registry as the API answers it."""
    try:
        found = run_search(query)
    except BadCursor:
        return error_response(
            400,
            _("Some query parameters are not valid."),
            details={"fields": {"cursor": [_("This cursor does not belong to this search.")]}},
        )
    urls, names = resources.Urls(), resources.Names(level_names())
    by_cursor = query.cursor is not None
    links = {
        "self": this_url(request.query_string.decode("latin-1")),
        "first": _page_url(page=1),
        "last": _page_url(page=found.pages),
        "next": _page_url(cursor=found.next_cursor) if by_cursor and found.next_cursor else None,
        "prev": None,
    }
    if not by_cursor:
        links["next"] = _page_url(page=query.page + 1) if found.has_next else None
        links["prev"] = _page_url(page=query.page - 1) if found.has_previous else None
    body = RegistryPageSchema().dump(
        {
            "items": [registry_item(entry, urls, names) for entry in found.entries],
            "total": found.total,
            "page": None if by_cursor else query.page,
            "per_page": query.per_page,
            "pages": found.pages,
            "next_cursor": found.next_cursor,
            "links": links,
            "facets": {
                facet: [{"value": value, "count": count} for value, count in values]
                for facet, values in found.facets.items()
            },
        }
    )
    headers = {
        "X-Total-Count": str(found.total),
        "Link": ", ".join(
            f'<{url}>; rel="{rel}"' for rel, url in links.items() if url and rel != "self"
        ),
    }
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text, mimetype="application/json", headers=headers)


@bp.route("/organisations")
@public
def organisations():
    """The registry: organisations with a current label, filtered, faceted and paged (by
    page number, or by keyset with `cursor`)."""
    query, error = _query_or_error()
    if error:
        return error
    return _registry_page(query)


@bp.route("/organisations/<int:organisation_id>")
@public
def organisation(organisation_id: int):
    """An organisation that holds or held a label, with its label history."""

    found = get_or_404(Organisation, organisation_id)
    if not has_held_a_label(found.id):
        return error_response(404, _("No labelled organisation has this number."))
    resource = resources.organisation_resource(found, date.today(), level_names())
    return jsonify(OrganisationSchema().dump(resource))


@bp.route("/labels/<int:label_id>")
@public
def label(label_id: int):
    found = get_or_404(Label, label_id)
    body = resources.label_resource(
        found, date.today(), level_names(), certificates.current_certificate(found)
    )
    return jsonify(LabelSchema().dump(body))


@bp.route("/certificates/<number>")
@public(max_age=0)
def certificate(number: str):
    """Hosted verification: a revoked certificate answers 410 Gone with the reason, as Open
    Badges hosted verification does; every other status answers 200. Never reused unasked
    (as the verification page)."""
    found = certificates.certificate_by_number(number.strip())
    if found is None:
        return error_response(
            404,
            _(
                "There is no such certificate. Check the number: it looks like "
                "GOLD-DEU-2026-7KQ4-M2XD."
            ),
        )
    body = CertificateSchema().dump(
        resources.certificate_resource(found, date.today(), level_names())
    )
    if body["status"] == "revoked":
        return error_response(
            410,
            _("This certificate was revoked: %(reason)s", reason=body["status_reason"]),
            details={"revocation_reason": body["status_reason"]},
            attachments={"certificate": body},
        )
    return jsonify(body)


def _download(write, mimetype: str, extension: str):
    """The whole matching register as a file, streamed as `write` produces it."""
    query, error = _query_or_error()
    if error:
        return error
    today = date.today()
    urls, names = resources.Urls(), resources.Names(level_names())
    chunks = write(search.all_entries(query, today), urls, names, today)
    filename = f"labelled-clusters-{today.isoformat()}.{extension}"
    return Response(
        stream_with_context(chunks),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/registry.csv")
@public
def registry_csv():
    return _download(exports.registry_csv, "text/csv", "csv")


@bp.route("/registry.xlsx")
@public
def registry_xlsx():
    return _download(
        exports.registry_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    )


@bp.route("/registry.json")
@public
def registry_json():
    return _download(exports.registry_json, "application/json", "json")


def _framework_summary(framework) -> dict:
    where = {"framework_id": framework.id, "version": framework.version, "_external": True}
    return {
        "id": framework.id,
        "version": framework.version,
        "status": framework.status,
        "title": framework.title,
        "short_title": framework.short_title,
        "issuer": framework.issuer,
        "published_on": framework.published_on,
        "retired_on": framework.retired_on,
        "links": {
            "page": url_for("criteria.version_page", **where),
            "handbook": url_for("criteria.handbook", **where),
            "source_yaml": url_for("criteria.source_yaml", **where),
            "source_json": url_for("criteria.source_json", **where),
            "self": url_for("api.framework", **where),
        },
    }


@bp.route("/frameworks")
def frameworks():
    """Every published criteria framework version."""
    items = [_framework_summary(f) for f in every_version()]
    return jsonify(FrameworkListSchema().dump({"items": items}))


@bp.route("/frameworks/<framework_id>/<version>")
def framework(framework_id: str, version: str):
    """One framework version with its whole published content."""
    try:
        found = loaded().get(framework_id, version)
    except KeyError:
        return error_response(404, _("There is no such criteria version."))
    content = json.loads(json.dumps(source_data(found), default=json_default))
    return jsonify(FrameworkDetailSchema().dump({**_framework_summary(found), "content": content}))


@bp.route("/accountability")
def accountability_figures():
    """How the labelling process performs: the figures of /registry/statistics."""
    figures = accountability.public_figures()
    body = {
        "min_group": figures["min_group"],
        "rows": [row.__dict__ for row in figures["rows"]],
        "assessors_active": [
            {"year": year, "country": country, "assessors": count}
            for year, country, count in figures["assessors"]
        ],
    }
    return jsonify(AccountabilitySchema().dump(body))


@bp.route("/twinning/statistics")
def twinning_statistics():
    """Twinning per country and area of the criteria: counts only, never an organisation."""
    return jsonify(TwinningStatisticsSchema().dump(twinning_statistics_counts()))


@bp.route("/openapi.json")
@public
def openapi():
    from labelling.api.openapi import build_spec

    return jsonify(build_spec().to_dict())
