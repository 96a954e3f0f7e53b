"""An organisation's twinning pages: its overview (requests and partnerships), its
settings (opt in or out), its suggested partners and the request to one of them. Only its
own team sees them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from labelling.core.http import get_or_404, require
from labelling.extensions import db
from labelling.organisations.models import Organisation
from labelling.twinning import matching, partnerships, profiles
from labelling.twinning.forms import COUNTRY_CHOICES, ProfileForm, RequestForm
from labelling.twinning.standing import marks_of, strengths, weaknesses
from labelling.twinning.wording import (
    BASIS_LABELS,
    indicator_text,
    reasons,
    refusal,
    state_label,
)

bp = Blueprint("twinning", __name__, url_prefix="/organisations/<int:org_id>/twinning")
bp.add_app_template_global(state_label, "partnership_state")


def _team_organisation(org_id: int) -> Organisation:
    """Twinning is the team's own business: not even the secretariat edits it."""
    organisation = get_or_404(Organisation, org_id)
    require(organisation.membership_of(current_user) is not None)
    return organisation


@bp.route("")
@login_required
def overview(org_id: int):
    organisation = _team_organisation(org_id)
    framework = profiles.framework_for(organisation.id)
    return render_template(
        "twinning/overview.html",
        organisation=organisation,
        profile=profiles.profile_of(organisation.id),
        framework=framework,
        partnerships=partnerships.partnerships_of(organisation.id),
        country_choices=COUNTRY_CHOICES,
    )


def _indicator_choices(framework, codes, found):
    return [
        (
            code,
            indicator_text(framework, code)
            + (f" ({BASIS_LABELS[found[code]]})" if code in found else ""),
        )
        for code in codes
    ]


def _profile_form(organisation: Organisation, framework, choices=None) -> ProfileForm:
    found = marks_of(organisation.id)
    every_code = [indicator.code for indicator in framework.indicators]
    team = [(m.user_id, m.user.full_name) for m in organisation.memberships]
    weak = weaknesses(found)
    return ProfileForm(
        obj=choices,
        wants=_indicator_choices(framework, every_code, weak),
        offers=_indicator_choices(framework, sorted(strengths(found), key=every_code.index), found),
        team=team,
    )


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings(org_id: int):
    organisation = _team_organisation(org_id)
    framework = profiles.framework_for(organisation.id)
    if framework is None:
        return render_template(
            "twinning/not_yet.html", organisation=organisation, reason=refusal("no_benchmarking")
        )
    form = _profile_form(organisation, framework, profiles.suggested_choices(organisation))
    if form.validate_on_submit():
        choices = profiles.ProfileChoices(
            is_active=form.is_active.data,
            wants=form.wants.data or [],
            offers=form.offers.data or [],
            languages=form.languages.data or [],
            country_choice=form.country_choice.data,
            same_area_only=form.same_area_only.data,
            capacity=form.capacity.data,
            contact_id=form.contact_id.data,
        )
        try:
            profiles.save_profile(organisation, choices, current_user)
        except profiles.ProfileRefused as exc:
            db.session.rollback()
            form.form_errors.append(refusal(exc.reason))
        else:
            db.session.commit()
            flash(_("Your twinning settings are saved."), "success")
            return redirect(url_for("twinning.overview", org_id=organisation.id), code=303)
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "twinning/settings.html", organisation=organisation, form=form, framework=framework
    ), status


@bp.route("/suggestions")
@login_required
def suggestions(org_id: int):
    organisation = _team_organisation(org_id)
    profile = profiles.profile_of(organisation.id)
    if profile is None or not profile.is_active:
        return redirect(url_for("twinning.settings", org_id=organisation.id))
    framework = profiles.framework_for(organisation.id)
    own_marks = marks_of(organisation.id)
    found = matching.suggestions(profile)
    return render_template(
        "twinning/suggestions.html",
        organisation=organisation,
        profile=profile,
        suggestions=[(item, list(reasons(item, own_marks, framework))) for item in found],
        is_full=matching.active_counts([organisation.id])[organisation.id] >= profile.capacity,
    )


@bp.route("/ask/<int:partner_id>", methods=["GET", "POST"])
@login_required
def ask(org_id: int, partner_id: int):
    organisation = _team_organisation(org_id)
    partner = get_or_404(Organisation, partner_id)
    theirs = profiles.profile_of(partner.id)
    if theirs is None:
        abort(404)  # an organisation that never took part is not shown at all
    form = RequestForm()
    if not theirs.is_active:
        form.form_errors.append(refusal("switched_off"))
    elif form.validate_on_submit():
        try:
            partnership = partnerships.send_request(
                organisation, partner, form.message.data, current_user
            )
        except partnerships.TwinningRefused as exc:
            db.session.rollback()
            form.form_errors.append(refusal(exc.reason))
        else:
            db.session.commit()
            flash(_("Your request is sent."), "success")
            return redirect(
                url_for("twinning_plan.detail", partnership_id=partnership.id), code=303
            )
    status = 409 if not theirs.is_active else 422 if form.errors or form.form_errors else 200
    return render_template(
        "twinning/ask.html", organisation=organisation, partner=partner, form=form
    ), status
