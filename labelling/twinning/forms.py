"""Forms of the twinning pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from labelling.core.languages import language_name
from labelling.twinning.rules import WORKING_LANGUAGES, CountryChoice

COUNTRY_CHOICES = {
    CountryChoice.PREFER_ABROAD: _l("Anywhere, partners in other countries first"),
    CountryChoice.ANYWHERE: _l("Anywhere, no preference"),
    CountryChoice.SAME_COUNTRY: _l("Only in our own country"),
}

ACTIVITY_KIND_LABELS = {
    "visit": _l("Study visit"),
    "staff_exchange": _l("Staff exchange"),
    "workshop": _l("Joint workshop"),
    "other": _l("Other activity"),
}


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of check boxes: readable and usable without a script."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(FlaskForm):
    is_active = BooleanField(
        _l("Take part in twinning"),
        description=_l(
            "Other organisations taking part see your name, country, technology area and the "
            "indicators you offer. None of your figures is ever shown."
        ),
    )
    wants = CheckboxesField(
        _l("What you want to improve"),
        validators=[Optional()],
        description=_l("Pre-selected: where your latest benchmarking is weak."),
    )
    offers = CheckboxesField(
        _l("What you offer"),
        validators=[Optional()],
        description=_l(
            "Only indicators you are strong on: the Gold threshold met or the top quartile of "
            "your peers."
        ),
    )
    languages = CheckboxesField(
        _l("Languages you work in"),
        description=_l("A partner must share at least one of them."),
    )
    country_choice = RadioField(
        _l("Where partners may be"),
        choices=[SelectChoice(key.value, label) for key, label in COUNTRY_CHOICES.items()],
        default=CountryChoice.PREFER_ABROAD.value,
        validators=[DataRequired()],
    )
    same_area_only = BooleanField(_l("Only partners in our technology area"))
    capacity = IntegerField(
        _l("Partnerships you can take at once"),
        default=2,
        validators=[DataRequired(), NumberRange(min=1, max=10)],
    )
    contact_id = SelectField(_l("Contact person for partners"), coerce=int)

    def __init__(self, *args, wants=(), offers=(), team=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.wants.choices = list(wants)
        self.offers.choices = list(offers)
        self.languages.choices = sorted(
            ((code, language_name(code)) for code in WORKING_LANGUAGES), key=lambda item: item[1]
        )
        self.contact_id.choices = list(team)

    def validate_languages(self, field):
        # Checked here, not by DataRequired: its flag would mark every box required.
        if not field.data:
            raise ValidationError(_l("Choose at least one language."))

    def validate_wants(self, field):
        if self.is_active.data and not field.data and not self.offers.data:
            raise ValidationError(_l("Choose at least one indicator to improve or to offer."))


class RequestForm(FlaskForm):
    message = TextAreaField(
        _l("Your message"),
        validators=[DataRequired(message=_l("Please write a message.")), Length(max=4000)],
        description=_l("What you would like to learn from them, and what you can share in turn."),
    )


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Told to the organisation that asked; never shown anywhere else."),
    )


class PlanForm(FlaskForm):
    targets = CheckboxesField(_l("Indicators the plan aims at"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=10000)])
    ends_on = DateField(_l("Planned end"), validators=[Optional()])

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.targets.choices = list(targets)


class ActivityForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(key, label) for key, label in ACTIVITY_KIND_LABELS.items()],
    )
    title = StringField(_l("What"), validators=[DataRequired(), Length(max=200)])
    starts_on = DateField(_l("From"), validators=[DataRequired()])
    # Its own id: the plan form on the same page has an ends_on too.
    ends_on = DateField(_l("To (optional)"), validators=[Optional()], id="activity-ends_on")

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end must not be before the start."))
