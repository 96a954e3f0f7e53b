"""The secretariat's pages on draft framework versions: which drafts there are, and what
each would have changed in the decisions already taken."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from labelling.bodies.services import acts_for_platform
from labelling.core.forms import ConfirmForm
from labelling.core.http import require
from labelling.core.languages import page_locale
from labelling.criteria.translations import localised
from labelling.drafts import simulation
from labelling.extensions import db
from labelling.organisations.models import TECHNOLOGY_AREAS

bp = Blueprint("drafts", __name__, url_prefix="/secretariat/criteria/drafts")


def _require_platform_staff() -> None:
    """The criteria are the platform's: its own staff review them."""
    require(acts_for_platform(current_user))


@bp.route("")
@login_required
def index():
    _require_platform_staff()
    found = [(draft, simulation.kept(draft)) for draft in simulation.drafts()]
    return render_template("drafts/index.html", drafts=found)


def _draft_or_404(framework_id: str, version: str):
    try:
        return simulation.draft_and_base(framework_id, version)
    except simulation.NotADraft:
        abort(404)


@bp.route("/<framework_id>/<version>/impact", methods=["GET", "POST"])
@login_required
def impact(framework_id: str, version: str):
    _require_platform_staff()
    draft, base = _draft_or_404(framework_id, version)
    form = ConfirmForm()
    if form.validate_on_submit():
        simulation.start(framework_id, version, current_user)
        db.session.commit()  # the job starts after the commit (here and now without a queue)
        flash(_("The simulation has started."), "info")
        return redirect(url_for("drafts.impact", framework_id=framework_id, version=version), 303)
    kept = simulation.kept(draft)
    found = simulation.from_record(kept.result) if kept and kept.result else None
    draft, base = localised(draft, page_locale()), localised(base, page_locale())
    return render_template(
        "drafts/impact.html",
        draft=draft,
        base=base,
        kept=kept,
        may_start=kept is None or simulation.may_start_again(kept),
        impact=found,
        names={i.code: i.name for i in draft.indicators},
        level_names={level.id: level.name for level in (*draft.levels, *base.levels)},
        area_names={key: str(label) for key, label in TECHNOLOGY_AREAS.items()},
        form=form,
    )
