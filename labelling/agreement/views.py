"""Agreement pages: the secretariat's figures per indicator and its view of each assessor,
and each assessor's own mirror."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import format_decimal, format_percent
from flask_login import current_user, login_required

from labelling.accounts.models import Role, User
from labelling.agreement import queries
from labelling.agreement.figures import LINE
from labelling.agreement.outcomes import ORDINAL
from labelling.bodies.services import name_of
from labelling.core.http import get_or_404, require
from labelling.core.languages import page_locale
from labelling.criteria.framework import Framework
from labelling.criteria.translations import localised
from labelling.frameworks.messages import criteria_name
from labelling.frameworks.services import current_framework, loaded

bp = Blueprint("agreement", __name__)


@bp.app_template_filter("share")
def share(value: float | None) -> str:
    return "\u2013" if value is None else format_percent(value)


@bp.app_template_filter("coefficient")
def coefficient(value: float | None) -> str:
    return "\u2013" if value is None else format_decimal(value, "0.00")


def _framework(framework_id: str, version: str | None = None) -> Framework | None:
    try:
        return localised(loaded().get(framework_id, version), page_locale())
    except KeyError:
        return None  # a version no longer loaded: its indicators are shown by code


def _names(framework: Framework | None) -> dict[str, str]:
    return {i.code: i.name for i in framework.indicators} if framework else {}


def _chosen_version(found: list[tuple[str, str]]) -> tuple[str, str]:
    asked = request.args.get("version", "")
    return next((pair for pair in found if ":".join(pair) == asked), found[0])


def _chosen_body(bodies: list[int | None]) -> int | None:
    asked = request.args.get("body", "")
    return next((body for body in bodies if body is not None and str(body) == asked), None)


@bp.route("/secretariat/agreement")
@login_required
def overview():
    require(current_user.is_staff)
    found = queries.versions(current_user)
    if not found:
        return render_template("agreement/overview.html", report=None)
    framework_id, version = _chosen_version(found)
    framework = _framework(framework_id, version)
    levels, bodies = queries.choices(framework_id, version, current_user)
    level = request.args.get("level") if request.args.get("level") in levels else None
    filters = queries.Filters(framework_id, version, level, _chosen_body(bodies))
    order = [i.code for i in framework.indicators] if framework else None
    if order is None:
        order = sorted(queries.pair_counts(filters, current_user))
    return render_template(
        "agreement/overview.html",
        report=queries.report(filters, current_user, order),
        versions=[(f"{fid}:{ver}", criteria_name(fid, ver)) for fid, ver in found],
        chosen=f"{framework_id}:{version}",
        filters=filters,
        framework=framework,
        names=_names(framework),
        levels=levels,
        bodies=[(body, name_of(body)) for body in bodies if body is not None],
        line=LINE,
    )


def _mirror_page(person: User, viewer: User | None, template_values: dict):
    applications, rows = queries.mirror(person.id, viewer)
    # Where the assessor differs most from colleagues first.
    rows.sort(key=lambda row: (-(row.differed_share or 0), row.code))
    return render_template(
        "agreement/mirror.html",
        person=person,
        applications=applications,
        rows=rows,
        names=_names(_framework(current_framework().id)),
        ordinal=ORDINAL,
        **template_values,
    )


@bp.route("/assessor/agreement")
@login_required
def mine():
    require(current_user.has_role(Role.ASSESSOR))
    return _mirror_page(current_user, None, {"is_own": True})


@bp.route("/secretariat/agreement/assessors")
@login_required
def assessors():
    require(current_user.is_staff)
    return render_template("agreement/assessors.html", assessors=queries.assessors(current_user))


@bp.route("/secretariat/agreement/assessors/<int:assessor_id>")
@login_required
def assessor(assessor_id: int):
    require(current_user.is_staff)
    person = get_or_404(User, assessor_id)
    if not person.has_role(Role.ASSESSOR):
        abort(404)
    return _mirror_page(person, current_user, {"is_own": False})
