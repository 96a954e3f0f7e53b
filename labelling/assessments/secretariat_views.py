"""The secretariat's pages: the queue, screening and assignment, and the decision."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from labelling.accounts.models import User
from labelling.assessments import assignment as assignment_steps
from labelling.assessments import consolidation, decisions, services
from labelling.assessments import queue as queues
from labelling.assessments import screening as screening_steps
from labelling.assessments.forms import (
    AssignForm,
    AwardForm,
    QueueFilterForm,
    ReasonForm,
    RemovalForm,
    TransitionForm,
)
from labelling.assessments.models import Application, Assignment
from labelling.assessments.review import AssignmentRefused, ReviewError
from labelling.assessments.workflow import Action, Actor, State, TransitionError, check_transition
from labelling.assessors.models import AccreditationRole
from labelling.bodies.services import body_choices, visible_condition
from labelling.core.confirm import confirmation_page, is_confirmed
from labelling.core.dates import show_date
from labelling.core.http import get_or_404, require
from labelling.core.paging import BadCursor
from labelling.extensions import db
from labelling.frameworks.services import level_names

bp = Blueprint("secretariat", __name__, url_prefix="/secretariat")

QUEUES = (
    ("screening", (State.SUBMITTED, State.SCREENING)),
    ("assessment", (State.IN_ASSESSMENT, State.MORE_INFORMATION)),
    ("decision", (State.ASSESSED,)),
    ("decided", (State.AWARDED, State.REFUSED)),
)


def queue_titles() -> dict[str, str]:
    return {
        "screening": _("To screen and assign"),
        "assessment": _("In assessment"),
        "decision": _("Awaiting decision"),
        "decided": _("Decided"),
    }


def _secretariat_application(app_id: int) -> Application:
    """The application, for staff who act as its secretariat (never one of its assessors)."""
    require(current_user.is_staff)
    application = get_or_404(Application, app_id)
    require(Actor.SECRETARIAT in application.actors_for(current_user))
    return application


@bp.route("/applications")
@login_required
def queue():
    require(current_user.is_staff)
    chosen = request.args.get("queue", "screening")
    states = dict(QUEUES).get(chosen)
    if states is None:
        abort(404)
    form = QueueFilterForm(request.args)
    form.level.choices = [("", _("Any level")), *level_names().items()]
    form.body.choices = body_choices(current_user)
    filters = queues.QueueFilters()
    if form.validate():
        filters = queues.QueueFilters(
            q=form.q.data or "",
            level=form.level.data or "",
            country=form.country.data or "",
            body_id=int(form.body.data) if form.body.data else None,
        )
    visible = visible_condition(current_user, Application.body_id)
    try:
        page, total = queues.queue_page(states, filters, visible, request.args.get("after"))
    except BadCursor:
        abort(400)
    return render_template(
        "secretariat/queue.html",
        applications=page.rows,
        page=page,
        total=total,
        form=form,
        filtered=filters != queues.QueueFilters(),
        queues=[name for name, _states in QUEUES],
        titles=queue_titles(),
        chosen=chosen,
    ), (422 if form.errors else 200)


def _screening_page(application: Application, status: int = 200, **forms):
    framework = services.framework_of(application)
    ranked, excluded = assignment_steps.candidates_for(application, date.today())
    context = {
        "application": application,
        "framework": framework,
        "rule": framework.level(application.level).assessors,
        "role_label": AccreditationRole(framework.level(application.level).assessors.role).label,
        "result": services.score_of(application, framework),
        "ranked": ranked,
        "excluded": excluded,
        "team_problem": screening_steps.team_problem(application, framework),
        "form": TransitionForm(),
        "return_form": forms.get("return_form") or ReasonForm(prefix="return"),
        "assign_form": AssignForm(),
        "refusal": forms.get("refusal"),
    }
    return render_template("secretariat/screening.html", **context), status


@bp.route("/applications/<int:app_id>")
@login_required
def screening(app_id: int):
    application = _secretariat_application(app_id)
    return _screening_page(application)


def _done(application: Application, message: str, endpoint: str = "secretariat.screening"):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, app_id=application.id), code=303)


def _refused(exc: Exception):
    """Roll back and answer with the reason: 403 for the wrong person, 409 otherwise."""
    db.session.rollback()
    if isinstance(exc, StaleDataError):
        abort(409, _("Someone else changed this application at the same time. Reload it."))
    status = getattr(exc, "status", 409)
    abort(status, review_error_message(exc))


def review_error_message(exc: Exception) -> str:
    code = getattr(exc, "code", None) or getattr(exc, "reason", "")
    messages = {
        "state": _("This application can no longer take this step."),
        "actor": _("You may not take this step on this application."),
        "comment": _("Please give the reason."),
        "eligibility_not_confirmed": _("Confirm the eligibility first."),
        "answers_pending": _("Every assessor asked must accept or decline first."),
        "team_incomplete": _("The accepted assessors do not yet make the team the level needs."),
        "level_not_allowed": _("The rules do not allow this level for this application."),
        "reason_required": _("Please give the reason."),
        "reason_required_for_other_level": _(
            "Give a reason when the level differs from the recommendation."
        ),
        "assessment_date_future": _("The assessment date cannot be in the future."),
        "eligibility_confirmed": _(
            "The eligibility is confirmed: the application can no longer be returned."
        ),
    }
    return messages.get(code, _("This step is not possible now."))


@bp.route("/applications/<int:app_id>/start-screening", methods=["POST"])
@login_required
def start_screening(app_id: int):
    application = _secretariat_application(app_id)
    if not TransitionForm().validate_on_submit():
        abort(400)
    try:
        screening_steps.start_screening(application, current_user)
    except (TransitionError, StaleDataError) as exc:
        _refused(exc)
    return _done(application, _("Screening started."))


@bp.route("/applications/<int:app_id>/confirm-eligibility", methods=["POST"])
@login_required
def confirm_eligibility(app_id: int):
    application = _secretariat_application(app_id)
    if not TransitionForm().validate_on_submit():
        abort(400)
    try:
        screening_steps.confirm_eligibility(application, current_user)
    except (ReviewError, StaleDataError) as exc:
        _refused(exc)
    return _done(application, _("Eligibility confirmed. Assign the assessors next."))


@bp.route("/applications/<int:app_id>/return", methods=["POST"])
@login_required
def return_to_applicant(app_id: int):
    application = _secretariat_application(app_id)
    form = ReasonForm(prefix="return")
    if not form.validate_on_submit():
        return _screening_page(application, 422, return_form=form)
    try:
        screening_steps.return_to_applicant(application, current_user, form.reason.data)
    except (ReviewError, TransitionError, StaleDataError) as exc:
        _refused(exc)
    db.session.commit()
    flash(_("The application went back to the applicant with your reason."), "success")
    return redirect(url_for("secretariat.queue"), code=303)


@bp.route("/applications/<int:app_id>/assign", methods=["POST"])
@login_required
def assign(app_id: int):
    application = _secretariat_application(app_id)
    form = AssignForm()
    if not form.validate_on_submit() or not form.assessor_id.data.isdigit():
        abort(400)
    assessor = get_or_404(User, int(form.assessor_id.data))
    try:
        assignment_steps.assign_assessor(application, assessor, current_user, date.today())
    except AssignmentRefused as exc:
        db.session.rollback()
        return _screening_page(application, 409, refusal=(assessor, exc))
    except (ReviewError, StaleDataError) as exc:
        _refused(exc)
    return _done(application, _("%(name)s was asked to assess.", name=assessor.full_name))


@bp.route("/assignments/<int:assignment_id>/remove", methods=["POST"])
@login_required
def remove_assignment(assignment_id: int):
    assignment = get_or_404(Assignment, assignment_id)
    application = _secretariat_application(assignment.application_id)
    form = RemovalForm(prefix="remove")
    if not is_confirmed() or not form.validate_on_submit():
        # The reason is asked on the confirmation step, which names the consequence.
        if is_confirmed():
            status = 422
        else:
            form = RemovalForm(prefix="remove", formdata=None)
            status = 200
        return confirmation_page(
            title=_("Take %(name)s off the application?", name=assignment.assessor.full_name),
            consequence=_(
                "%(name)s can no longer open or score this application; ratings already "
                "given stay in the record. Your reason is kept in the application's history, "
                "which the applicant sees.",
                name=assignment.assessor.full_name,
            ),
            button=_("Yes, take %(name)s off", name=assignment.assessor.full_name),
            cancel_url=url_for("secretariat.screening", app_id=application.id),
            form=form,
            status=status,
        )
    try:
        assignment_steps.remove_assignment(assignment, current_user, form.reason.data)
    except (ReviewError, StaleDataError) as exc:
        _refused(exc)
    return _done(application, _("The assessor was taken off the application."))


@bp.route("/applications/<int:app_id>/start-assessment", methods=["POST"])
@login_required
def start_assessment(app_id: int):
    application = _secretariat_application(app_id)
    if not TransitionForm().validate_on_submit():
        abort(400)
    framework = services.framework_of(application)
    try:
        screening_steps.start_assessment(application, framework, current_user)
    except (ReviewError, TransitionError, StaleDataError) as exc:
        _refused(exc)
    return _done(application, _("The assessment has started; the assessors are told."))


# --- the decision ----------------------------------------------------------------------------


def _decision_page(application: Application, status: int = 200, **forms):
    framework = services.framework_of(application)
    levels = [framework.level(i) for i in decisions.awardable_levels(application, framework)]
    recommendation = application.recommendation
    award_form = forms.get("award_form") or AwardForm(
        levels,
        prefix="award",
        data={
            "level": recommendation.level if recommendation else None,
            "assessment_date": recommendation.assessment_date if recommendation else None,
        },
    )
    return render_template(
        "secretariat/decision.html",
        application=application,
        framework=framework,
        result=consolidation.assessed_result(application, framework),
        disagreements=[c for c in consolidation.comparisons(application, framework) if c.disagrees]
        if consolidation.needs_consolidation(application, framework)
        else [],
        award_form=award_form,
        refuse_form=forms.get("refuse_form") or ReasonForm(prefix="refuse"),
        send_back_form=forms.get("send_back_form") or ReasonForm(prefix="send_back"),
        can_decide=application.status == State.ASSESSED,
    ), status


# The decisions the page offers; award and refusal are final and ask for confirmation.
DECISIONS = {"award": Action.AWARD, "refuse": Action.REFUSE, "send_back": Action.SEND_BACK}


def _award_field(form, problem: str):
    return {
        "reason_required_for_other_level": form.reason,
        "assessment_date_future": form.assessment_date,
    }.get(problem, form.level)


def _confirm_award(application: Application, framework, form):
    return confirmation_page(
        title=_("Award the %(level)s label?", level=framework.level(form.level.data).name),
        consequence=_(
            "%(org)s receives the %(level)s label, assessed on %(date)s: the certificate is "
            "issued, the registry lists the label and the applicant is told. An award cannot "
            "be undone; the label can only be suspended or revoked later.",
            org=application.organisation.display_name,
            level=framework.level(form.level.data).name,
            date=show_date(form.assessment_date.data),
        ),
        button=_("Yes, award the label"),
        cancel_url=url_for("secretariat.decision", app_id=application.id),
    )


def _confirm_refusal(application: Application):
    return confirmation_page(
        title=_("Refuse the label?"),
        consequence=_(
            "The application of %(org)s is closed without a label and the applicant is told, "
            "with your reason. This decision is final.",
            org=application.organisation.display_name,
        ),
        button=_("Yes, refuse the label"),
        cancel_url=url_for("secretariat.decision", app_id=application.id),
    )


@bp.route("/applications/<int:app_id>/decision", methods=["GET", "POST"])
@login_required
def decision(app_id: int):
    """Award, refuse or send back: only staff who are not assessors of the application."""
    application = _secretariat_application(app_id)
    if request.method == "GET":
        return _decision_page(application)
    framework = services.framework_of(application)
    choice = request.form.get("decision")
    if choice not in DECISIONS:
        abort(400)
    if choice == "award":
        levels = [framework.level(i) for i in decisions.awardable_levels(application, framework)]
        form = AwardForm(levels, prefix="award")
    else:
        form = ReasonForm(prefix=choice)
    if not form.validate_on_submit():
        return _decision_page(application, 422, **{f"{choice}_form": form})
    reason = form.reason.data or ""
    try:
        # Who may decide, and in which state, before anything else is asked.
        check_transition(
            DECISIONS[choice],
            application.status,
            application.actors_for(current_user),
            reason,
        )
        if choice == "award":
            problem = decisions.award_problem(
                application, framework, form.level.data, form.assessment_date.data, reason
            )
            if problem:
                _award_field(form, problem).errors = [review_error_message(ReviewError(problem))]
                return _decision_page(application, 422, award_form=form)
            if not is_confirmed():
                return _confirm_award(application, framework, form)
            decisions.award_label(
                application,
                framework,
                current_user,
                form.level.data,
                form.assessment_date.data,
                reason,
            )
            message = _("The label is awarded. The applicant is told.")
        elif choice == "refuse":
            if not is_confirmed():
                return _confirm_refusal(application)
            decisions.refuse_label(application, current_user, reason)
            message = _("The label is refused. The applicant is told.")
        else:
            decisions.send_back(application, current_user, reason)
            message = _("Sent back to the lead assessor.")
    except (ReviewError, TransitionError, StaleDataError) as exc:
        _refused(exc)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("assessments.detail", app_id=application.id), code=303)


# --- accountability -------------------------------------------------------------------------
