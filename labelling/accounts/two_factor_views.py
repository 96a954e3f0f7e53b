"""The second step of signing in, enrolment in it, and its settings on the account page."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from labelling.accounts import sessions, two_factor
from labelling.accounts.blueprint import bp, complete_sign_in, no_store
from labelling.accounts.forms import ConfirmWithCodeForm, EnrolForm, SecondFactorForm
from labelling.accounts.models import Role, User
from labelling.core.audit import record_event
from labelling.core.http import get_or_404, is_safe_next, require
from labelling.extensions import db, limiter


def _code_limit() -> str:
    return current_app.config["TWO_FACTOR_RATE_LIMIT"]


def _account_waiting() -> str:
    """Codes are counted per account: a new sign-in (with the password) starts no new count."""
    record = sessions.pending_session()
    return f"2fa|{record.user_id}" if record is not None else f"2fa|{get_remote_address()}"


def _target() -> str:
    target = request.args.get("next")
    return target if is_safe_next(target) else url_for("public.dashboard")


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(_code_limit, methods=["POST"], key_func=_account_waiting)
def second_factor():
    record = sessions.pending_session()
    if record is None:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("accounts.login", next=request.args.get("next")))
    user = record.user
    if not user.has_second_factor:
        return _enrol_at_sign_in(record)
    form = SecondFactorForm()
    if form.validate_on_submit():
        if two_factor.check_code(user, form.code.data):
            device = two_factor.remember_device(user) if form.remember_device.data else None
            complete_sign_in(user, record)
            flash(_("You are signed in."), "success")
            response = redirect(_target(), code=303)
            if device:
                _set_device_cookie(response, device)
            return response
        record_event("user.second_factor_failed", "user", user.id, actor=user)
        db.session.commit()
        form.code.errors.append(_("This code is not right, or was used already. Try the next one."))
        return render_template("accounts/second_factor.html", form=form), 401
    return render_template("accounts/second_factor.html", form=form), 422 if form.errors else 200


def _set_device_cookie(response, token: str) -> None:
    response.set_cookie(
        two_factor.device_cookie_name(),
        token,
        max_age=two_factor.remember_days() * 24 * 3600,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
        path="/",
    )


def _enrol_at_sign_in(record):
    """Those who must have a second factor and have none set it up before going on."""

    def signed_in() -> str:
        complete_sign_in(record.user, record)
        return _target()

    return _enrol(record.user, required=True, fresh_secret=False, done=signed_in)


def _enrol(user, *, required: bool, fresh_secret: bool, done):
    """The enrolment page (QR code and key of a secret not yet in force) and the code that
    puts it in force; then `done()` (which commits and says where to go next) and the
    recovery codes, shown once."""
    if fresh_secret or not user.totp_secret:
        two_factor.new_secret(user)
        db.session.commit()
    form = EnrolForm()
    if form.validate_on_submit():
        codes = two_factor.enable(user, form.code.data)
        if codes is not None:
            return _recovery_codes_page(codes, next_url=done())
        form.code.errors.append(_("This code is not right. Check the app's clock and try again."))
    status = 422 if form.errors else 200
    page = render_template("accounts/enrol.html", form=form, user=user, required=required)
    return no_store(page), status


def _recovery_codes_page(codes: list[str], next_url: str):
    page = render_template("accounts/recovery_codes.html", codes=codes, next_url=next_url)
    return no_store(page)  # shown once, kept by no cache


def _settings_page(user, form, status: int = 200):
    page = render_template(
        "accounts/two_factor.html",
        form=form,
        left=two_factor.recovery_codes_left(user),
        required=two_factor.is_required(user),
    )
    return page, status


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_settings():
    """Turn the second factor on (or set it up anew), get new recovery codes, turn it off."""
    user = current_user
    if user.has_second_factor:
        return _settings_page(user, ConfirmWithCodeForm())

    def turned_on() -> str:
        db.session.commit()
        return url_for("accounts.account")

    # Each visit shows a new secret; the code posted is checked against the last shown.
    fresh = request.method == "GET"
    return _enrol(user, required=False, fresh_secret=fresh, done=turned_on)


@bp.route("/account/two-factor/<action>", methods=["POST"])
@login_required
@limiter.limit(_code_limit, key_func=lambda: f"2fa|{current_user.id}")
def two_factor_change(action: str):
    user = current_user
    if action not in ("recovery-codes", "turn-off") or not user.has_second_factor:
        abort(404)
    form = ConfirmWithCodeForm()
    if not (form.validate_on_submit() and two_factor.check_code(user, form.code.data)):
        db.session.rollback()
        form.code.errors.append(_("This code is not right, or was used already. Try the next one."))
        return _settings_page(user, form, 422)
    if action == "turn-off":
        if two_factor.is_required(user):
            abort(409, _("Your role requires the second factor: it cannot be turned off."))
        two_factor.disable(user, actor=user)
        db.session.commit()
        flash(_("Two-step sign-in is off."), "success")
        return redirect(url_for("accounts.account"), code=303)
    codes = two_factor.new_recovery_codes(user)
    record_event("user.recovery_codes_renewed", "user", user.id, actor=user)
    db.session.commit()
    return _recovery_codes_page(codes, next_url=url_for("accounts.account"))


@bp.route("/admin/users/<int:user_id>/two-factor/reset", methods=["POST"])
@login_required
def reset_two_factor(user_id: int):
    """For someone who lost both the phone and the recovery codes: the second factor is
    removed and every session ended; a required one is set up again at the next sign-in."""
    require(current_user.has_role(Role.ADMIN))
    user = get_or_404(User, user_id)
    two_factor.disable(user, actor=current_user)
    sessions.end_sessions(user)
    db.session.commit()
    flash(_("The second factor of %(name)s is removed.", name=user.full_name), "success")
    return redirect(url_for("accounts.admin_user_roles", user_id=user.id), code=303)
