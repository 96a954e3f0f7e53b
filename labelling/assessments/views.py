"""Application pages: start an application, see it with its eligibility and history."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from labelling.accounts.history import readable_history
from labelling.accounts.sessions import fields_to_carry, take_carried_form
from labelling.assessments import consolidation, exports, forms, questionnaire, questions, services
from labelling.assessments import evidence as evidence_storage
from labelling.assessments.evidence import EvidenceRejected
from labelling.assessments.forms import (
    EvidenceForm,
    StartApplicationForm,
    SubmitForm,
    TransitionForm,
)
from labelling.assessments.models import Application, Evidence
from labelling.assessments.signals import application_page
from labelling.assessments.workflow import (
    Action,
    Actor,
    State,
    TransitionError,
    available_actions,
    check_transition,
)
from labelling.core.audit import events_for
from labelling.core.confirm import confirmation_page, is_confirmed
from labelling.core.hooks import page_context
from labelling.core.http import get_or_404, require
from labelling.extensions import db
from labelling.frameworks.services import current_framework
from labelling.organisations.models import Organisation

bp = Blueprint("assessments", __name__)


@bp.route("/organisations/<int:org_id>/applications/new", methods=["GET", "POST"])
@login_required
def start(org_id: int):
    organisation = get_or_404(Organisation, org_id)
    require(organisation.membership_of(current_user) is not None)
    framework = current_framework()
    form = StartApplicationForm(framework)
    if form.validate_on_submit():
        try:
            application = services.start_application(
                organisation, form.level.data, form.kind.data, current_user, framework
            )
        except services.AlreadyStarted as started:
            # A second click, or a colleague a moment earlier: the draft they started.
            draft_id = started.draft.id
            db.session.rollback()
            flash(_("A draft for this level is already open: here it is."), "info")
            return redirect(url_for("assessments.detail", app_id=draft_id), code=303)
        except services.AlreadyInProgress as in_progress:
            db.session.rollback()
            form.level.errors.append(in_progress.message())
        else:
            db.session.commit()
            flash(_("Your application is started as a draft."), "success")
            return redirect(url_for("assessments.detail", app_id=application.id), code=303)
    return render_template(
        "assessments/start.html",
        organisation=organisation,
        framework=framework,
        form=form,
        in_progress=services.applications_in_progress(organisation),
        eligibility=services.eligibility_for(organisation, framework),
        standing={
            level.id: services.previous_label_standing(organisation.id, framework, level.id)
            for level in framework.levels
        },
    ), (422 if form.errors else 200)


@bp.route("/applications/<int:app_id>")
@login_required
def detail(app_id: int):
    application = get_or_404(Application, app_id)
    require(application.can_view(current_user))
    framework = services.framework_of(application)
    result = services.score_of(application, framework)
    decided = application.is_decided
    return render_template(
        "assessments/detail.html",
        # The label it gave and its appeals, from the features built on assessments.
        **{"appeals": [], "may_appeal": False, "held": None}
        | page_context(application_page, application, user=current_user),
        verified=consolidation.assessed_result(application, framework)
        if decided
        and application.accepted_assignments
        and application.can_view_report(current_user)
        else None,
        application=application,
        framework=framework,
        level=framework.level(application.level),
        eligibility=result.eligibility,
        result=result,
        overall=questionnaire.overall_progress(framework, application.answer_values()),
        editable=application.can_edit_answers(current_user),
        events=readable_history(_timeline(application)),
        actions=available_actions(application.status, application.actors_for(current_user)),
        actors=application.actors_for(current_user),
        form=TransitionForm(),
    )


# Per-indicator rating events belong to the assessors' record, not the applicant's view.
ASSESSOR_ONLY_EVENTS = {"application.indicator_scored", "application.indicator_consolidated"}


def _timeline(application: Application) -> list:
    events = events_for("application", application.id)
    actors = application.actors_for(current_user)
    if actors & {Actor.ASSESSOR, Actor.SECRETARIAT}:
        return events
    return [event for event in events if event.action not in ASSESSOR_ONLY_EVENTS]


# The applicant's steps; the secretariat and the assessors act on their own pages
# (secretariat_views, review_views), each through its service.
OFFERED_ACTIONS = {Action.WITHDRAW, Action.ANSWER_INFORMATION}


@bp.route("/applications/<int:app_id>/<action>", methods=["POST"])
@login_required
def transition(app_id: int, action: str):
    application = get_or_404(Application, app_id)
    require(application.can_view(current_user))
    try:
        chosen = Action(action)
    except ValueError:
        abort(404)
    if chosen not in OFFERED_ACTIONS:
        abort(404)
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    if chosen == Action.WITHDRAW and not is_confirmed():
        try:
            check_transition(chosen, application.status, application.actors_for(current_user))
        except TransitionError as exc:
            abort(exc.status, _("This application can no longer take this step."))
        return confirmation_page(
            title=_("Withdraw the application?"),
            consequence=_(
                "The %(level)s application of %(org)s ends here: it can no longer be changed, "
                "submitted or assessed. Answers and evidence stay on record; a new "
                "application starts from the beginning.",
                level=application.level.capitalize(),
                org=application.organisation.display_name,
            ),
            button=_("Yes, withdraw the application"),
            cancel_url=url_for("assessments.detail", app_id=application.id),
        )
    try:
        if chosen == Action.ANSWER_INFORMATION:
            questions.answer_information(application, current_user, _replies(application))
        else:
            services.apply_transition(application, chosen, current_user, form.comment.data or "")
        db.session.commit()
    except TransitionError as exc:
        db.session.rollback()
        abort(exc.status, _("This application can no longer take this step."))
    except StaleDataError:
        db.session.rollback()
        abort(409, _("Someone else changed this application at the same time. Reload it."))
    flash(_("Application updated."), "success")
    return redirect(url_for("assessments.detail", app_id=application.id), code=303)


def _replies(application: Application) -> dict[int, str]:
    """The applicant's reply to each open question, posted as reply-<request id>."""
    return {
        item.id: request.form.get(f"reply-{item.id}", "")[:4000]
        for item in application.open_requests
    }


def _answers_back_after_sign_in():
    """A section posted after the session ended: the answers go back to the browser in the
    sign-in page (never into a session), return with the sign-in and are shown unsaved."""
    from labelling.accounts.views import render_sign_in

    fields = [pair for pair in fields_to_carry(request.form) if pair[0] != "go"]
    return render_sign_in(carried=fields, next_url=request.path), 401


def _restored_answers() -> MultiDict | None:
    carried = take_carried_form(request.path)
    if carried is None:
        return None
    db.session.commit()  # shown once
    return MultiDict(carried)


@bp.errorhandler(CSRFError)
def expired_questionnaire_page(exc: CSRFError):
    """A signed-in applicant's section sent from a page whose token had expired: nothing
    is saved, and the page comes back with the answers and a fresh token. Any other
    token-less or stale POST gets the general answer."""
    if (
        request.endpoint == "assessments.questionnaire_section"
        and request.method == "POST"
        and current_user.is_authenticated
    ):
        try:
            return questionnaire_section(**request.view_args)
        except HTTPException as refused:
            # Raised inside an error handler, it would be a 500: answer it as Flask would.
            return current_app.handle_http_exception(refused)
    from labelling.errors import csrf_error_response

    return csrf_error_response()


@bp.route("/applications/<int:app_id>/questionnaire")
@bp.route("/applications/<int:app_id>/questionnaire/<section_id>", methods=["GET", "POST"])
def questionnaire_section(app_id: int, section_id: str | None = None):
    if not current_user.is_authenticated:
        if request.method == "POST" and section_id is not None:
            return _answers_back_after_sign_in()
        return redirect(url_for("accounts.login", next=request.path))
    application = get_or_404(Application, app_id)
    require(application.can_view(current_user))
    framework = services.framework_of(application)
    sections = list(framework.sections)
    if section_id is None:
        return redirect(url_for(".questionnaire_section", app_id=app_id, section_id=sections[0].id))
    index = next((i for i, s in enumerate(sections) if s.id == section_id), None)
    if index is None:
        abort(404)
    section = sections[index]
    asked_ids = {q.id for q in questionnaire.asked_questions(section)}
    open_ids = application.editable_questions(current_user)
    editable_ids = asked_ids if open_ids is None else asked_ids & open_ids
    editable = bool(editable_ids)
    form_class = questionnaire.section_form_class(section)
    stored = application.answer_values()
    initial = {
        q.id: questionnaire.to_form_data(q, stored.get(q.id))
        for q in questionnaire.asked_questions(section)
    }
    if request.method == "POST":
        require(editable)
        form = form_class()
        form.validate()  # field by field, and the CSRF token
        if "csrf_token" in form.errors:
            # An expired page (expired_questionnaire_page): show the answers again with a
            # fresh token, save nothing.
            form.csrf_token.errors = []
            flash(_("This page had expired. Check your answers and save them again."), "error")
            return _render_section(application, framework, sections, index, form, editable_ids), 400
        # Only answers open to this person are touched, whatever else the request carries.
        is_clean = services.save_section(
            application, framework, section, form, current_user, set(request.form) & editable_ids
        )
        db.session.commit()
        if is_clean:
            flash(_("Your answers are saved."), "success")
            if request.form.get("go") == "submit":
                return redirect(url_for(".submit", app_id=app_id), code=303)
            target = _section_after(sections, index, request.form.get("go"))
            return redirect(
                url_for(".questionnaire_section", app_id=app_id, section_id=target.id), code=303
            )
        flash(_("Answers without errors are saved. Please correct the others."), "error")
        status = 422
    else:
        restored = _restored_answers()
        form = (
            form_class(formdata=restored) if restored else form_class(data=initial, formdata=None)
        )
        _mark_carried_over(form, application, section)
        if restored:
            flash(_("Your unsaved answers are shown again: save them to keep them."), "info")
        status = 200
    return _render_section(application, framework, sections, index, form, editable_ids), status


def _mark_carried_over(form, application: Application, section) -> None:
    carried = {a.question_id for a in application.answers if a.is_carried_over}
    for question in questionnaire.asked_questions(section):
        if question.id in carried:
            note = _("Carried over from your previous application: check it, then save.")
            field = form[question.id]
            field.description = f"{note} {field.description}".strip()


def _render_section(application, framework, sections, index, form, editable_ids: set[str]):
    section = sections[index]
    for name in form._fields:
        if name != "csrf_token" and name not in editable_ids:
            form[name].render_kw = {**(form[name].render_kw or {}), "disabled": True}
    answers = application.answer_values()
    return render_template(
        "assessments/questionnaire.html",
        application=application,
        framework=framework,
        section=section,
        sections=sections,
        index=index,
        form=form,
        editable=bool(editable_ids),
        is_partly_open=application.status == State.MORE_INFORMATION and bool(editable_ids),
        actions=available_actions(application.status, application.actors_for(current_user)),
        progress={s.id: questionnaire.section_progress(s, answers) for s in sections},
        overall=questionnaire.overall_progress(framework, answers),
        result=services.score_of(application, framework),
        level=framework.level(application.level),
        section_evidence=sum(
            1
            for item in application.evidence
            if item.question_id in {q.id for q in section.questions}
        ),
    )


def _section_after(sections, index: int, go: str | None):
    if go == "next" and index + 1 < len(sections):
        return sections[index + 1]
    if go == "previous" and index > 0:
        return sections[index - 1]
    return sections[index]


@bp.route("/applications/<int:app_id>/submit", methods=["GET", "POST"])
@login_required
def submit(app_id: int):
    application = get_or_404(Application, app_id)
    require(application.can_view(current_user))
    if request.method == "POST":
        # Who may submit is checked here (403); a second submission then meets the state (409).
        require(Actor.APPLICANT in application.actors_for(current_user))
    framework = services.framework_of(application)
    form = SubmitForm(data={"full_name": current_user.full_name})
    status = 200
    if form.validate_on_submit():
        try:
            services.submit_application(
                application, framework, current_user, form.full_name.data, form.role.data
            )
            db.session.commit()
        except services.SubmissionBlocked:
            db.session.rollback()
            status = 409
        except TransitionError as exc:
            db.session.rollback()
            abort(exc.status, _("This application has been submitted already."))
        except StaleDataError:
            db.session.rollback()
            abort(409, _("This application has been submitted already."))
        else:
            flash(_("Your application is submitted. The secretariat will screen it."), "success")
            return redirect(url_for(".detail", app_id=application.id), code=303)
    elif form.errors:
        status = 422
    result = services.score_of(application, framework)  # scored once for both
    return render_template(
        "assessments/submit.html",
        application=application,
        framework=framework,
        form=form,
        unanswered=questionnaire.unanswered_by_section(framework, result.missing_questions),
        blockers=services.submission_blockers(application, framework, result),
        can_submit=application.can(Action.SUBMIT, current_user),
    ), status


def _evidence_questions(framework, section_id: str | None):
    sections = [s for s in framework.sections if section_id in (None, s.id)] or list(
        framework.sections
    )
    questions = [q for s in sections for q in s.questions]
    # Document questions first: they exist to receive evidence.
    return sorted(questions, key=lambda q: q.type != "document")


@bp.route("/applications/<int:app_id>/evidence", methods=["GET", "POST"])
@login_required
def evidence_list(app_id: int):
    application = get_or_404(Application, app_id)
    require(application.can_view(current_user))
    framework = services.framework_of(application)
    section_id = request.args.get("section")
    questions = [
        q
        for q in _evidence_questions(framework, section_id)
        if application.can_edit_question(current_user, q.id)
    ]
    editable = bool(questions)
    max_mb = current_app.config["EVIDENCE_MAX_BYTES"] // (1024 * 1024)
    form = EvidenceForm(questions, max_mb)
    status = 200
    if request.method == "POST":
        require(editable)
        if form.validate_on_submit():
            upload = form.document.data
            try:
                services.add_evidence(
                    application,
                    framework,
                    form.question_id.data,
                    current_user,
                    content=upload.read() if upload and upload.filename else None,
                    filename=upload.filename if upload else "",
                    url=form.url.data or None,
                    description=form.description.data or "",
                )
            except EvidenceRejected as exc:
                db.session.rollback()
                form.document.errors.append(EVIDENCE_ERRORS[str(exc)](max_mb))
            else:
                db.session.commit()
                flash(_("The evidence is attached."), "success")
                return redirect(request.full_path, code=303)
        status = 422
    labels = {q.id: q.label for q in framework.questions}
    return render_template(
        "assessments/evidence.html",
        application=application,
        form=form,
        editable=editable,
        removable={q.id for q in questions},
        labels=labels,
        confirm=TransitionForm(),
    ), status


EVIDENCE_ERRORS = {
    "empty": lambda mb: _("The file is empty."),
    "too-large": lambda mb: _("The file is larger than %(mb)s MB.", mb=mb),
    "unknown-type": lambda mb: _(
        "This file is not a PDF, DOCX, XLSX, PNG or JPEG document (its content was checked, "
        "not its name)."
    ),
}


def _evidence_item(application: Application, evidence_id: int) -> Evidence:
    item = get_or_404(Evidence, evidence_id)
    if item.application_id != application.id:
        abort(404)
    return item


@bp.route("/applications/<int:app_id>/evidence/<int:evidence_id>")
@login_required
def evidence_download(app_id: int, evidence_id: int):
    application = get_or_404(Application, app_id)
    require(application.can_view(current_user))
    item = _evidence_item(application, evidence_id)
    if item.is_link:
        abort(404)
    try:
        content = evidence_storage.read(item.stored_name)
    except FileNotFoundError:
        abort(404)
    return send_file(
        io.BytesIO(content),
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.filename,
    )


@bp.route("/applications/<int:app_id>/evidence/<int:evidence_id>/delete", methods=["POST"])
@login_required
def evidence_delete(app_id: int, evidence_id: int):
    application = get_or_404(Application, app_id)
    item = _evidence_item(application, evidence_id)
    require(application.can_edit_question(current_user, item.question_id))
    services.remove_evidence(application, item, current_user)
    db.session.commit()
    flash(_("The evidence is removed."), "success")
    return redirect(url_for(".evidence_list", app_id=app_id), code=303)


@bp.route("/applications/<int:app_id>/self-assessment", methods=["GET", "POST"])
@login_required
def self_assessment(app_id: int):
    application = get_or_404(Application, app_id)
    require(application.can_view(current_user))
    framework = services.framework_of(application)
    editable = application.can_edit_answers(current_user)
    form = forms.not_applicable_form(framework, application.not_applicable_claims())
    status = 200
    if request.method == "POST":
        require(editable)
        claims = {}
        if form.validate_on_submit():
            for indicator in framework.indicators:
                key = forms.field_key(indicator.code)
                if indicator.allows_not_applicable and form[f"na_{key}"].data:
                    why = (form[f"why_{key}"].data or "").strip()
                    if not why:
                        form[f"why_{key}"].errors.append(
                            _("Say why this indicator does not apply.")
                        )
                    claims[indicator.code] = why
        if not forms.has_errors(form):
            services.save_not_applicable(application, framework, claims, current_user)
            db.session.commit()
            flash(_("Your self-assessment is saved."), "success")
            return redirect(url_for(".self_assessment", app_id=app_id), code=303)
        status = 422
    return render_template(
        "assessments/self_assessment.html",
        application=application,
        framework=framework,
        result=services.score_of(application, framework),
        form=form,
        field_key=forms.field_key,
        editable=editable,
    ), status


@bp.route("/applications/<int:app_id>/improvement-areas", methods=["GET", "POST"])
@login_required
def improvement_areas(app_id: int):
    application = get_or_404(Application, app_id)
    require(application.can_view(current_user))
    framework = services.framework_of(application)
    count = framework.level(application.level).rules.improvement_areas
    if not count:
        abort(404)  # only levels whose rules ask for improvement areas have this page
    editable = application.can_edit_answers(current_user)
    form = forms.improvement_form(framework, count, application.improvement_areas)
    status = 200
    if request.method == "POST":
        require(editable)
        if form.validate_on_submit():
            areas = forms.documented_areas(form, count)
            if not forms.has_errors(form):
                services.save_improvement_areas(application, framework, areas, current_user)
                db.session.commit()
                flash(_("The improvement areas are saved."), "success")
                return redirect(url_for(".improvement_areas", app_id=app_id), code=303)
        status = 422
    return render_template(
        "assessments/improvement_areas.html",
        application=application,
        form=form,
        count=count,
        editable=editable,
    ), status


@bp.route("/applications/<int:app_id>/answers.xlsx")
@login_required
def export_xlsx(app_id: int):
    application = get_or_404(Application, app_id)
    require(application.can_view(current_user))
    framework = services.framework_of(application)
    data = exports.answers_workbook(
        application, framework, services.score_of(application, framework)
    )
    return _download(data, XLSX_TYPE, f"application-{application.id}-answers.xlsx")


@bp.route("/applications/<int:app_id>/summary.pdf")
@login_required
def export_pdf(app_id: int):
    application = get_or_404(Application, app_id)
    require(application.can_view(current_user))
    framework = services.framework_of(application)
    data = exports.summary_pdf(application, framework, services.score_of(application, framework))
    return _download(data, "application/pdf", f"application-{application.id}-summary.pdf")


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(data: bytes, mimetype: str, filename: str):
    return send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename
    )
