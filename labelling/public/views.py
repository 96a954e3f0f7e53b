"""Home, dashboard and language switcher."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import current_user, login_required

from labelling.accounts.models import Role
from labelling.assessments import assignment, screening
from labelling.assessments.services import applications_of, next_step
from labelling.certificates.services import held_labels
from labelling.core.forms import ConfirmForm
from labelling.core.http import is_safe_next
from labelling.extensions import db
from labelling.frameworks.services import current_framework
from labelling.organisations.services import organisations_of

bp = Blueprint("public", __name__)


@bp.route("/")
def home():
    return render_template("public/home.html", framework=current_framework())


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
        framework=current_framework(),
        assignment_counts=assignment.assignment_counts(current_user)
        if current_user.has_role(Role.ASSESSOR)
        else None,
        state_counts=screening.state_counts(current_user) if current_user.is_staff else None,
        labels_by_org={org.id: held_labels(org.id) for org in organisations},
    )


LOCALE_COOKIE = "locale"
LOCALE_COOKIE_MAX_AGE = 365 * 24 * 3600


@bp.route("/language", methods=["GET", "POST"])
def set_language():
    """Signed-in readers: POST (CSRF-checked), kept in their profile. Anonymous readers:
    GET, kept in a cookie; a language cookie is no secret and changes nothing else."""
    languages = current_app.config["LANGUAGES"]
    values = request.form if request.method == "POST" else request.args
    chosen = values.get("locale", "")
    target = values.get("next")
    response = redirect(target if is_safe_next(target) else url_for("public.home"), code=303)
    if request.method == "POST":
        form = ConfirmForm()
        if form.validate_on_submit() and chosen in languages:
            session["locale"] = chosen
            if current_user.is_authenticated:
                current_user.locale = chosen
                db.session.commit()
    elif chosen in languages:
        response.set_cookie(
            LOCALE_COOKIE,
            chosen,
            max_age=LOCALE_COOKIE_MAX_AGE,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
        )
    return response


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on every site whatever the page says: a 404 on every
    public page before (issue 28, Lighthouse's best practices)."""
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400
    )


@bp.route("/healthz")
def health():
    """Liveness: the process answers. It needs nothing else, so a database outage does not
    make a load balancer restart healthy workers (see /readyz)."""
    return {"status": "ok"}


@bp.route("/readyz")
def ready():
    """Readiness: the database (and Redis, where configured) answer; 503 with the reason
    when one does not."""
    from labelling.core.readiness import check_dependencies

    checks = check_dependencies()
    failed = {name: reason for name, reason in checks.items() if reason != "ok"}
    body = {"status": "unavailable" if failed else "ready", "checks": checks}
    response = jsonify(body)
    response.status_code = 503 if failed else 200
    response.headers["Cache-Control"] = "no-store"
    return response
