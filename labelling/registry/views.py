"""The public registry: search, organisation pages, statistics and embeddable seals."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, make_response, render_template, request
from flask_babel import gettext as _

from labelling.certificates import services as certificates
from labelling.certificates.models import Label
from labelling.core.http import get_or_404
from labelling.organisations.models import TECHNOLOGY_AREAS, Organisation
from labelling.registry import charts, search, statistics
from labelling.registry.levels import country_name, level_names, level_ranks
from labelling.registry.schemas import ValidationError, parse_registry_query

bp = Blueprint("registry", __name__)


def facet_value_label(facet: str, value: str) -> str:
    """How a facet value reads on the page (codes stay in URLs and the API)."""
    if facet == "level":
        return level_names().get(value, value)
    if facet == "country":
        return country_name(value)
    if facet == "technology_area":
        return str(TECHNOLOGY_AREAS.get(value, value))
    if facet == "status":
        return {"active": _("Valid"), "suspended": _("Suspended")}.get(value, value)
    return value


@bp.app_template_filter("facet_value")
def facet_value_filter(value: str, facet: str) -> str:
    return facet_value_label(facet, value)


@bp.route("/registry")
def index():
    try:
        query = parse_registry_query(request.args)
    except ValidationError as exc:
        return render_template(
            "registry/index.html", page=None, errors=exc.messages, args=request.args
        ), 400
    page = search.search(query, date.today(), level_ranks())
    return render_template(
        "registry/index.html",
        page=page,
        errors={},
        args=request.args,
        download_args=_download_args(request.args),
    )


def _download_args(args) -> dict[str, list[str]]:
    """The search's filters for the download links: every page, and no blank values (the
    API refuses those where the page forgives them)."""
    return {
        key: values
        for key in args
        if key not in ("page", "per_page")
        and (values := [value for value in args.getlist(key) if value != ""])
    }


@bp.route("/registry/organisations/<int:organisation_id>")
def organisation(organisation_id: int):
    """An organisation's public page: its facts and label history (never its scores)."""
    organisation = get_or_404(Organisation, organisation_id)
    if not search.has_public_page(organisation.id):
        abort(404)
    held = certificates.held_labels(organisation.id)
    issued = certificates.current_certificates([label.id for label, _status in held])
    history = [(label, status, issued.get(label.id)) for label, status in held]
    return render_template(
        "registry/organisation.html",
        organisation=organisation,
        history=history,
        level_names=level_names(),
    )


@bp.route("/registry/statistics")
def statistics_page():
    today = date.today()
    ranks = level_ranks()
    names = level_names()
    levels = sorted(ranks, key=ranks.get)
    by_level = statistics.per_level(today, ranks)
    by_country = statistics.per_country(today, ranks)
    country_rows = sorted(
        by_country.items(), key=lambda item: (-sum(item[1].values()), country_name(item[0]))
    )
    over_time = statistics.held_at_year_ends(statistics.label_spans(), today, ranks)
    return render_template(
        "registry/statistics.html",
        levels=levels,
        level_names=names,
        by_level=by_level,
        level_chart=charts.horizontal_bars([(names[lv], by_level[lv]) for lv in levels]),
        country_rows=country_rows,
        country_chart=charts.horizontal_bars(
            [(country_name(code), sum(counts.values())) for code, counts in country_rows]
        ),
        over_time=over_time,
        time_chart=charts.stacked_columns(
            [(str(year), [(lv, counts[lv]) for lv in levels]) for year, counts in over_time]
        ),
        country_name=country_name,
    )


@bp.route("/seal/<int:label_id>.svg")
def seal(label_id: int):
    """An embeddable seal with the label's live status, linking to the registry entry."""
    label = get_or_404(Label, label_id)
    status = label.status_on(date.today())
    svg = render_template(
        "registry/seal.svg",
        label=label,
        status=status,
        level_name=level_names().get(label.level, label.level),
    )
    response = make_response(svg)
    response.mimetype = "image/svg+xml"
    # Short caching: a suspension or revocation shows on embedding sites within minutes.
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
