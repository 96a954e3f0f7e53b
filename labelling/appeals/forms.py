"""Forms of the appeal pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget


class LodgeAppealForm(FlaskForm):
    grounds = TextAreaField(
        _l("Grounds of the appeal"),
        validators=[DataRequired(message=_l("Please give the grounds.")), Length(max=10000)],
        description=_l(
            "Why the decision should be changed: facts the decision overlooked or got wrong, "
            "and what you ask for."
        ),
    )
    document = FileField(
        _l("Supporting document (optional)"),
        description=_l("PDF, Word (DOCX), Excel (XLSX), PNG or JPEG."),
    )


class PanelForm(FlaskForm):
    members = SelectMultipleField(
        _l("Members of the appeal panel"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        description=_l("At least two people who took no part in the assessment or the decision."),
    )


class AppealDecisionForm(FlaskForm):
    outcome = RadioField(
        _l("The panel's decision"),
        choices=[
            SelectChoice("uphold", _l("Reject the appeal: the decision stands")),
            SelectChoice("overturn", _l("Uphold the appeal: overturn the decision")),
        ],
        validators=[DataRequired(message=_l("Please choose the decision."))],
    )
    reasons = TextAreaField(
        _l("Reasons"),
        validators=[DataRequired(message=_l("Please give the reasons.")), Length(max=10000)],
        description=_l("The organisation reads them; they stay in the record."),
    )
