"""Forms for starting and moving applications."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from labelling.assessments.models import Kind


class StartApplicationForm(FlaskForm):
    level = RadioField(_l("Label level"), validators=[DataRequired()])
    kind = RadioField(
        _l("Is this a first label or a renewal?"),
        choices=[SelectChoice(kind.value, kind.label) for kind in Kind],
        default=Kind.NEW.value,
        validators=[DataRequired()],
    )

    def __init__(self, framework, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = [
            SelectChoice(level.id, f"{level.name}: {level.tagline}") for level in framework.levels
        ]


class TransitionForm(FlaskForm):
    comment = TextAreaField(
        _l("Reason or comment"),
        validators=[Optional(), Length(max=4000)],
        description=_l("Kept in the application's history."),
    )


class SubmitForm(FlaskForm):
    full_name = StringField(_l("Your full name"), validators=[DataRequired(), Length(max=200)])
    role = StringField(
        _l("Your role in the organisation"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("For example: cluster manager, managing director."),
    )
    declaration = BooleanField(
        _l(
            "I declare that the answers and documents in this application are true and complete "
            "to the best of my knowledge, and that I may make this declaration for the "
            "organisation."
        ),
        validators=[DataRequired(message=_l("Please confirm the declaration."))],
    )
