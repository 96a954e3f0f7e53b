"""The lead assessor's pages: the consolidation of two assessors' ratings, the recommendation,
the assessment handed over, and the assessment report (HTML and PDF)."""

from __future__ import annotations

import io
from datetime import date

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from labelling.assessments import review, services
from labelling.assessments.consolidation import (
    assessed_result,
    comparisons,
    consolidated_scores,
    final_ratings,
    needs_consolidation,
)
from labelling.assessments.forms import NO_LABEL, RecommendationForm, TransitionForm
from labelling.assessments.models import Application
from labelling.assessments.recommendation import (
    complete_assessment,
    completion_problems,
    recommendable_levels,
    save_recommendation,
    validate_improvement_areas,
)
from labelling.assessments.review import ReviewError
from labelling.assessments.review_blueprint import assessor_application, bp, lead_application
from labelling.assessments.secretariat_views import review_error_message
from labelling.assessments.workflow import Actor, State, TransitionError
from labelling.core.http import get_or_404, require
from labelling.core.pdf import render_pdf
from labelling.extensions import db


@bp.route("/applications/<int:app_id>/consolidation")
@login_required
def consolidation(app_id: int):
    """Both assessors' results side by side; what they agree on stands, the lead settles
    the disagreements."""
    application = assessor_application(app_id)
    framework = services.framework_of(application)
    if not needs_consolidation(application, framework):
        abort(404)
    is_lead = Actor.LEAD_ASSESSOR in application.actors_for(current_user)
    assessors = {a.assessor_id: a.assessor for a in application.accepted_assignments}
    return render_template(
        "review/consolidation.html",
        application=application,
        framework=framework,
        assessors=assessors,
        comparisons=comparisons(application, framework),
        consolidated=consolidated_scores(application),
        settled=set(final_ratings(application, framework)),
        result=assessed_result(application, framework),
        is_lead=is_lead,
        can_score=application.status in review.SCORING_STATES,
    )


def _recommendation_page(application, framework, form=None, status=200, problems=None):
    result = assessed_result(application, framework)
    allowed = [framework.level(i) for i in recommendable_levels(application, framework, result)]
    recommendation = application.recommendation
    if form is None:
        data = {"assessment_date": date.today()}
        if recommendation is not None:
            data = {
                "level": recommendation.level or NO_LABEL,
                "assessment_date": recommendation.assessment_date,
                "strengths": recommendation.strengths,
                "improvements": recommendation.improvements,
            }
        form = RecommendationForm(allowed, data=data)
    return render_template(
        "review/recommendation.html",
        application=application,
        framework=framework,
        result=result,
        form=form,
        complete_form=TransitionForm(),
        problems=problems if problems is not None else completion_problems(application, framework),
        can_score=application.status in review.SCORING_STATES,
    ), status


@bp.route("/applications/<int:app_id>/recommendation", methods=["GET", "POST"])
@login_required
def recommendation(app_id: int):
    application = lead_application(app_id)
    framework = services.framework_of(application)
    if request.method == "GET":
        return _recommendation_page(application, framework)
    result = assessed_result(application, framework)
    allowed = [framework.level(i) for i in recommendable_levels(application, framework, result)]
    form = RecommendationForm(allowed)
    checks = _improvement_checks(application)
    if not form.validate_on_submit():
        return _recommendation_page(application, framework, form, 422)
    try:
        if checks:
            validate_improvement_areas(application, current_user, checks)
        level = None if form.level.data == NO_LABEL else form.level.data
        save_recommendation(
            application,
            framework,
            current_user,
            level,
            form.strengths.data,
            form.improvements.data,
            form.assessment_date.data,
        )
        db.session.commit()
    except (ReviewError, StaleDataError) as exc:
        db.session.rollback()
        form.level.errors = [review_error_message(exc)]
        return _recommendation_page(application, framework, form, 409)
    flash(_("Recommendation saved."), "success")
    return redirect(url_for("review.recommendation", app_id=app_id), code=303)


def _improvement_checks(application: Application) -> dict[int, tuple[bool, str]]:
    checks = {}
    for area in application.improvement_areas:
        verdict = request.form.get(f"area-{area.id}")
        if verdict in ("validated", "not_validated"):
            note = request.form.get(f"area-{area.id}-note", "")[:4000]
            checks[area.id] = (verdict == "validated", note)
    return checks


@bp.route("/applications/<int:app_id>/complete", methods=["POST"])
@login_required
def complete(app_id: int):
    application = lead_application(app_id)
    framework = services.framework_of(application)
    if not TransitionForm().validate_on_submit():
        abort(400)
    try:
        complete_assessment(application, framework, current_user)
        db.session.commit()
    except ReviewError as exc:
        db.session.rollback()
        problems = exc.detail.split(", ") if exc.detail else [exc.code]
        return _recommendation_page(application, framework, status=409, problems=problems)
    except (TransitionError, StaleDataError) as exc:
        db.session.rollback()
        abort(getattr(exc, "status", 409), review_error_message(exc))
    flash(_("Assessment completed and handed to the secretariat for the decision."), "success")
    return redirect(url_for("review.report", app_id=app_id), code=303)


# --- the report --------------------------------------------------------------------------


def _report_context(application: Application) -> dict:
    framework = services.framework_of(application)
    return {
        "application": application,
        "framework": framework,
        "result": assessed_result(application, framework),
        "ratings": final_ratings(application, framework),
        "assessors": application.accepted_assignments,
        "recommendation": application.recommendation,
        "level_names": {level.id: level.name for level in framework.levels},
        "is_assessed": application.status in (State.ASSESSED, State.AWARDED, State.REFUSED),
    }


@bp.route("/applications/<int:app_id>/report")
@login_required
def report(app_id: int):
    application = get_or_404(Application, app_id)
    require(application.can_view_report(current_user))
    return render_template("review/report.html", **_report_context(application))


@bp.route("/applications/<int:app_id>/report.pdf")
@login_required
def report_pdf(app_id: int):
    application = get_or_404(Application, app_id)
    require(application.can_view_report(current_user))
    html = render_template("review/report_pdf.html", **_report_context(application))
    return send_file(
        io.BytesIO(render_pdf(html)),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"assessment-report-{application.id}.pdf",
    )
