"""Forms of the calibration pages. Ratings use the scoring pages' own form, so that practice
looks and behaves like the real thing."""

from __future__ import annotations

from types import SimpleNamespace

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from labelling.assessments.forms import rating_form


class NewCaseForm(FlaskForm):
    application_id = SelectField(
        _l("Decided application to anonymise"),
        validators=[DataRequired(message=_l("Please choose an application."))],
        description=_l(
            "The case keeps its answers and final ratings, never the cluster's name, "
            "country or evidence files."
        ),
    )
    title = StringField(
        _l("Title assessors see"),
        validators=[DataRequired(message=_l("Please give a title.")), Length(max=200)],
        description=_l(
            "Nothing that names the cluster, e.g. \u201cA young regional cluster\u201d."
        ),
    )
    keep_free_text = BooleanField(_l("Keep free-text answers: I checked that they name no one"))

    def __init__(self, applications, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.application_id.choices = [("", _l("Choose\u2026"))] + [
            (str(a.id), f"#{a.id} {a.organisation.display_name} ({a.level})") for a in applications
        ]


class InventCaseForm(FlaskForm):
    title = StringField(
        _l("Title assessors see"),
        validators=[DataRequired(message=_l("Please give a title.")), Length(max=200)],
    )
    level = SelectField(_l("Level the case applies for"), validators=[DataRequired()])

    def __init__(self, levels, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = [(level.id, level.name) for level in levels]


class DescribeCaseForm(FlaskForm):
    title = StringField(
        _l("Title assessors see"),
        validators=[DataRequired(message=_l("Please give a title.")), Length(max=200)],
    )
    summary = TextAreaField(
        _l("What assessors should know of the case"),
        validators=[Optional(), Length(max=4000)],
    )


def stored_as_form_data(stored: dict | None) -> SimpleNamespace | None:
    """A rating kept as JSON, shaped like the score row the scoring form is filled from."""
    if not stored:
        return None
    return SimpleNamespace(
        verified_value=stored.get("verified_value"),
        status=stored.get("status"),
        comment=stored.get("comment", stored.get("explanation", "")),
        row_version="",
    )


def practice_form(indicator, stored: dict | None, formdata=None):
    return rating_form(indicator, stored_as_form_data(stored), formdata, f"{indicator.code}-")


def reference_form(indicator, stored: dict | None, formdata=None):
    """The scoring form with its comment as the explanation assessors read afterwards."""
    form = rating_form(indicator, stored_as_form_data(stored), formdata, f"{indicator.code}-")
    form.comment.label.text = _l("Explanation")
    form.comment.description = _l("Why this is the right rating: assessors read it after.")
    return form
