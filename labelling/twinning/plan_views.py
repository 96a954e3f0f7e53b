"""A request or partnership and its shared plan: the two teams act on it, the secretariat
reads it, nobody else sees it."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from labelling.accounts.history import readable_history
from labelling.core.audit import events_for
from labelling.core.forms import ConfirmForm
from labelling.core.http import get_or_404, require
from labelling.extensions import db
from labelling.frameworks.services import loaded
from labelling.twinning import effects, partnerships
from labelling.twinning.forms import ACTIVITY_KIND_LABELS, ActivityForm, DeclineForm, PlanForm
from labelling.twinning.models import Partnership
from labelling.twinning.profiles import framework_for
from labelling.twinning.wording import indicator_text, refusal

bp = Blueprint("twinning_plan", __name__, url_prefix="/twinning")


def _readable(partnership_id: int) -> Partnership:
    partnership = get_or_404(Partnership, partnership_id)
    require(partnerships.may_read(partnership, current_user))
    return partnership


def _actionable(partnership_id: int) -> Partnership:
    """For every step: one of the two teams, before any form is read (the secretariat
    reads the plan but never acts on it)."""
    partnership = _readable(partnership_id)
    require(partnerships.side_of(partnership, current_user) is not None)
    return partnership


def _framework(partnership: Partnership, side: str | None):
    """The framework the indicators are named from: the reader's side's benchmarking."""
    organisation = partnership.partner if side == "partner" else partnership.requester
    framework = framework_for(organisation.id)
    return framework or loaded().get(partnership.framework_id)


def _page(partnership: Partnership, status: int = 200, **forms):
    side = partnerships.side_of(partnership, current_user)
    framework = _framework(partnership, side)
    own = partnership.partner if side == "partner" else partnership.requester
    every_code = [indicator.code for indicator in framework.indicators]
    plan_form = forms.get("plan_form") or PlanForm(
        obj=partnership, targets=[(c, indicator_text(framework, c)) for c in every_code]
    )
    is_active = partnership.state == "active"
    return render_template(
        "twinning/plan.html",
        partnership=partnership,
        side=side,
        own=own if side else None,
        other=partnership.other_side(own.id) if side else None,
        framework=framework,
        targets=[indicator_text(framework, code) for code in partnership.targets],
        contacts={
            org.id: partnerships.contact_of(org)
            for org in (partnership.requester, partnership.partner)
        }
        if is_active or partnership.state == "ended"
        else {},
        progress=effects.plan_progress(partnership, side) if side else None,
        plan_form=plan_form,
        activity_form=forms.get("activity_form") or ActivityForm(),
        decline_form=forms.get("decline_form") or DeclineForm(),
        confirm_form=ConfirmForm(),
        activity_kinds=ACTIVITY_KIND_LABELS,
        events=readable_history(events_for("partnership", partnership.id)),
    ), status


@bp.route("/<int:partnership_id>")
@login_required
def detail(partnership_id: int):
    return _page(_readable(partnership_id))


def _act(partnership: Partnership, step: Callable[[], object], done: str, **forms):
    """Take the step; a refused one shows the page again with the reason."""
    try:
        step()
        db.session.commit()
    except partnerships.TwinningRefused as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            abort(exc.status, refusal(exc.reason))
        flash(refusal(exc.reason), "error")
        return _page(partnership, exc.status, **forms)
    except StaleDataError:
        db.session.rollback()
        abort(409, _("Someone else changed this partnership at the same time. Reload it."))
    flash(done, "success")
    return redirect(url_for("twinning_plan.detail", partnership_id=partnership.id), code=303)


@bp.route("/<int:partnership_id>/accept", methods=["POST"])
@login_required
def accept(partnership_id: int):
    partnership = _actionable(partnership_id)
    return _act(
        partnership,
        lambda: partnerships.accept(partnership, current_user),
        _("You accepted: the partnership has begun."),
    )


@bp.route("/<int:partnership_id>/decline", methods=["POST"])
@login_required
def decline(partnership_id: int):
    partnership = _actionable(partnership_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _page(partnership, 422, decline_form=form)
    reason = form.reason.data or ""
    return _act(
        partnership,
        lambda: partnerships.decline(partnership, current_user, reason),
        _("You declined the request."),
    )


@bp.route("/<int:partnership_id>/withdraw", methods=["POST"])
@login_required
def withdraw(partnership_id: int):
    partnership = _actionable(partnership_id)
    return _act(
        partnership,
        lambda: partnerships.withdraw(partnership, current_user),
        _("You withdrew the request."),
    )


@bp.route("/<int:partnership_id>/end", methods=["POST"])
@login_required
def end(partnership_id: int):
    partnership = _actionable(partnership_id)
    return _act(
        partnership,
        lambda: partnerships.end(partnership, current_user),
        _("The partnership has ended."),
    )


@bp.route("/<int:partnership_id>/plan", methods=["POST"])
@login_required
def plan(partnership_id: int):
    partnership = _actionable(partnership_id)
    framework = _framework(partnership, partnerships.side_of(partnership, current_user))
    form = PlanForm(
        targets=[(i.code, indicator_text(framework, i.code)) for i in framework.indicators]
    )
    if not form.validate_on_submit():
        return _page(partnership, 422, plan_form=form)
    return _act(
        partnership,
        lambda: partnerships.save_plan(
            partnership, current_user, form.targets.data or [], form.notes.data, form.ends_on.data
        ),
        _("The plan is saved."),
        plan_form=form,
    )


@bp.route("/<int:partnership_id>/activities", methods=["POST"])
@login_required
def add_activity(partnership_id: int):
    partnership = _actionable(partnership_id)
    form = ActivityForm()
    if not form.validate_on_submit():
        return _page(partnership, 422, activity_form=form)
    return _act(
        partnership,
        lambda: partnerships.add_activity(
            partnership,
            current_user,
            form.kind.data,
            form.title.data,
            form.starts_on.data,
            form.ends_on.data,
        ),
        _("The activity is added to the plan."),
        activity_form=form,
    )


@bp.route("/<int:partnership_id>/activities/<int:activity_id>/remove", methods=["POST"])
@login_required
def remove_activity(partnership_id: int, activity_id: int):
    partnership = _actionable(partnership_id)
    ConfirmForm().validate_on_submit()  # the app-wide CSRF check guards the POST
    return _act(
        partnership,
        lambda: partnerships.remove_activity(partnership, current_user, activity_id),
        _("The activity is removed from the plan."),
    )
