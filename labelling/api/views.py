"""Open data API, version 1: the registry, organisations, labels and certificates.

Read-only and public: GET answers carry CORS headers for any origin, every route is
rate-limited (429 with Retry-After), and every error is the one JSON envelope of
labelling.errors.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_babel import gettext as _

from labelling.api import exports, resources
from labelling.api.schemas import (
    CertificateSchema,
    LabelSchema,
    OrganisationSchema,
    RegistryPageSchema,
)
from labelling.certificates import services as certificates
from labelling.certificates.models import Label
from labelling.core.http import get_or_404
from labelling.errors import error_response
from labelling.extensions import limiter
from labelling.organisations.models import Organisation
from labelling.registry import search
from labelling.registry.levels import level_names, level_ranks
from labelling.registry.schemas import ValidationError, parse_registry_query

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


def _page_url(page: int) -> str:
    params = request.args.to_dict(flat=False)
    params["page"] = [str(page)]
    return url_for("api.organisations", _external=True, **params)


@bp.route("/organisations")
def organisations():
    """The registry: organisations with a current label, filtered, faceted and paged."""
    query, error = _query_or_error()
    if error:
        return error
    today = date.today()
    found = search.search(query, today, level_ranks())
    issued = certificates.current_certificates([entry.label.id for entry in found.entries])
    names = level_names()
    links = {
        "self": _page_url(query.page),
        "first": _page_url(1),
        "last": _page_url(found.pages),
        "next": _page_url(query.page + 1) if found.has_next else None,
        "prev": _page_url(query.page - 1) if found.has_previous else None,
    }
    body = RegistryPageSchema().dump(
        {
            "items": [
                {
                    "organisation": resources.organisation_summary(entry.organisation),
                    "label": resources.label_resource(
                        entry.label, today, names, issued.get(entry.label.id)
                    ),
                }
                for entry in found.entries
            ],
            "total": found.total,
            "page": query.page,
            "per_page": query.per_page,
            "pages": found.pages,
            "links": links,
            "facets": {
                facet: [{"value": value, "count": count} for value, count in values]
                for facet, values in found.facets.items()
            },
        }
    )
    response = jsonify(body)
    response.headers["X-Total-Count"] = str(found.total)
    response.headers["Link"] = ", ".join(
        f'<{url}>; rel="{rel}"' for rel, url in links.items() if url and rel != "self"
    )
    return response


@bp.route("/organisations/<int:organisation_id>")
def organisation(organisation_id: int):
    """An organisation that holds or held a label, with its label history."""
    found = get_or_404(Organisation, organisation_id)
    if not search.has_public_page(found.id):
        return error_response(404, _("No labelled organisation has this number."))
    return jsonify(
        OrganisationSchema().dump(
            resources.organisation_resource(found, date.today(), level_names())
        )
    )


@bp.route("/labels/<int:label_id>")
def label(label_id: int):
    found = get_or_404(Label, label_id)
    body = resources.label_resource(
        found, date.today(), level_names(), certificates.current_certificate(found)
    )
    return jsonify(LabelSchema().dump(body))


@bp.route("/certificates/<number>")
def certificate(number: str):
    """Hosted verification: a revoked certificate answers 410 Gone with the reason, as Open
    Badges hosted verification does; every other status answers 200."""
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


def _download(render, mimetype: str, extension: str):
    query, error = _query_or_error()
    if error:
        return error
    entries = list(search.all_entries(query, date.today(), level_ranks()))
    issued = certificates.current_certificates([entry.label.id for entry in entries])
    data = render(exports.rows(entries, issued))
    filename = f"labelled-clusters-{date.today().isoformat()}.{extension}"
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/registry.csv")
def registry_csv():
    return _download(exports.registry_csv, "text/csv", "csv")


@bp.route("/registry.xlsx")
def registry_xlsx():
    return _download(
        exports.registry_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    )


@bp.route("/openapi.json")
def openapi():
    from labelling.api.openapi import build_spec

    return jsonify(build_spec().to_dict())
