"""Application pages: start an application, see it with its eligibility and history."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from labelling.assessments import services
from labelling.assessments.forms import StartApplicationForm, TransitionForm
from labelling.assessments.models import Application
from labelling.assessments.workflow import Action, TransitionError, available_actions
from labelling.core.audit import events_for
from labelling.core.http import get_or_404, require
from labelling.extensions import db
from labelling.organisations.models import Organisation

bp = Blueprint("assessments", __name__)


@bp.route("/organisations/<int:org_id>/applications/new", methods=["GET", "POST"])
@login_required
def start(org_id: int):
    organisation = get_or_404(Organisation, org_id)
    require(organisation.membership_of(current_user) is not None)
    framework = services.current_framework()
    form = StartApplicationForm(framework)
    if form.validate_on_submit():
        application = services.start_application(
            organisation, form.level.data, form.kind.data, current_user, framework
        )
        db.session.commit()
        flash(_("Your application is started as a draft."), "success")
        return redirect(url_for("assessments.detail", app_id=application.id), code=303)
    return render_template(
        "assessments/start.html",
        organisation=organisation,
        framework=framework,
        form=form,
        eligibility=services.eligibility_for(organisation, framework),
    ), (422 if form.errors else 200)


@bp.route("/applications/<int:app_id>")
@login_required
def detail(app_id: int):
    application = get_or_404(Application, app_id)
    require(application.can_view(current_user))
    framework = services.framework_of(application)
    return render_template(
        "assessments/detail.html",
        application=application,
        framework=framework,
        level=framework.level(application.level),
        eligibility=services.eligibility_for(application.organisation, framework),
        events=events_for("application", application.id),
        actions=available_actions(application.status, application.actors_for(current_user)),
        form=TransitionForm(),
    )


# Actions whose forms this feature offers now; the others arrive with their pages.
OFFERED_ACTIONS = {Action.WITHDRAW}


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
    try:
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
