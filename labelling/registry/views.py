"""The public registry: search, organisation pages, statistics and embeddable seals.

Each page's content is rendered once per data version, day and language and kept
(`registry.caching`); the frame around it is rendered for each reader.
"""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from labelling.bodies.services import name_of
from labelling.certificates import services as certificates
from labelling.certificates.models import Label
from labelling.core.http import get_or_404, require
from labelling.core.languages import country_name
from labelling.frameworks.services import level_names, level_ranks
from labelling.organisations.models import TECHNOLOGY_AREAS, Organisation
from labelling.registry import accountability, charts, europe_map, services, statistics
from labelling.registry.caching import cached, framed, public
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


def _raw_args() -> tuple:
    return tuple(sorted(request.args.items(multi=True)))


@bp.route("/registry")
@public
def index():
    title = _("Registry of labelled clusters")
    try:
        query = parse_registry_query(request.args)
    except ValidationError as exc:
        content = render_template(
            "registry/index.html", page=None, errors=exc.messages, args=request.args
        )
        return framed(title, content, 400)

    def render() -> str:
        page = services.run_search(query)
        # The map comes with the first page of results only: later pages are for reading on.
        counts = dict(page.facets.get("country", [])) if query.page == 1 else {}
        return render_template(
            "registry/index.html",
            page=page,
            errors={},
            args=request.args,
            download_args=_download_args(request.args),
            country_map=_country_map(counts) if counts else None,
            country_links=_country_links(counts, request.args),
        )

    return framed(title, cached("registry-page", _raw_args(), render, page_content=True))


def _download_args(args) -> dict[str, list[str]]:
    """The search's filters for the download links: every page, and no blank values (the
    API refuses those where the page forgives them)."""
    return {
        key: values
        for key in args
        if key not in ("page", "per_page", "cursor")
        and (values := [value for value in args.getlist(key) if value != ""])
    }


def _country_map(counts: dict[str, int]) -> europe_map.Choropleth:
    return europe_map.choropleth(counts, europe_map.outlines(current_app.static_folder))


def _country_links(counts, args=None) -> dict[str, str]:
    """Each country's registry search: this search's other filters and that one country
    (on the statistics page, only the country)."""
    kept = _download_args(args) if args is not None else {}
    kept.pop("country", None)
    return {code: url_for("registry.index", **kept, country=code) for code in counts}


@bp.route("/registry/organisations/<int:organisation_id>")
@public
def organisation(organisation_id: int):
    """An organisation's public page: its facts and label history (never its scores)."""

    def render() -> tuple[str, str] | tuple[()]:
        found = get_or_404(Organisation, organisation_id)
        if not certificates.has_held_a_label(found.id):
            return ()
        history = certificates.held_labels(found.id)
        content = render_template(
            "registry/organisation.html",
            organisation=found,
            history=history,
            bodies={item.label.id: name_of(item.label.application.body_id) for item in history},
            level_names=level_names(),
        )
        return found.legal_name, content

    page = cached("registry-organisation", (organisation_id,), render, page_content=True)
    if not page:
        abort(404)
    return framed(*page)


@bp.route("/registry/statistics")
@public
def statistics_page():
    content = cached("registry-statistics", (), _statistics, page_content=True)
    # The process figures change with decisions, not labels: kept on their own (10 min).
    figures = render_template(
        "registry/_accountability.html",
        figures=accountability.public_figures(),
        level_names=level_names(),
        country_name=country_name,
    )
    return framed(_("Registry statistics"), content + figures)


def _statistics() -> str:
    today = date.today()
    ranks = level_ranks()
    names = level_names()
    levels = sorted(ranks, key=ranks.get)
    cube = services.kept_cube(today)
    by_level = statistics.per_level(cube)
    by_country = statistics.per_country(cube)
    country_rows = sorted(
        by_country.items(), key=lambda item: (-sum(item[1].values()), country_name(item[0]))
    )
    totals = {code: sum(counts.values()) for code, counts in by_country.items()}
    over_time = statistics.held_at_year_ends(today)
    return render_template(
        "registry/statistics.html",
        levels=levels,
        level_names=names,
        by_level=by_level,
        level_chart=charts.horizontal_bars([(names[lv], by_level[lv]) for lv in levels]),
        country_rows=country_rows,
        country_map=_country_map(totals),
        country_links=_country_links(totals),
        over_time=over_time,
        time_chart=charts.stacked_columns(
            [(str(year), [(lv, counts[lv]) for lv in levels]) for year, counts in over_time]
        ),
        country_name=country_name,
    )


@bp.route("/seal/<int:label_id>.svg")
@public
def seal(label_id: int):
    """An embeddable seal with the label's live status, linking to the registry entry."""

    label = get_or_404(Label, label_id)
    svg = render_template(
        "registry/seal.svg",
        label=label,
        status=label.status_on(date.today()),
        level_name=level_names().get(label.level, label.level),
        level_stars=level_ranks().get(label.level, 1),
    )
    response = make_response(svg)
    response.mimetype = "image/svg+xml"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.route("/secretariat/accountability")
@login_required
def staff_accountability():
    """The public process figures, and what the secretariat alone sees: each assessor's
    workload and time to score."""
    require(current_user.is_staff)
    return render_template(
        "secretariat/accountability.html",
        figures=accountability.public_figures(),
        per_body=accountability.figures_per_body(),
        assessors=accountability.assessor_figures(),
        level_names=level_names(),
        country_name=country_name,
    )
