"""Home, dashboard and language switcher."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from labelling.accounts.models import Role
from labelling.assessments import review
from labelling.assessments.services import applications_of, next_step
from labelling.certificates.services import held_labels
from labelling.core.http import is_safe_next
from labelling.extensions import db
from labelling.organisations.forms import ConfirmForm
from labelling.organisations.services import organisations_of

bp = Blueprint("public", __name__)


def default_framework():
    registry = current_app.extensions["criteria"]
    return registry.get(current_app.config["CRITERIA_DEFAULT_FRAMEWORK"])


@bp.route("/")
def home():
    return render_template("public/home.html", framework=default_framework())


@bp.route("/dashboard")
@login_required
def dashboard():
    organisations = organisations_of(current_user)
    applications = applications_of([org.id for org in organisations])
    return render_template(
        "public/dashboard.html",
        organisations=organisations,
        applications_by_org={
            org.id: [a for a in applications if a.organisation_id == org.id]
            for org in organisations
        },
        next_step=next_step,
        framework=default_framework(),
        assignment_counts=review.assignment_counts(current_user)
        if current_user.has_role(Role.ASSESSOR)
        else None,
        state_counts=review.state_counts() if current_user.is_staff else None,
        labels_by_org={org.id: held_labels(org.id) for org in organisations},
    )


@bp.route("/language", methods=["POST"])
def set_language():
    form = ConfirmForm()
    chosen = request.form.get("locale", "")
    if form.validate_on_submit() and chosen in current_app.config["LANGUAGES"]:
        session["locale"] = chosen
        if current_user.is_authenticated:
            current_user.locale = chosen
            db.session.commit()
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("public.home"), code=303)


@bp.route("/healthz")
def health():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
