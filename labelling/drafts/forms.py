"""Forms of the consultation on a draft: opening it, commenting, and responding."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


class OpenConsultationForm(FlaskForm):
    closes_on = DateField(
        _l("Comments accepted until"),
        validators=[DataRequired(message=_l("Please give the last day for comments."))],
    )

    def validate_closes_on(self, field):
        if field.data < date.today():
            raise ValidationError(_l("The last day for comments cannot be in the past."))


class CommentForm(FlaskForm):
    indicator_code = SelectField(_l("Your comment is on"), validators=[Optional()])
    text = TextAreaField(
        _l("Your comment"),
        validators=[DataRequired(message=_l("Please write your comment.")), Length(max=4000)],
        description=_l("Published only as counted in the report, never with your name."),
    )
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("Your e-mail address"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        description=_l(
            "We send a link to confirm it: the comment counts once confirmed, and the "
            "response reaches you there."
        ),
    )

    def __init__(self, framework, signed_in: bool, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator_code.choices = [("", _l("The draft as a whole"))] + [
            (i.code, f"{i.code} {i.name}") for i in framework.indicators
        ]
        if signed_in:  # the account gives both
            del self.name
            del self.email


class ResponseForm(FlaskForm):
    indicator_code = HiddenField()
    comment_ids = SelectMultipleField(
        _l("Comments answered"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[DataRequired(message=_l("Please tick the comments this answers."))],
    )
    text = TextAreaField(
        _l("Response"),
        validators=[DataRequired(message=_l("Please write the response.")), Length(max=4000)],
    )
    changed = TextAreaField(
        _l("What changed in the draft because of them"),
        validators=[Optional(), Length(max=4000)],
        description=_l("Leave empty if nothing changed."),
    )
