"""The assessor's pages: assignments and the answer to them, the scoring workspace, and
questions to the applicant (the lead's pages are in lead_views)."""

from __future__ import annotations

from datetime import date

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from labelling.assessments import assignment as assignment_steps
from labelling.assessments import questions, review, services
from labelling.assessments.consolidation import (
    assessed_result,
    consolidated_scores,
    final_ratings,
    needs_consolidation,
    scores_by_assessor,
)
from labelling.assessments.forms import (
    AcceptAssignmentForm,
    QuestionForm,
    ReasonForm,
    TransitionForm,
    posted_version,
    rating_form,
    rating_value,
)
from labelling.assessments.models import Application, Assignment, AssignmentStatus
from labelling.assessments.rating import (
    RatingInput,
    rating_to_save,
    record_consolidated_score,
    record_score,
)
from labelling.assessments.review import AssignmentRefused, ReviewError, StaleScore
from labelling.assessments.review_blueprint import assessor_application, bp
from labelling.assessments.secretariat_views import review_error_message
from labelling.assessments.workflow import Actor, TransitionError
from labelling.core.dates import show_date
from labelling.core.http import get_or_404, require
from labelling.extensions import db

# --- assignments -------------------------------------------------------------------------------


@bp.route("/assignments")
@login_required
def assignments():
    mine = db.session.scalars(
        select(Assignment)
        .where(Assignment.assessor_id == current_user.id)
        .order_by(Assignment.created_at.desc())
    ).all()
    proposed = [a for a in mine if a.status == AssignmentStatus.PROPOSED]
    return render_template(
        "review/assignments.html",
        # Each waiting assignment can be accepted here, with its declaration: one page
        # fewer than through its own page, where declining (with a reason) stays.
        proposed=[(a, accept_form(a)) for a in proposed],
        lookback=current_app.config["CONFLICT_LOOKBACK_YEARS"],
        current=[
            a
            for a in mine
            if a.status == AssignmentStatus.ACCEPTED and not a.application.status.is_final
        ],
        past=[
            a
            for a in mine
            if a.status != AssignmentStatus.PROPOSED
            and (a.status != AssignmentStatus.ACCEPTED or a.application.status.is_final)
        ],
    )


def accept_form(assignment: Assignment) -> AcceptAssignmentForm:
    """The declaration that accepts `assignment`; its own prefix gives each of the forms on
    My assignments ids of their own."""
    return AcceptAssignmentForm(prefix=f"accept-{assignment.id}")


def _own_assignment(assignment_id: int) -> Assignment:
    assignment = get_or_404(Assignment, assignment_id)
    require(assignment.assessor_id == current_user.id)
    return assignment


def _respond_page(assignment: Assignment, status: int = 200, **extra):
    return render_template(
        "review/respond.html",
        assignment=assignment,
        application=assignment.application,
        accept_form=extra.get("accept_form") or accept_form(assignment),
        decline_form=extra.get("decline_form") or ReasonForm(prefix="decline"),
        refusal=extra.get("refusal"),
        lookback=current_app.config["CONFLICT_LOOKBACK_YEARS"],
    ), status


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
@login_required
def respond(assignment_id: int):
    """Accept (with the no-conflict declaration) or decline (with a reason)."""
    assignment = _own_assignment(assignment_id)
    if request.method == "GET":
        return _respond_page(assignment)
    try:
        if request.form.get("answer") == "accept":
            form = accept_form(assignment)
            if not form.validate_on_submit():
                return _respond_page(assignment, 422, accept_form=form)
            assignment_steps.accept_assignment(assignment, current_user, True, date.today())
            message = _("Thank you: you accepted the assignment.")
        elif request.form.get("answer") == "decline":
            form = ReasonForm(prefix="decline")
            if not form.validate_on_submit():
                return _respond_page(assignment, 422, decline_form=form)
            assignment_steps.decline_assignment(assignment, current_user, form.reason.data)
            message = _("You declined the assignment. The secretariat is told.")
        else:
            abort(400)
    except AssignmentRefused as exc:
        db.session.rollback()
        return _respond_page(assignment, 409, refusal=exc)
    except (ReviewError, StaleDataError) as exc:
        db.session.rollback()
        abort(getattr(exc, "status", 409), review_error_message(exc))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("review.assignments"), code=303)


# --- the workspace ----------------------------------------------------------------------------


def _my_ratings(application: Application) -> dict:
    rows = scores_by_assessor(application).get(current_user.id, {})
    return {code: row.as_rating() for code, row in rows.items()}


@bp.route("/applications/<int:app_id>/review")
@login_required
def workspace(app_id: int):
    application = assessor_application(app_id)
    framework = services.framework_of(application)
    ratings = _my_ratings(application)
    result = assessed_result(application, framework, ratings)
    return render_template(
        "review/workspace.html",
        application=application,
        framework=framework,
        result=result,
        rated=set(ratings),
        is_lead=Actor.LEAD_ASSESSOR in application.actors_for(current_user),
        needs_consolidation=needs_consolidation(application, framework),
        can_score=application.status in review.SCORING_STATES,
    )


def _indicator_page(application, framework, code, form, question_form, status=200, stale=False):
    consolidating = request.endpoint == "review.consolidate_indicator"
    codes = [i.code for i in framework.indicators]
    position = codes.index(code)
    behind = framework.questions_behind(code)
    answers = application.answer_values()
    result = assessed_result(
        application,
        framework,
        final_ratings(application, framework) if consolidating else _my_ratings(application),
    )
    by_assessor = scores_by_assessor(application) if consolidating else {}
    return render_template(
        "review/indicator.html",
        application=application,
        framework=framework,
        indicator=framework.indicator(code),
        indicator_result=result.indicator(code),
        values=result.values,
        questions=[framework.question(q) for q in behind],
        answers=answers,
        evidence=[e for e in application.evidence if e.question_id in behind],
        claim=application.not_applicable_claims().get(code),
        requests=[r for r in application.information_requests if r.indicator_code == code],
        form=form,
        question_form=question_form,
        previous_code=codes[position - 1] if position else None,
        next_code=codes[position + 1] if position + 1 < len(codes) else None,
        consolidating=consolidating,
        others={
            assignment.assessor.full_name: by_assessor.get(assignment.assessor_id, {}).get(code)
            for assignment in application.accepted_assignments
        },
        stale=stale,
        can_score=application.status in review.SCORING_STATES,
    ), status


def _indicator_or_404(framework, code: str):
    if code not in {i.code for i in framework.indicators}:
        abort(404)
    return framework.indicator(code)


@bp.route("/applications/<int:app_id>/review/<code>", methods=["GET", "POST"])
@bp.route(
    "/applications/<int:app_id>/consolidation/<code>",
    methods=["GET", "POST"],
    endpoint="consolidate_indicator",
)
@login_required
def indicator(app_id: int, code: str):
    """Score one indicator (or, for the lead, consolidate it) beside the applicant's answers."""
    application = assessor_application(app_id)
    framework = services.framework_of(application)
    item = _indicator_or_404(framework, code)
    consolidating = request.endpoint == "review.consolidate_indicator"
    if consolidating:
        require(Actor.LEAD_ASSESSOR in application.actors_for(current_user))
        if not needs_consolidation(application, framework):
            abort(404)
        saved = consolidated_scores(application).get(code)
    else:
        saved = scores_by_assessor(application).get(current_user.id, {}).get(code)
    if request.method == "GET":
        return _indicator_page(
            application, framework, code, rating_form(item, saved), QuestionForm(prefix="q")
        )
    form = rating_form(item, formdata=request.form)
    if not form.validate_on_submit():
        return _indicator_page(application, framework, code, form, QuestionForm(prefix="q"), 422)
    version = posted_version(form.row_version)
    rating = RatingInput(
        rating_value(form, item), form.status.data or None, form.comment.data or ""
    )
    save = record_consolidated_score if consolidating else record_score
    try:
        if saved is not None and version is None:  # the post lacks the version it saw
            raise StaleScore("stale", code)
        row = save(application, framework, current_user, code, rating, version)
        db.session.commit()
    except (StaleScore, StaleDataError):
        db.session.rollback()
        # Keep what this person typed; show the newer saved version beside it.
        fresh = (
            consolidated_scores(application)
            if consolidating
            else scores_by_assessor(application).get(current_user.id, {})
        ).get(code)
        form.row_version.data = fresh.row_version if fresh else ""
        return _indicator_page(
            application, framework, code, form, QuestionForm(prefix="q"), 409, stale=True
        )
    except (ReviewError, TransitionError) as exc:
        db.session.rollback()
        abort(getattr(exc, "status", 409), review_error_message(exc))
    flash(_("Indicator %(code)s saved.", code=code), "success")
    endpoint = "review.consolidate_indicator" if consolidating else "review.indicator"
    go_next = request.form.get("go") == "next"
    codes = [i.code for i in framework.indicators]
    following = codes[codes.index(code) + 1] if codes.index(code) + 1 < len(codes) else None
    if go_next and following:
        return redirect(url_for(endpoint, app_id=app_id, code=following), code=303)
    back = "review.consolidation" if consolidating else "review.workspace"
    if go_next or consolidating:
        # A settled disagreement returns to the list of what is left to settle.
        return redirect(url_for(back, app_id=app_id), code=303)
    return redirect(url_for(endpoint, app_id=app_id, code=row.indicator_code), code=303)


def _area_or_404(framework, area_code: str):
    area = next((a for a in framework.areas if a.code == area_code), None)
    if area is None:
        abort(404)
    return area


def _area_forms(items, saved: dict, formdata=None) -> dict:
    return {
        item.code: rating_form(item, saved.get(item.code), formdata, prefix=f"{item.code}-")
        for item in items
    }


def _next_area(framework, area_code: str) -> str | None:
    areas = [a.code for a in framework.areas]
    position = areas.index(area_code)
    return areas[position + 1] if position + 1 < len(areas) else None


def _area_page(application, framework, area, forms, status=200, stale=()):
    items = framework.indicators_in(area.code)
    ratings = _my_ratings(application)
    return render_template(
        "review/area.html",
        application=application,
        framework=framework,
        area=area,
        items=items,
        forms=forms,
        page_form=TransitionForm(),
        result=assessed_result(application, framework, ratings),
        rated=set(ratings),
        questions={
            i.code: [framework.question(q) for q in framework.questions_behind(i.code)]
            for i in items
        },
        answers=application.answer_values(),
        evidence=application.evidence,
        claims=application.not_applicable_claims(),
        next_area=_next_area(framework, area.code),
        stale=set(stale),
        can_score=application.status in review.SCORING_STATES,
    ), status


def _save_area_item(application, framework, item, form, saved, applicant_value) -> str:
    """Save one indicator of an area page; says "saved", "unchanged", "invalid" or
    "stale" (someone saved it since the page was shown: the typed entries stay)."""
    if not form.validate():
        return "invalid"
    typed = RatingInput(rating_value(form, item), form.status.data or None, form.comment.data or "")
    try:
        rating = rating_to_save(saved, typed, form.confirm.data, applicant_value)
    except review.NothingToConfirm:
        form.confirm.errors = [_("The applicant gave no value to confirm: enter one.")]
        return "invalid"
    if rating is None:
        return "unchanged"
    version = posted_version(form.row_version)
    try:
        if saved is not None and version is None:  # the post lacks the version it saw
            raise StaleScore("stale", item.code)
        row = record_score(application, framework, current_user, item.code, rating, version)
    except StaleScore:
        fresh = scores_by_assessor(application).get(current_user.id, {}).get(item.code)
        form.row_version.data = fresh.row_version if fresh else ""
        return "stale"
    form.row_version.data = row.row_version
    return "saved"


@bp.route("/applications/<int:app_id>/review/areas/<area_code>", methods=["GET", "POST"])
@login_required
def score_area(app_id: int, area_code: str):
    """Score every indicator of one area on one page. Each indicator is saved on its own,
    so a mistake in one keeps the others; "confirm" takes the applicant's value as
    verified for every indicator ticked, in the same step."""
    application = assessor_application(app_id)
    framework = services.framework_of(application)
    area = _area_or_404(framework, area_code)
    items = framework.indicators_in(area.code)
    saved = scores_by_assessor(application).get(current_user.id, {})
    if request.method == "GET":
        return _area_page(application, framework, area, _area_forms(items, saved))
    if not TransitionForm().validate_on_submit():
        abort(400)
    forms = _area_forms(items, saved, request.form)
    applicant = assessed_result(application, framework, {}).values
    try:
        outcomes = {
            item.code: _save_area_item(
                application,
                framework,
                item,
                forms[item.code],
                saved.get(item.code),
                applicant.get(item.measure),
            )
            for item in items
        }
        db.session.commit()
    except (ReviewError, TransitionError, StaleDataError) as exc:
        db.session.rollback()
        abort(getattr(exc, "status", 409), review_error_message(exc))
    done = sum(1 for outcome in outcomes.values() if outcome == "saved")
    if done:
        flash(ngettext("%(num)d indicator saved.", "%(num)d indicators saved.", done), "success")
    stale = [code for code, outcome in outcomes.items() if outcome == "stale"]
    if stale or "invalid" in outcomes.values():
        return _area_page(application, framework, area, forms, 409 if stale else 422, stale)
    following = _next_area(framework, area.code) if request.form.get("go") == "next" else area.code
    if following is None:
        return redirect(url_for("review.workspace", app_id=app_id), code=303)
    return redirect(url_for("review.score_area", app_id=app_id, area_code=following), code=303)


@bp.route("/applications/<int:app_id>/review/<code>/question", methods=["POST"])
@login_required
def ask(app_id: int, code: str):
    """Raise a question on an indicator: re-opens its answers for the applicant."""
    application = assessor_application(app_id)
    framework = services.framework_of(application)
    item = _indicator_or_404(framework, code)
    question_form = QuestionForm(prefix="q")
    if not question_form.validate_on_submit():
        saved = scores_by_assessor(application).get(current_user.id, {}).get(code)
        return _indicator_page(
            application, framework, code, rating_form(item, saved), question_form, 422
        )
    try:
        request_row = questions.raise_question(
            application, framework, current_user, code, question_form.question.data, date.today()
        )
        db.session.commit()
    except (ReviewError, TransitionError, StaleDataError) as exc:
        db.session.rollback()
        if isinstance(exc, StaleDataError):
            abort(409, _("Someone else changed this application at the same time. Reload it."))
        abort(getattr(exc, "status", 409), review_error_message(exc))
    flash(
        _(
            "Your question was sent. The applicant has until %(date)s to answer.",
            date=show_date(request_row.due_on),
        ),
        "success",
    )
    return redirect(url_for("review.indicator", app_id=app_id, code=code), code=303)
