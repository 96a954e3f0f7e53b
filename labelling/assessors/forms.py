"""Forms of the accreditation register."""

from __future__ import annotations

from datetime import date

import pycountry
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Form,
    HiddenField,
    RadioField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from labelling.assessors.models import AccreditationRole, Relation
from labelling.core.forms import stripped
from labelling.organisations.forms import country_choices
from labelling.organisations.models import TECHNOLOGY_AREAS


def language_choices() -> list[SelectChoice]:
    languages = [lang for lang in pycountry.languages if hasattr(lang, "alpha_2")]
    return [
        SelectChoice(lang.alpha_2, lang.name) for lang in sorted(languages, key=lambda x: x.name)
    ]


class ProfileForm(FlaskForm):
    country_code = SelectField(_l("Country of work"), validators=[DataRequired()])
    languages = SelectMultipleField(
        _l("Languages the assessor works in"),
        validators=[DataRequired(message=_l("Choose at least one language."))],
        description=_l("Hold Ctrl (or Cmd) to choose several."),
        render_kw={"size": 8},
    )
    technology_areas = SelectMultipleField(
        _l("Technology areas of expertise"),
        validators=[Optional()],
        description=_l("Hold Ctrl (or Cmd) to choose several."),
        render_kw={"size": 8},
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country_code.choices = country_choices()
        self.languages.choices = language_choices()
        self.technology_areas.choices = [
            SelectChoice(key, label) for key, label in TECHNOLOGY_AREAS.items()
        ]


class NewProfileForm(ProfileForm):
    email = StringField(
        _l("E-mail address of the assessor's account"),
        validators=[DataRequired(), Email(), Length(max=254)],
        description=_l("The assessor registers an account first; you then add it here."),
    )


class AccreditationForm(FlaskForm):
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(role.value, role.label) for role in AccreditationRole],
        validators=[DataRequired()],
    )
    issued_on = DateField(_l("Issued on"), validators=[DataRequired()])
    expires_on = DateField(_l("Expires on"), validators=[DataRequired()])

    def validate_expires_on(self, field):
        if field.data and self.issued_on.data and field.data <= self.issued_on.data:
            raise ValidationError(_l("The expiry date must be after the issue date."))


class SuspensionForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the suspension"),
        validators=[DataRequired(message=_l("Please give the reason.")), Length(max=4000)],
    )


class DeclarationForm(FlaskForm):
    # The organisations a search found (100,000 in one list were 5 MB of options); a
    # posted id is checked against the database, not against the list shown.
    organisation_id = RadioField(
        _l("Organisation"),
        validators=[InputRequired(_l("Find the organisation, then choose it."))],
        coerce=int,
        validate_choice=False,
    )
    # The search that found them, to show them again with an error.
    q = HiddenField(validators=[Length(max=100)])
    relation = SelectField(
        _l("Your tie to it"),
        choices=[SelectChoice(r.value, r.label) for r in Relation],
        validators=[DataRequired()],
    )
    ended_on = DateField(
        _l("Ended on"),
        validators=[Optional()],
        description=_l("Leave empty if the tie continues."),
    )
    note = TextAreaField(_l("Details"), validators=[Optional(), Length(max=2000)])

    def __init__(self, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = [
            SelectChoice(o.id, f"{o.legal_name} ({o.city}, {o.country_code})")
            for o in organisations
        ]

    def validate_ended_on(self, field):
        if field.data and field.data > date.today():
            raise ValidationError(_l("The end date cannot be in the future."))


class FindOrganisationForm(Form):
    """The organisation a declaration is about, found by part of its name (a GET)."""

    q = SearchField(
        _l("Find the organisation"),
        validators=[Optional(), Length(min=2, max=100)],
        filters=[stripped],
        description=_l("Two letters or more of its name."),
    )
