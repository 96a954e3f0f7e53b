"""Organisation pages: create, view and edit the profile, manage the team."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from labelling.accounts.history import readable_history
from labelling.core.audit import events_for
from labelling.core.forms import ConfirmForm
from labelling.core.hooks import page_context
from labelling.core.http import get_or_404, require
from labelling.core.paging import BadCursor
from labelling.extensions import db
from labelling.organisations import services
from labelling.organisations.forms import InvitationForm, OrganisationFilterForm, OrganisationForm
from labelling.organisations.models import (
    MEMBER_CATEGORIES,
    Invitation,
    Membership,
    Organisation,
    staff_countries,
)
from labelling.organisations.signals import organisation_page

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


def _profile_data(form: OrganisationForm) -> dict:
    return {name: form[name].data for name in services.PROFILE_FIELDS}


@bp.route("/")
@login_required
def index():
    if not current_user.is_staff:
        organisations = services.organisations_of(current_user)
        return render_template("organisations/index.html", organisations=organisations)
    form = OrganisationFilterForm(request.args)
    filters = services.OrganisationFilters()
    if form.validate():
        filters = services.OrganisationFilters(
            q=form.q.data or "",
            country=form.country.data or "",
            technology_area=form.technology_area.data or "",
        )
    # A national body's staff: their countries' organisations.
    countries = staff_countries(current_user)
    try:
        page, total = services.organisations_page(filters, countries, request.args.get("after"))
    except BadCursor:
        abort(400)
    return render_template(
        "organisations/index.html",
        organisations=page.rows,
        form=form,
        page=page,
        total=total,
        filtered=filters != services.OrganisationFilters(),
    ), (422 if form.errors else 200)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    form = OrganisationForm()
    if form.validate_on_submit():
        organisation = services.create_organisation(_profile_data(form), current_user)
        db.session.commit()
        flash(_("%(name)s is registered.", name=organisation.display_name), "success")
        return redirect(url_for("organisations.detail", org_id=organisation.id), code=303)
    status = 422 if form.errors else 200
    return render_template("organisations/form.html", form=form, organisation=None), status


@bp.route("/<int:org_id>")
@login_required
def detail(org_id: int):
    organisation = get_or_404(Organisation, org_id)
    require(organisation.can_view(current_user))
    return render_template(
        "organisations/detail.html",
        organisation=organisation,
        categories=MEMBER_CATEGORIES,
        events=readable_history(events_for("organisation", organisation.id)),
        can_edit=organisation.can_edit(current_user),
        can_manage_team=organisation.can_manage_team(current_user),
        is_team_member=organisation.membership_of(current_user) is not None,
        # Its applications and labels, from the features built on organisations.
        **{"applications": [], "labels": []}
        | page_context(organisation_page, organisation, user=current_user),
    )


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
def edit(org_id: int):
    organisation = get_or_404(Organisation, org_id)
    require(organisation.can_edit(current_user))
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        services.update_organisation(organisation, _profile_data(form), current_user)
        db.session.commit()
        flash(_("The profile is saved."), "success")
        return redirect(url_for("organisations.detail", org_id=organisation.id), code=303)
    status = 422 if form.errors else 200
    return render_template("organisations/form.html", form=form, organisation=organisation), status


@bp.route("/<int:org_id>/team", methods=["GET", "POST"])
@login_required
def team(org_id: int):
    organisation = get_or_404(Organisation, org_id)
    require(organisation.can_view(current_user))
    can_manage = organisation.can_manage_team(current_user)
    form = InvitationForm()
    if request.method == "POST":
        require(can_manage)
        if form.validate_on_submit():
            services.invite_member(organisation, form.email.data, form.role.data, current_user)
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("organisations.team", org_id=organisation.id), code=303)
    invitations = db.session.scalars(
        select(Invitation)
        .where(Invitation.organisation_id == organisation.id, Invitation.accepted_at.is_(None))
        .order_by(Invitation.created_at.desc())
    ).all()
    return render_template(
        "organisations/team.html",
        organisation=organisation,
        form=form,
        confirm=ConfirmForm(),
        invitations=invitations,
        can_manage=can_manage,
    ), (422 if form.errors else 200)


@bp.route("/<int:org_id>/team/<int:membership_id>/remove", methods=["POST"])
@login_required
def remove_member(org_id: int, membership_id: int):
    organisation = get_or_404(Organisation, org_id)
    require(organisation.can_manage_team(current_user))
    membership = get_or_404(Membership, membership_id)
    if membership.organisation_id != organisation.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.remove_member(organisation, membership, current_user)
    except services.InvitationError:
        abort(409, _("An organisation needs at least one manager."))
    db.session.commit()
    flash(_("Team member removed."), "success")
    return redirect(url_for("organisations.team", org_id=organisation.id), code=303)


INVITATION_ERRORS = {
    "used": lambda: _("This invitation has been used already."),
    "expired": lambda: _("This invitation has expired. Ask the team for a new one."),
    "wrong-user": lambda: _(
        "This invitation was sent to another e-mail address. Sign in with that address."
    ),
}


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@login_required
def accept_invitation(token: str):
    invitation = services.find_invitation(token)
    if invitation is None:
        abort(404)
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            services.accept_invitation(invitation, current_user)
        except services.InvitationError as exc:
            error = INVITATION_ERRORS[str(exc)]()
        else:
            db.session.commit()
            flash(_("You joined %(name)s.", name=invitation.organisation.display_name), "success")
            return redirect(
                url_for("organisations.detail", org_id=invitation.organisation_id), code=303
            )
    elif not invitation.is_open:
        error = INVITATION_ERRORS["used" if invitation.accepted_at else "expired"]()
    return render_template(
        "organisations/accept_invitation.html", invitation=invitation, form=form, error=error
    ), (409 if error else 200)
