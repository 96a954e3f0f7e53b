"""Agreement pages: the secretariat's figures per indicator and its view of each assessor,
and each assessor's own mirror."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import format_decimal, format_percent
from flask_login import current_user, login_required

from labelling.accounts.models import Role, User
from labelling.agreement import mirror, summary
from labelling.agreement.figures import LINE
from labelling.agreement.outcomes import ORDINAL
from labelling.bodies.services import name_of
from labelling.core.http import get_or_404, require
from labelling.core.languages import page_locale
from labelling.criteria.framework import Framework
from labelling.criteria.translations import localised
from labelling.extensions import db
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


def _chosen_body(bodies: list[int], every_body: bool) -> int | None:
    """The body asked for among those shown; without one, every body (who may see them
    all) or the first of the viewer's own. None: the viewer has no body to choose."""
    asked = request.args.get("body", "")
    chosen = next((body for body in bodies if str(body) == asked), None)
    if chosen is not None or every_body:
        return chosen or 0
    return bodies[0] if bodies else None


@bp.route("/secretariat/agreement")
@login_required
def overview():
    require(current_user.is_staff)
    found = summary.versions(current_user)
    every_body = summary.sees_every_body(current_user)
    if found:
        framework_id, version = _chosen_version(found)
        levels, bodies = summary.choices(framework_id, version, current_user)
        body = _chosen_body(bodies, every_body)
    if not found or body is None:
        return render_template("agreement/overview.html", report=None)
    framework = _framework(framework_id, version)
    level = request.args.get("level") if request.args.get("level") in levels else ""
    group = summary.Group(framework_id, version, level, body)
    order = [i.code for i in framework.indicators] if framework else []
    report = summary.report(group, order)
    db.session.commit()  # figures computed on the spot are kept for the next reader
    return render_template(
        "agreement/overview.html",
        report=report,
        versions=[(f"{fid}:{ver}", criteria_name(fid, ver)) for fid, ver in found],
        chosen=f"{framework_id}:{version}",
        group=group,
        framework=framework,
        names=_names(framework),
        levels=levels,
        bodies=[(body_id, name_of(body_id)) for body_id in bodies],
        every_body=every_body,
        line=LINE,
    )


def _mirror_page(person: User, viewer: User | None, template_values: dict):
    applications, rows = mirror.mirror(person.id, viewer)
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
    return render_template("agreement/assessors.html", assessors=mirror.assessors(current_user))


@bp.route("/secretariat/agreement/assessors/<int:assessor_id>")
@login_required
def assessor(assessor_id: int):
    require(current_user.is_staff)
    person = get_or_404(User, assessor_id)
    if not person.has_role(Role.ASSESSOR):
        abort(404)
    return _mirror_page(person, current_user, {"is_own": False})
