"""Forms for starting and moving applications."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
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
