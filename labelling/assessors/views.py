"""Accreditation register pages (secretariat) and the assessor's own profile and declarations."""

from __future__ import annotations

from datetime import date

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

from labelling.accounts.services import find_user_by_email
from labelling.assessors import listing, services
from labelling.assessors.forms import (
    AccreditationForm,
    DeclarationForm,
    FindOrganisationForm,
    NewProfileForm,
    ProfileForm,
    SuspensionForm,
)
from labelling.assessors.models import (
    Accreditation,
    AccreditationRole,
    AccreditationStatus,
    AssessorProfile,
    ConflictDeclaration,
)
from labelling.core.forms import ConfirmForm
from labelling.core.http import get_or_404, require
from labelling.core.paging import BadCursor
from labelling.extensions import db
from labelling.organisations.models import TECHNOLOGY_AREAS, Organisation

bp = Blueprint("assessors", __name__, url_prefix="/assessors")


def _require_staff() -> None:
    require(current_user.is_staff)


@bp.route("/")
@login_required
def index():
    _require_staff()
    args = {k: request.args.get(k, "").strip()[:100] for k in ("q", "role", "country", "status")}
    roles, statuses = list(AccreditationRole), list(AccreditationStatus)
    if args["role"] not in ("", *roles) or args["status"] not in ("", *statuses):
        abort(400)  # the page's own choices only
    today = date.today()
    try:
        page, shown, total = listing.register_page(
            listing.RegisterFilters(**args), today, request.args.get("after")
        )
    except BadCursor:
        abort(400)
    return render_template(
        "assessors/index.html",
        profiles=page.rows,
        page=page,
        shown=shown,
        total=total,
        filters=args,
        roles=roles,
        statuses=statuses,
        countries=listing.countries_in_register(),
        areas=TECHNOLOGY_AREAS,
        today=today,
    )


def _profile_values(form) -> tuple:
    return (
        form.country_code.data,
        form.languages.data or [],
        form.technology_areas.data or [],
        form.notes.data or "",
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    _require_staff()
    form = NewProfileForm()
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is None:
            form.email.errors.append(
                _("No account with this e-mail. Ask the assessor to register first.")
            )
        elif services.profile_of(user) is not None:
            form.email.errors.append(_("This person is in the register already."))
        else:
            profile = services.create_profile(user, *_profile_values(form), current_user)
            db.session.commit()
            flash(
                _("%(name)s is in the register. Add an accreditation next.", name=user.full_name),
                "success",
            )
            return redirect(url_for("assessors.profile", profile_id=profile.id), code=303)
    return render_template("assessors/new.html", form=form), (
        422 if form.errors or _has_errors(form) else 200
    )


def _has_errors(form) -> bool:
    return any(form[name].errors for name in form._fields)


def _suspension_form(accreditation_id: int) -> SuspensionForm:
    """One per accreditation, each with ids of its own (a profile with two accreditations
    held the id `suspend-reason` twice, and each label pointed at the first, issue 28)."""
    return SuspensionForm(prefix=f"suspend-{accreditation_id}")


def _profile_page(profile: AssessorProfile, status: int = 200, **forms):
    form = forms.get("form") or ProfileForm(obj=profile)
    return render_template(
        "assessors/profile.html",
        profile=profile,
        form=form,
        accreditation_form=forms.get("accreditation_form") or AccreditationForm(prefix="acc"),
        suspension_forms={
            a.id: forms.get("suspension_forms", {}).get(a.id) or _suspension_form(a.id)
            for a in profile.accreditations
        },
        action_form=ConfirmForm(),
        areas=TECHNOLOGY_AREAS,
        today=date.today(),
        panels=services.profile_panels(profile.user_id, own=False),
    ), status


@bp.route("/<int:profile_id>", methods=["GET", "POST"])
@login_required
def profile(profile_id: int):
    _require_staff()
    profile = get_or_404(AssessorProfile, profile_id)
    if request.method == "GET":
        return _profile_page(profile)
    form = ProfileForm()
    if not form.validate_on_submit():
        return _profile_page(profile, 422, form=form)
    services.update_profile(profile, *_profile_values(form), current_user)
    db.session.commit()
    flash(_("Profile saved."), "success")
    return redirect(url_for("assessors.profile", profile_id=profile.id), code=303)


@bp.route("/<int:profile_id>/accreditations", methods=["POST"])
@login_required
def grant(profile_id: int):
    _require_staff()
    profile = get_or_404(AssessorProfile, profile_id)
    form = AccreditationForm(prefix="acc")
    if not form.validate_on_submit():
        return _profile_page(profile, 422, accreditation_form=form)
    services.grant_accreditation(
        profile, form.role.data, form.issued_on.data, form.expires_on.data, current_user
    )
    db.session.commit()
    flash(_("Accreditation granted."), "success")
    return redirect(url_for("assessors.profile", profile_id=profile.id), code=303)


@bp.route("/accreditations/<int:accreditation_id>/suspend", methods=["POST"])
@login_required
def suspend(accreditation_id: int):
    _require_staff()
    accreditation = get_or_404(Accreditation, accreditation_id)
    form = _suspension_form(accreditation.id)
    if not form.validate_on_submit():
        return _profile_page(accreditation.profile, 422, suspension_forms={accreditation.id: form})
    services.suspend_accreditation(accreditation, form.reason.data, current_user)
    db.session.commit()
    flash(_("Accreditation suspended: no new assignments for this role."), "success")
    return redirect(url_for("assessors.profile", profile_id=accreditation.profile_id), code=303)


@bp.route("/accreditations/<int:accreditation_id>/restore", methods=["POST"])
@login_required
def restore(accreditation_id: int):
    _require_staff()
    accreditation = get_or_404(Accreditation, accreditation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.restore_accreditation(accreditation, current_user)
    db.session.commit()
    flash(_("Accreditation restored."), "success")
    return redirect(url_for("assessors.profile", profile_id=accreditation.profile_id), code=303)


@bp.route("/declarations/<int:declaration_id>/remove", methods=["POST"])
@login_required
def remove_declaration(declaration_id: int):
    _require_staff()
    declaration = get_or_404(ConflictDeclaration, declaration_id)
    # A tie to an organisation is its body's to lift: another body's staff may not.
    require(declaration.organisation.can_view(current_user))
    profile_id = declaration.profile_id
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.remove_declaration(declaration, current_user)
    db.session.commit()
    flash(_("Declaration removed."), "success")
    return redirect(url_for("assessors.profile", profile_id=profile_id), code=303)


@bp.route("/me", methods=["GET", "POST"])
@login_required
def my_profile():
    """The assessor's own register entry, and their declarations of conflicts of interest."""
    profile = services.profile_of(current_user)
    if profile is None:
        abort(404, _("You are not in the accreditation register yet; the secretariat adds you."))
    finder = FindOrganisationForm(request.args)
    q = (finder.q.data or "") if finder.validate() else ""
    if request.method == "POST":  # the search the form was found by, as bounded as the finder
        q = (request.form.get("q") or "").strip()[:100]
    found = services.organisations_named(q)
    form = DeclarationForm(found, q=q)
    organisation = None
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        if organisation is None:
            form.organisation_id.errors.append(_("Find the organisation, then choose it."))
    if organisation is not None:
        services.declare_conflict(
            profile,
            organisation,
            form.relation.data,
            form.ended_on.data,
            form.note.data or "",
            current_user,
        )
        db.session.commit()
        flash(_("Your declaration is recorded."), "success")
        return redirect(url_for("assessors.my_profile"), code=303)
    return render_template(
        "assessors/me.html",
        profile=profile,
        form=form,
        finder=finder,
        searched=bool(q),
        areas=TECHNOLOGY_AREAS,
        today=date.today(),
        lookback=current_app.config["CONFLICT_LOOKBACK_YEARS"],
        panels=services.profile_panels(profile.user_id, own=True),
    ), (422 if form.errors else 200)
