"""Forms of the complaint pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length


class ComplaintForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("Your e-mail address"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        description=_l("We send a link to confirm it: only confirmed complaints are read."),
    )
    text = TextAreaField(
        _l("Your complaint"),
        validators=[DataRequired(), Length(min=20, max=10000)],
        description=_l(
            "What the organisation did or failed to do that a label holder should not, with "
            "dates and facts. The labelling body handles it in confidence."
        ),
    )


class OutcomeForm(FlaskForm):
    outcome = TextAreaField(
        _l("Outcome"),
        validators=[DataRequired(message=_l("Please give the outcome.")), Length(max=10000)],
        description=_l("The complainant is told this."),
    )
