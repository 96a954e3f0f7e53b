"""The benchmarking report (page and PDF) for the organisation's team and its assessors."""

from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from labelling.assessments import review, services
from labelling.assessments.models import Application
from labelling.benchmarking import report
from labelling.benchmarking.peers import GROUP_KINDS
from labelling.benchmarking.services import peer_view
from labelling.core.http import get_or_404, require
from labelling.core.pdf import render_pdf
from labelling.organisations.models import TECHNOLOGY_AREAS
from labelling.registry.levels import country_name

bp = Blueprint("benchmarking", __name__)


def _chosen_group() -> str:
    kind = request.args.get("group", "technology_area")
    return kind if kind in GROUP_KINDS else "technology_area"


def _report_context(application: Application, kind: str) -> dict:
    framework = services.framework_of(application)
    view = peer_view(application, framework, kind)
    if view is None:
        abort(404, _("This application has no benchmark yet: it is benchmarked when submitted."))
    result = (
        review.assessed_result(application, framework)
        if application.is_decided
        else services.score_of(application, framework)
    )
    strengths, gaps = report.strengths_and_gaps(framework, result)
    return {
        "application": application,
        "framework": framework,
        "view": view,
        "kind": kind,
        "group_kinds": GROUP_KINDS,
        "group_values": _group_value_labels(view.group_values),
        "sections": report.indicator_sections(framework, view, result),
        "further": report.further_figures(framework, view),
        "strengths": strengths,
        "gaps": gaps,
        # The assessors' recommendations reach the applicant with the decision.
        "recommendation": application.recommendation
        if application.can_view_report(current_user)
        else None,
        "box_width": report.BOX_WIDTH,
    }


def _group_value_labels(values: dict) -> dict[str, str]:
    """How the organisation's own groups read: "ICT", "Germany", "50-99 members"."""
    return {
        "technology_area": str(TECHNOLOGY_AREAS.get(values["technology_area"], "")),
        "country": country_name(values["country"]),
        "size": _("%(band)s members", band=values["size"]),
    }


@bp.route("/applications/<int:app_id>/benchmarking")
@login_required
def report_page(app_id: int):
    application = get_or_404(Application, app_id)
    require(application.can_view(current_user))
    return render_template(
        "benchmarking/report.html", **_report_context(application, _chosen_group())
    )


@bp.route("/applications/<int:app_id>/benchmarking.pdf")
@login_required
def report_pdf(app_id: int):
    application = get_or_404(Application, app_id)
    require(application.can_view(current_user))
    kind = _chosen_group()
    html = render_template("benchmarking/report_pdf.html", **_report_context(application, kind))
    return send_file(
        io.BytesIO(render_pdf(html)),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"benchmarking-report-{application.id}-{kind}.pdf",
    )
