"""The benchmarking report (page and PDF) for the organisation's team and its assessors;
the secretariat's analytics and anonymised export."""

from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from labelling.assessments.models import Application
from labelling.benchmarking import analytics as analytics_data
from labelling.benchmarking import report_files
from labelling.benchmarking.metrics import benchmark_metrics
from labelling.benchmarking.peers import GROUP_KINDS, default_group
from labelling.benchmarking.report_files import NoBenchmark, report_context
from labelling.benchmarking.services import group_sizes_of, min_peers
from labelling.core.http import get_or_404, require
from labelling.db import commit_if_written
from labelling.extensions import db
from labelling.frameworks.services import current_framework

bp = Blueprint("benchmarking", __name__)


def _chosen_group(application: Application) -> str:
    """The group asked for, else the most specific one large enough to be shown."""
    kind = request.args.get("group")
    if kind in GROUP_KINDS:
        return kind
    sizes = group_sizes_of(application) or {}
    return default_group(sizes, min_peers())


def _report_context(application: Application, kind: str) -> dict:
    try:
        return report_context(application, kind, application.can_view_report(current_user))
    except NoBenchmark:
        abort(404, _("This application has no benchmark yet: it is benchmarked when submitted."))


def _keep_computed_summaries() -> None:
    """A report may have rebuilt a peer summary, brought the excellence group up to date or
    stored its PDF: keep that work for the next reader (a report changes nothing else)."""
    commit_if_written(db.session)


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
    """The stored PDF of this version of the report, rendered now if nobody has yet."""
    application = get_or_404(Application, app_id)
    actors = application.actors_for(current_user)
    require(bool(actors))  # can_view, without working the actors out twice
    kind = _chosen_group(application)
    language = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    try:
        pdf = report_files.report_pdf(
            application, kind, language, application.report_shown_to(actors)
        )
    except NoBenchmark:
        abort(404, _("This application has no benchmark yet: it is benchmarked when submitted."))
    name = f"benchmarking-report-{application.id}-{kind}.pdf"  # read before the commit expires it
    _keep_computed_summaries()
    return send_file(
        io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=name
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
