"""The benchmarking report (page and PDF) for the organisation's team and its assessors;
the secretariat's analytics and anonymised export."""

from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from labelling.assessments import consolidation, services
from labelling.assessments.models import Application
from labelling.benchmarking import analytics as analytics_data
from labelling.benchmarking import report
from labelling.benchmarking.metrics import benchmark_metrics
from labelling.benchmarking.peers import GROUP_KINDS, default_group
from labelling.benchmarking.services import group_sizes_of, min_peers, peer_view
from labelling.core.http import get_or_404, require
from labelling.core.languages import country_name
from labelling.core.pdf import render_pdf
from labelling.extensions import db
from labelling.frameworks.services import current_framework
from labelling.organisations.models import TECHNOLOGY_AREAS

bp = Blueprint("benchmarking", __name__)


def _chosen_group(application: Application) -> str:
    """The group asked for, else the most specific one large enough to be shown."""
    kind = request.args.get("group")
    if kind in GROUP_KINDS:
        return kind
    sizes = group_sizes_of(application) or {}
    return default_group(sizes, min_peers())


def _report_context(application: Application, kind: str) -> dict:
    framework = services.framework_of(application)
    view = peer_view(application, framework, kind)
    if view is None:
        abort(404, _("This application has no benchmark yet: it is benchmarked when submitted."))
    result = (
        consolidation.assessed_result(application, framework)
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
        "min_peers": min_peers(),
    }


def _keep_computed_summaries() -> None:
    """A report may have rebuilt a peer summary or brought the excellence group up to
    date: keep that work for the next reader (a report changes nothing else)."""
    db.session.commit()


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
    context = _report_context(application, _chosen_group(application))
    _keep_computed_summaries()
    return render_template("benchmarking/report.html", **context)


@bp.route("/applications/<int:app_id>/benchmarking.pdf")
@login_required
def report_pdf(app_id: int):
    application = get_or_404(Application, app_id)
    require(application.can_view(current_user))
    kind = _chosen_group(application)
    context = _report_context(application, kind)
    _keep_computed_summaries()
    html = render_template("benchmarking/report_pdf.html", **context)
    return send_file(
        io.BytesIO(render_pdf(html)),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"benchmarking-report-{application.id}-{kind}.pdf",
    )


# --- the secretariat's analytics --------------------------------------------------------------


def _require_staff() -> None:
    require(current_user.is_staff)


@bp.route("/secretariat/benchmarking")
@login_required
def analytics():
    _require_staff()
    framework = current_framework()
    metrics = benchmark_metrics(framework)
    by_key = {metric.key: metric for metric in metrics}
    chosen = request.args.get("metric", metrics[0].key)
    if chosen not in by_key:
        chosen = metrics[0].key
    minimum = min_peers()
    return render_template(
        "benchmarking/analytics.html",
        framework=framework,
        metrics=metrics,
        chosen=by_key[chosen],
        distributions=analytics_data.current_distributions(framework.id, metrics, minimum),
        trend=analytics_data.yearly_trend(framework.id, chosen, minimum),
        min_peers=minimum,
    )


def _export(render, mimetype: str, extension: str):
    _require_staff()
    framework = current_framework()
    metrics = benchmark_metrics(framework)
    data = render(analytics_data.header(metrics), analytics_data.export_rows(framework.id, metrics))
    return send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"benchmark-data-{framework.id}-{framework.version}.{extension}",
    )


@bp.route("/secretariat/benchmarking/export.csv")
@login_required
def export_csv():
    return _export(analytics_data.as_csv, "text/csv", "csv")


@bp.route("/secretariat/benchmarking/export.xlsx")
@login_required
def export_xlsx():
    return _export(
        analytics_data.as_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    )
