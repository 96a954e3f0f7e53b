"""Account forms."""

from flask import current_app
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    PasswordField,
    SearchField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from labelling.accounts.models import Role
from labelling.accounts.passwords import judge_password
from labelling.accounts.two_factor import remember_days
from labelling.core.forms import stripped


def _strong_enough(form, field):
    """The server's verdict on a new password, kept on the field for the strength meter.
    The account it is for is the form's `owner` (a signed-in user, a reset link's), or the
    name and address typed beside it at sign-up."""
    owner = getattr(form, "owner", None)
    config = current_app.config
    field.verdict = judge_password(
        field.data or "",
        name=owner.full_name if owner else _typed(form, "full_name"),
        email=owner.email if owner else _typed(form, "email"),
        min_length=config["PASSWORD_MIN_LENGTH"],
        min_score=config["PASSWORD_MIN_SCORE"],
    )
    if not field.verdict.is_acceptable:
        raise ValidationError(" ".join(field.verdict.problems))


def _typed(form, name: str) -> str:
    return form[name].data or "" if name in form else ""


def _password_help() -> str:
    return _(
        "At least %(n)s characters, hard to guess: a passphrase of four or more words is "
        "best. Common passwords, keyboard patterns and your own name are refused.",
        n=current_app.config["PASSWORD_MIN_LENGTH"],
    )


def new_password_field(label):
    return PasswordField(
        label,
        validators=[DataRequired(), Length(max=200), _strong_enough],
        description=LazyString(_password_help),
        render_kw={"autocomplete": "new-password"},
    )


def confirm_field():
    return PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


def email_field():
    return EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class RegisterForm(FlaskForm):
    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    email = email_field()
    password = new_password_field(_l("Password"))
    confirm = confirm_field()


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password = new_password_field(_l("New password"))
    confirm = confirm_field()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    password = new_password_field(_l("New password"))
    confirm = confirm_field()


class EraseAccountForm(FlaskForm):
    current_password = PasswordField(
        _l("Your password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l("I understand that my account is erased for good"), validators=[DataRequired()]
    )


class RolesForm(FlaskForm):
    """Administrators grant and withdraw roles; the fields are added per role at runtime."""


def code_field(label=None):
    return StringField(
        label or _l("Code"),
        validators=[DataRequired(), Length(max=20)],
        description=_l(
            "The 6 digits your authenticator app shows now, or one of your recovery codes."
        ),
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
    )


class SecondFactorForm(FlaskForm):
    code = code_field()
    remember_device = BooleanField(
        LazyString(
            lambda: _(
                "Do not ask again on this device for %(days)s days",
                days=remember_days(),
            )
        ),
        description=_l("Only on a device that you alone use."),
    )


class EnrolForm(FlaskForm):
    code = StringField(
        _l("Code from the app"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ConfirmWithCodeForm(FlaskForm):
    """An account change that a second factor must confirm."""

    code = code_field()


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("Any role"))] + [
        SelectChoice(role.value, role.label) for role in Role
    ]


class UserFilterForm(Form):
    """The administrators' list of accounts, narrowed: read from the address (a GET,
    which changes nothing, so no CSRF token)."""

    q = SearchField(
        _l("Name or e-mail"), validators=[Optional(), Length(max=100)], filters=[stripped]
    )
    role = SelectField(_l("Role"), choices=_role_choices, validators=[Optional()])
