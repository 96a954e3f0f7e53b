"""Sign-up, sign-in, sign-out, password reset and change, and role administration."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from wtforms import BooleanField

from labelling.accounts import services
from labelling.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    RolesForm,
)
from labelling.accounts.models import Role, User
from labelling.core.audit import record_event
from labelling.core.http import get_or_404, is_safe_next, require
from labelling.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def _next_url(default_endpoint: str = "public.dashboard") -> str:
    target = request.args.get("next") or request.form.get("next")
    return target if is_safe_next(target) else url_for(default_endpoint)


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("public.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(
                form.email.data,
                form.full_name.data,
                form.password.data,
                locale=str(get_locale()),  # the language the page was read in
            )
        except services.AccountError:
            form.email.errors.append(_("An account with this e-mail address exists already."))
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(_next_url(), code=303)
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 422


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["ADDRESS_LOGIN_RATE_LIMIT"]


def _account_and_address() -> str:
    """The tight limit counts per account *and* address: a secretariat or a training day
    behind one office address signs in freely, while guessing at one account is stopped."""
    email = (request.form.get("email") or "").strip().casefold()
    return f"{get_remote_address()}|{email}"


# Guessing at one account is stopped by the first; spraying many accounts from one
# address by the second, much looser one.
sign_in_limits = [
    limiter.limit(_login_limit, methods=["POST"], key_func=_account_and_address),
    limiter.limit(_address_limit, methods=["POST"]),
]


def _limited(view):
    for limit in sign_in_limits:
        view = limit(view)
    return view


@bp.route("/login", methods=["GET", "POST"])
@_limited
def login():
    if current_user.is_authenticated:
        return redirect(_next_url())
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            record_event("user.signed_in", "user", user.id, actor=user)
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(_("You are signed in."), "success")
            return redirect(_next_url(), code=303)
        failed = True
    status = 401 if failed else (422 if form.errors else 200)
    return render_template("accounts/login.html", form=form, failed=failed), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("public.home"), code=303)


@bp.route("/password/forgot", methods=["GET", "POST"])
@_limited
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _("If an account uses this address, we have sent it a link to reset the password."),
            "info",
        )
        return redirect(url_for("accounts.login"), code=303)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = services.user_from_reset_token(token)
    if user is None:
        flash(_("This reset link is invalid or has expired. Ask for a new one."), "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.change_password(user, form.password.data)
        db.session.commit()
        flash(_("Your password is changed. Sign in with the new one."), "success")
        return redirect(url_for("accounts.login"), code=303)
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            services.change_password(current_user, form.password.data)
            db.session.commit()
            flash(_("Your password is changed."), "success")
            return redirect(url_for("public.dashboard"), code=303)
    return render_template("accounts/change_password.html", form=form)


def _roles_form(user: User):
    class Form(RolesForm):
        pass

    for role in Role:
        setattr(Form, f"role_{role.value}", BooleanField(role.label, default=user.has_role(role)))
    return Form()


@bp.route("/admin/users")
@login_required
def admin_users():
    require(current_user.has_role(Role.ADMIN))
    users = db.session.scalars(select(User).order_by(User.full_name)).all()
    return render_template("accounts/admin_users.html", users=users, Role=Role)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def admin_user_roles(user_id: int):
    require(current_user.has_role(Role.ADMIN))
    user = get_or_404(User, user_id)
    form = _roles_form(user)
    if form.validate_on_submit():
        wanted = {role for role in Role if form[f"role_{role.value}"].data}
        if user.id == current_user.id and Role.ADMIN not in wanted:
            abort(409, _("You cannot take the administrator role from yourself."))
        before = sorted(user.roles)
        for role in Role:
            (user.grant if role in wanted else user.revoke)(role)
        record_event(
            "user.roles_changed",
            "user",
            user.id,
            actor=current_user,
            data={"before": before, "after": sorted(wanted)},
        )
        db.session.commit()
        flash(_("Roles of %(name)s saved.", name=user.full_name), "success")
        return redirect(url_for("accounts.admin_users"), code=303)
    return render_template("accounts/admin_user_roles.html", form=form, user=user, Role=Role)
