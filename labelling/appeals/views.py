"""The appeal pages: lodging (the organisation's team), the queue and the panel (the
secretariat), the decision (the panel), and the appeal's own page for all of them."""

from __future__ import annotations

import io
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from labelling.accounts.history import readable_history
from labelling.accounts.models import User
from labelling.accounts.services import staff_members
from labelling.appeals import listing, services
from labelling.appeals.forms import AppealDecisionForm, LodgeAppealForm, PanelForm
from labelling.appeals.models import Appeal
from labelling.assessments import evidence as evidence_storage
from labelling.assessments.models import Application
from labelling.assessments.workflow import AppealAction, AppealState
from labelling.certificates.models import Label
from labelling.core.audit import events_for
from labelling.core.confirm import confirmation_page, is_confirmed
from labelling.core.http import get_or_404, require
from labelling.core.paging import BadCursor
from labelling.extensions import db
from labelling.organisations.models import Organisation

bp = Blueprint("appeals", __name__)


def refusal_message(code: str) -> str:
    return {
        "not_on_the_team": _("Only the organisation's team may appeal."),
        "nothing_to_appeal": _("There is no decision here that can be appealed."),
        "already_appealed": _("This decision has been appealed already."),
        "appeal_period_over": _("The period for an appeal against this decision is over."),
        "grounds_required": _("Please give the grounds."),
        "panel_too_small": _("An appeal panel has at least two members."),
        "panel_conflict": _("Someone chosen took part in what is appealed."),
        "state": _("This appeal can no longer take this step."),
        "actor": _("You may not take this step on this appeal."),
        "comment": _("Please give the reasons."),
        "cannot_reopen": _("The decision can no longer be reopened."),
    }.get(code, code)


CONFLICT_REASONS = {
    "not_staff": lambda: _("not a member of the secretariat"),
    "on_the_team": lambda: _("on the organisation's team"),
    "assessed": lambda: _("assessed the application"),
    "decided": lambda: _("took the decision appealed"),
}


def conflict_text(code: str) -> str:
    return CONFLICT_REASONS.get(code, lambda: code)()


# --- lodging ---------------------------------------------------------------------------------


@bp.route("/applications/<int:app_id>/appeal", methods=["GET", "POST"])
@login_required
def lodge_for_application(app_id: int):
    application = get_or_404(Application, app_id)
    require(application.organisation.membership_of(current_user) is not None)
    return _lodge(application=application)


@bp.route("/labels/<int:label_id>/appeal", methods=["GET", "POST"])
@login_required
def lodge_for_label(label_id: int):
    label = get_or_404(Label, label_id)
    require(label.organisation.membership_of(current_user) is not None)
    return _lodge(label=label)


def _lodge(application=None, label=None):
    problem = services.may_appeal(current_user, application, label)
    subject, decided, _key, organisation_id, framework = services.decision_of(application, label)
    organisation = db.session.get(Organisation, organisation_id)
    form = LodgeAppealForm()
    page = {
        "form": form,
        "organisation": organisation,
        "application": application,
        "label": label,
        "subject": subject,
        "deadline": services.appeal_deadline(decided, framework) if decided else None,
        "problem": refusal_message(problem) if problem else None,
    }
    if request.method == "GET":
        return render_template("appeals/lodge.html", **page), 409 if problem else 200
    if problem:
        return render_template("appeals/lodge.html", **page), 409
    if not form.validate_on_submit():
        return render_template("appeals/lodge.html", **page), 422
    stored = None
    upload = form.document.data
    if upload and getattr(upload, "filename", ""):
        try:
            stored = evidence_storage.store(upload.read(), upload.filename)
        except evidence_storage.EvidenceRejected:
            form.document.errors = [
                _("This file cannot be accepted: PDF, DOCX, XLSX, PNG or JPEG.")
            ]
            return render_template("appeals/lodge.html", **page), 422
    try:
        appeal = services.lodge_appeal(
            current_user,
            form.grounds.data,
            application=application,
            label=label,
            document=stored,
        )
        db.session.commit()
    except services.AppealRefused as exc:
        db.session.rollback()
        if stored is not None:
            evidence_storage.discard(stored.stored_name)
        abort(exc.status, refusal_message(exc.code))
    flash(_("Your appeal is lodged. The secretariat forms an independent panel."), "success")
    return redirect(url_for("appeals.detail", appeal_id=appeal.id), code=303)


# --- the appeal's page ---------------------------------------------------------------------------


def _appeal_or_404(appeal_id: int) -> Appeal:
    appeal = get_or_404(Appeal, appeal_id)
    require(appeal.can_view(current_user))
    return appeal


def _detail_page(appeal: Appeal, status: int = 200, **forms):
    actors = appeal.actors_for(current_user)
    panel_form = forms.get("panel_form") or PanelForm()
    candidates = services.panel_candidates(appeal) if "secretariat" in actors else []
    panel_form.members.choices = [(user.id, user.full_name) for user, reasons in candidates]
    return render_template(
        "appeals/detail.html",
        appeal=appeal,
        organisation=db.session.get(Organisation, appeal.organisation_id),
        application=db.session.get(Application, appeal.application_id)
        if appeal.application_id
        else None,
        label=db.session.get(Label, appeal.label_id) if appeal.label_id else None,
        actors=actors,
        candidates=candidates,
        conflict_text=conflict_text,
        panel_form=panel_form,
        decision_form=forms.get("decision_form") or AppealDecisionForm(),
        can_form_panel=appeal.status == AppealState.LODGED and "secretariat" in actors,
        can_decide=appeal.status == AppealState.UNDER_REVIEW and "panel_member" in actors,
        events=readable_history(events_for("appeal", appeal.id)),
    ), status


@bp.route("/appeals/<int:appeal_id>")
@login_required
def detail(appeal_id: int):
    return _detail_page(_appeal_or_404(appeal_id))


@bp.route("/appeals/<int:appeal_id>/panel", methods=["POST"])
@login_required
def form_panel(appeal_id: int):
    appeal = _appeal_or_404(appeal_id)
    require(current_user.is_staff)
    form = PanelForm()
    form.members.choices = [(user.id, user.full_name) for user in staff_members()]
    if not form.validate_on_submit():
        return _detail_page(appeal, 422, panel_form=form)
    chosen = form.members.data or []  # none ticked: the service says a panel needs two
    members = list(db.session.scalars(select(User).where(User.id.in_(chosen))))
    try:
        services.form_panel(appeal, current_user, members)
        db.session.commit()
    except services.AppealRefused as exc:
        db.session.rollback()
        form.members.errors = [
            refusal_message(exc.code) + (f" ({exc.detail})" if exc.detail else "")
        ]
        return _detail_page(appeal, exc.status, panel_form=form)
    except StaleDataError:
        db.session.rollback()
        abort(409, _("Someone else changed this appeal at the same time. Reload it."))
    flash(_("The appeal panel is formed; its members are told."), "success")
    return redirect(url_for("appeals.detail", appeal_id=appeal.id), code=303)


@bp.route("/appeals/<int:appeal_id>/decision", methods=["POST"])
@login_required
def decide(appeal_id: int):
    appeal = _appeal_or_404(appeal_id)
    form = AppealDecisionForm()
    if not form.validate_on_submit():
        return _detail_page(appeal, 422, decision_form=form)
    overturn = form.outcome.data == "overturn"
    action = AppealAction.OVERTURN if overturn else AppealAction.UPHOLD
    try:
        services.check_step(appeal, action, current_user, form.reasons.data)
        if not is_confirmed():
            return _confirmdecision_of(appeal, overturn)
        services.decide_appeal(appeal, current_user, overturn, form.reasons.data)
        db.session.commit()
    except services.AppealRefused as exc:
        db.session.rollback()
        abort(exc.status, refusal_message(exc.code))
    except StaleDataError:
        db.session.rollback()
        abort(409, _("Someone else changed this appeal at the same time. Reload it."))
    flash(_("The panel's decision is recorded; the organisation is told."), "success")
    return redirect(url_for("appeals.detail", appeal_id=appeal.id), code=303)


def _confirmdecision_of(appeal: Appeal, overturn: bool):
    if not overturn:
        consequence = _(
            "The appeal is rejected and the decision stands. The organisation is told with "
            "the panel's reasons. This ends the appeal."
        )
    elif appeal.subject_kind.is_about_a_label:
        consequence = _(
            "The label is valid again from today: the registry lists it and verification "
            "of its certificate says valid. The organisation is told with the reasons."
        )
    else:
        consequence = _(
            "The decision is overturned: the application returns to the secretariat to be "
            "decided again, and the organisation is told with the reasons."
        )
    return confirmation_page(
        title=_("Record the panel's decision?"),
        consequence=consequence,
        button=_("Yes, record the decision"),
        cancel_url=url_for("appeals.detail", appeal_id=appeal.id),
    )


@bp.route("/appeals/<int:appeal_id>/document")
@login_required
def document(appeal_id: int):
    appeal = _appeal_or_404(appeal_id)
    if not appeal.document_stored_name:
        abort(404)
    try:
        content = evidence_storage.read(appeal.document_stored_name)
    except FileNotFoundError:
        abort(404)
    return send_file(
        io.BytesIO(content),
        mimetype=appeal.document_content_type,
        as_attachment=True,
        download_name=appeal.document_filename,
    )


@bp.route("/secretariat/appeals")
@login_required
def queue():
    require(current_user.is_staff)
    which = request.args.get("show", "open")
    if which not in listing.ORDERS:
        abort(404)
    try:
        page, total, organisations = listing.appeals_page(
            current_user, which, request.args.get("after")
        )
    except BadCursor:
        abort(400)
    return render_template(
        "appeals/queue.html",
        appeals=page.rows,
        page=page,
        total=total,
        which=which,
        organisations=organisations,
        today=date.today(),
    )
