"""The complaint pages: the public form on an organisation's registry page and the
confirmation link (no sign-in), and the secretariat's queue and complaint page."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from labelling.accounts.history import readable_history
from labelling.certificates.services import has_held_a_label
from labelling.complaints import services
from labelling.complaints.forms import ComplaintForm, OutcomeForm
from labelling.complaints.models import Complaint
from labelling.core.audit import events_for
from labelling.core.http import get_or_404, require
from labelling.core.paging import BadCursor
from labelling.extensions import db, limiter
from labelling.organisations.models import Organisation

bp = Blueprint("complaints", __name__)


def _complaint_limit() -> str:
    return current_app.config["COMPLAINT_RATE_LIMIT"]


def _listed_organisation(organisation_id: int) -> Organisation:
    """Complaints concern organisations the registry lists (or listed)."""
    organisation = get_or_404(Organisation, organisation_id)
    if not has_held_a_label(organisation.id):
        abort(404)
    return organisation


@bp.route("/registry/organisations/<int:organisation_id>/complaint", methods=["GET", "POST"])
@limiter.limit(_complaint_limit, methods=["POST"])
def new(organisation_id: int):
    organisation = _listed_organisation(organisation_id)
    form = ComplaintForm()
    if form.validate_on_submit():
        services.receive_complaint(organisation, form.name.data, form.email.data, form.text.data)
        db.session.commit()
        return render_template("complaints/sent.html", organisation=organisation)
    status = 422 if form.errors else 200
    return render_template("complaints/form.html", organisation=organisation, form=form), status


@bp.route("/complaints/confirm/<token>")
def confirm(token: str):
    try:
        complaint = services.confirm_complaint(token)
        db.session.commit()
    except services.ComplaintRefused:
        db.session.rollback()
        abort(404, _("This confirmation link is not valid or has expired."))
    organisation = db.session.get(Organisation, complaint.organisation_id)
    return render_template("complaints/confirmed.html", organisation=organisation)


@bp.route("/secretariat/complaints")
@login_required
def queue():
    require(current_user.is_staff)
    which = request.args.get("show", "open")
    if which not in ("open", "closed"):
        abort(404)
    try:
        page, total, organisations = services.complaints_page(
            current_user, which, request.args.get("after")
        )
    except BadCursor:
        abort(400)
    return render_template(
        "complaints/queue.html",
        complaints=page.rows,
        page=page,
        total=total,
        which=which,
        organisations=organisations,
    )


def _staff_complaint(complaint_id: int) -> Complaint:
    require(current_user.is_staff)
    complaint = get_or_404(Complaint, complaint_id)
    if complaint.state == "unconfirmed":
        abort(404)  # never shown to staff before the e-mail is confirmed
    require(services.may_handle(current_user, complaint))  # its body's staff only
    return complaint


def _detail_page(complaint: Complaint, form=None, status: int = 200):
    return render_template(
        "complaints/detail.html",
        complaint=complaint,
        organisation=db.session.get(Organisation, complaint.organisation_id),
        form=form or OutcomeForm(),
        events=readable_history(events_for("complaint", complaint.id)),
    ), status


@bp.route("/secretariat/complaints/<int:complaint_id>")
@login_required
def detail(complaint_id: int):
    return _detail_page(_staff_complaint(complaint_id))


@bp.route("/secretariat/complaints/<int:complaint_id>/review", methods=["POST"])
@login_required
def review(complaint_id: int):
    complaint = _staff_complaint(complaint_id)  # the app-wide CSRF check guards the POST
    return _act(complaint, lambda: services.review_complaint(complaint, current_user))


@bp.route("/secretariat/complaints/<int:complaint_id>/close", methods=["POST"])
@login_required
def close(complaint_id: int):
    complaint = _staff_complaint(complaint_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        return _detail_page(complaint, form, 422)
    outcome = form.outcome.data
    return _act(complaint, lambda: services.close_complaint(complaint, current_user, outcome))


def _act(complaint: Complaint, step):
    try:
        step()
        db.session.commit()
    except services.ComplaintRefused as exc:
        db.session.rollback()
        abort(exc.status, _("This complaint can no longer take this step."))
    except StaleDataError:
        db.session.rollback()
        abort(409, _("Someone else changed this complaint at the same time. Reload it."))
    flash(_("The complaint is updated."), "success")
    return redirect(url_for("complaints.detail", complaint_id=complaint.id), code=303)
