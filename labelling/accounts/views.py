"""Sign-up, sign-in, sign-out, password reset and change, and role administration."""

from __future__ import annotations

import io

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, logout_user
from wtforms import BooleanField
from wtforms.widgets import PasswordInput

from labelling.accounts import personal_data as personal_data_service
from labelling.accounts import services, sessions, two_factor
from labelling.accounts.blueprint import bp, complete_sign_in, no_store
from labelling.accounts.forms import (
    ChangePasswordForm,
    EraseAccountForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    RolesForm,
    UserFilterForm,
)
from labelling.accounts.models import Role, User, UserSession, hash_password
from labelling.core.after_response import run_after_response
from labelling.core.audit import record_event
from labelling.core.forms import ConfirmForm
from labelling.core.http import get_or_404, is_safe_next, require
from labelling.core.paging import BadCursor
from labelling.extensions import db, limiter


def _next_url(default_endpoint: str = "public.dashboard") -> str:
    target = request.args.get("next") or request.form.get("next")
    return target if is_safe_next(target) else url_for(default_endpoint)


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


@bp.route("/register", methods=["GET", "POST"])
@_limited
def register():
    if current_user.is_authenticated:
        return redirect(url_for("public.dashboard"))
    form = RegisterForm()
    if _checking_strength(form):
        return no_store(render_template("accounts/register.html", form=form))
    if form.validate_on_submit():
        # The same work and the same answer for a known address and a new one; what
        # differs (an account and a link, or a reminder) is done after the response.
        run_after_response(
            services.sign_up,
            form.email.data,
            form.full_name.data,
            hash_password(form.password.data),
            str(get_locale()),  # the language the page was read in
            _next_url(),
        )
        return redirect(url_for("accounts.sign_up_sent"), code=303)
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 422


@bp.route("/register/sent")
def sign_up_sent():
    return render_template("accounts/sign_up_sent.html")


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """The link sent at sign-up. Opening it shows a button: mail scanners that open links
    must not confirm, nor sign anyone in."""
    found = services.confirmation_from_token(token)
    if found is None:
        flash(
            _("This confirmation link is invalid or has expired. Sign in to get a new one."),
            "error",
        )
        return redirect(url_for("accounts.login"))
    user, next_url = found
    form = ConfirmForm()
    if form.validate_on_submit():
        services.confirm_email(user)
        if current_user.is_authenticated:
            logout_user()
        target = next_url if is_safe_next(next_url) else url_for("public.dashboard")
        if not sign_in(user):
            return redirect(url_for("accounts.second_factor", next=target), code=303)
        flash(_("Welcome! Your account is ready."), "success")
        return redirect(target, code=303)
    return render_template("accounts/confirm_email.html", form=form, user=user)


def _checking_strength(form) -> bool:
    """The "check the strength" button: judge the new password and give it back in its
    field, saving nothing; the strength meter is the server's, so it needs no script."""
    if request.method != "POST" or "check_strength" not in request.form:
        return False
    form.password.validate(form)
    form.password.widget = PasswordInput(hide_value=False)
    return True


@bp.route("/login", methods=["GET", "POST"])
@_limited
def login():
    if current_user.is_authenticated:
        return redirect(_next_url())
    form = LoginForm()
    failed = False
    carried = sessions.fields_to_carry(request.form, prefix=sessions.CARRY_PREFIX)
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and user.email_confirmed_at is None:
            # Only someone who knows the password learns that the address awaits its link.
            services.send_confirmation(user, _next_url())
            db.session.commit()
            flash(_("Confirm your e-mail address first: we have sent you a new link."), "info")
            return render_sign_in(form), 403
        if user is not None:
            target = _next_url()
            if not sign_in(user, remember=form.remember.data, carried=(target, carried)):
                return redirect(url_for("accounts.second_factor", next=target), code=303)
            flash(_("You are signed in."), "success")
            return redirect(target, code=303)
        failed = True
    status = 401 if failed else (422 if form.errors else 200)
    return render_sign_in(form, failed=failed, carried=carried), status


def render_sign_in(form=None, *, failed=False, carried=(), next_url=None) -> str:
    """The sign-in page; `carried` are the fields of a form sent after the session had
    ended, which go back to the browser here and return with the sign-in."""
    return render_template(
        "accounts/login.html",
        form=form or LoginForm(),
        failed=failed,
        carried=carried,
        next_url=next_url or request.args.get("next", ""),
    )


def sign_in(user: User, *, remember: bool = False, carried=None) -> bool:
    """Open a server-side session for the user on this device, keeping `carried`
    ((path, fields) of a form the sign-in page brought back) for that page. False when
    the session waits for the second factor (two_factor_views.second_factor)."""
    device = request.cookies.get(two_factor.device_cookie_name())
    awaits = two_factor.is_asked(user) and not two_factor.is_remembered_device(user, device)
    record = sessions.start_session(user, remember=remember, awaits_second_factor=awaits)
    if carried:
        sessions.keep_carried_form(record, *carried)
    if awaits:
        db.session.commit()
        return False
    complete_sign_in(user, record)
    return True


@bp.route("/logout", methods=["POST"])
def logout():
    record = sessions.current_session()
    if record is not None:
        sessions.end_session(record)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("public.home"), code=303)


@bp.route("/password/forgot", methods=["GET", "POST"])
@_limited
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # Known or not, the address costs this request the same: the look-up and the mail
        # happen after the response.
        run_after_response(services.request_password_reset, form.email.data)
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
    form.owner = user
    if _checking_strength(form):
        return no_store(render_template("accounts/reset_password.html", form=form))
    if form.validate_on_submit():
        services.change_password(user, form.password.data)
        services.confirm_email(user)  # the link came to the address: it is the owner's
        sessions.end_sessions(user)
        two_factor.forget_devices(user)  # whoever knew the old password is signed out everywhere
        db.session.commit()
        flash(_("Your password is changed. Sign in with the new one."), "success")
        return redirect(url_for("accounts.login"), code=303)
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    form.owner = current_user
    if _checking_strength(form):
        return no_store(render_template("accounts/change_password.html", form=form))
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            services.change_password(current_user, form.password.data)
            ended = sessions.end_sessions(current_user, keep=sessions.current_session())
            db.session.commit()
            flash(_("Your password is changed."), "success")
            if ended:
                flash(
                    ngettext(
                        "%(num)d other session was ended.",
                        "%(num)d other sessions were ended.",
                        ended,
                    ),
                    "info",
                )
            return redirect(url_for("accounts.account"), code=303)
    return render_template("accounts/change_password.html", form=form)


@bp.route("/account")
@login_required
def account():
    return render_template(
        "accounts/account.html",
        sessions=sessions.active_sessions(current_user),
        this_session=sessions.current_session(),
    )


@bp.route("/account/data")
@login_required
def personal_data():
    return render_template(
        "accounts/personal_data.html", download_form=ConfirmForm(), erase_form=EraseAccountForm()
    )


@bp.route("/account/data/download", methods=["POST"])
@login_required
def download_personal_data():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    content = personal_data_service.download_archive(current_user)
    return send_file(
        io.BytesIO(content),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"personal-data-{current_user.id}.zip",
    )


@bp.route("/account/erase", methods=["POST"])
@login_required
def erase_account():
    form = EraseAccountForm()
    if form.validate_on_submit():
        if current_user.check_password(form.current_password.data):
            return _erase(current_user._get_current_object())
        form.current_password.errors.append(_("This is not your password."))
    page = render_template(
        "accounts/personal_data.html", download_form=ConfirmForm(), erase_form=form
    )
    return page, 422


def _erase(user: User):
    try:
        personal_data_service.erase_account(user)
    except personal_data_service.ErasureRefused:
        flash(_("You are the only administrator: name another one first."), "error")
        return redirect(url_for("accounts.personal_data"), code=303)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Your account is erased. What you did stays on record, without your name."), "info")
    return redirect(url_for("public.home"), code=303)


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int):
    record = get_or_404(UserSession, session_id)
    if record.user_id != current_user.id:
        abort(404)  # another user's session does not exist for this one
    this_one = record.id == sessions.current_session().id
    sessions.end_session(record)
    record_event("user.session_ended", "user", current_user.id, actor=current_user)
    db.session.commit()
    if this_one:
        logout_user()
        session.clear()
        flash(_("You are signed out."), "info")
        return redirect(url_for("public.home"), code=303)
    flash(_("The session is ended: that device is signed out."), "success")
    return redirect(url_for("accounts.account"), code=303)


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    ended = sessions.end_sessions(current_user, keep=sessions.current_session())
    record_event("user.session_ended", "user", current_user.id, actor=current_user)
    db.session.commit()
    flash(
        ngettext("%(num)d other session was ended.", "%(num)d other sessions were ended.", ended),
        "success",
    )
    return redirect(url_for("accounts.account"), code=303)


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
    form = UserFilterForm(request.args)
    q, role = "", ""
    if form.validate():
        q, role = form.q.data or "", form.role.data or ""
    try:
        page, total = services.users_page(q, role, request.args.get("after"))
    except BadCursor:
        abort(400)
    return render_template(
        "accounts/admin_users.html",
        users=page.rows,
        page=page,
        total=total,
        form=form,
        filtered=bool(q or role),
        Role=Role,
    ), (422 if form.errors else 200)


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
