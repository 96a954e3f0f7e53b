"""The public verification forms: look a certificate up, or check a PDF copy of one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SearchField,
    SelectField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from labelling.certificates.models import LabelStatus
from labelling.core.forms import stripped
from labelling.organisations.forms import any_country_choices
from labelling.organisations.models import TECHNOLOGY_AREAS
from labelling.organisations.technology_areas import LONGEST_NAME

# A certificate PDF is about 100 KB; anything far larger is not one of ours.
MAX_CERTIFICATE_BYTES = 5 * 1024 * 1024


class CheckPdfForm(FlaskForm):
    document = FileField(
        _l("Certificate PDF"),
        validators=[FileRequired(_l("Choose the PDF file to check."))],
        description=_l("The PDF as you received it, at most 5 MB. It is checked, not kept."),
    )
    expected_number = HiddenField()

    def read_pdf(self) -> bytes | None:
        """The upload's bytes if it is a PDF of a plausible size; else an error on the field."""
        content = self.document.data.read(MAX_CERTIFICATE_BYTES + 1)
        if len(content) > MAX_CERTIFICATE_BYTES:
            self.document.errors.append(str(_l("The file is larger than 5 MB.")))
            return None
        if not content.startswith(b"%PDF-"):
            self.document.errors.append(str(_l("This file is not a PDF.")))
            return None
        return content


class RegisterImportForm(FlaskForm):
    register = FileField(
        _l("The register (CSV or XLSX)"),
        validators=[FileRequired(_l("Choose the register's file."))],
        description=_l(
            "Columns: organisation, country, technology area, website, level, valid until; "
            "optionally certificate number, assessment date, city, e-mail of a contact. "
            "Nothing is recorded before you confirm."
        ),
    )

    columns = TextAreaField(
        _l("Columns named otherwise (optional)"),
        validators=[Optional(), Length(max=2000)],
        description=_l(
            'One per line: the file\'s header = the column, e.g. "Label expiry = valid until".'
        ),
    )


class ConfirmRegisterImportForm(FlaskForm):
    upload = HiddenField()
    columns = HiddenField()  # the column mapping the file was checked with


def _area_choices() -> list[tuple[str, str]]:
    return [("", _l("Leave it unknown")), *TECHNOLOGY_AREAS.items()]


class MapAreaForm(Form):
    """One name the register writes for a technology area, and the area it means."""

    written = HiddenField(validators=[Length(max=LONGEST_NAME)])
    area = SelectField(_l("Technology area"), choices=_area_choices, validators=[Optional()])


class MapTechnologyAreasForm(ConfirmRegisterImportForm):
    """The report's unknown technology areas, each mapped once and remembered."""

    areas = FieldList(FormField(MapAreaForm), max_entries=200)


def _status_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("Any status"))] + [
        SelectChoice(status.value, status.label) for status in LabelStatus
    ]


class LabelFilterForm(Form):
    """The staff's list of labels, narrowed: read from the address (a GET, which changes
    nothing, so no CSRF token), every field optional."""

    q = SearchField(
        _l("Organisation or certificate number"),
        validators=[Optional(), Length(max=100)],
        filters=[stripped],
    )
    status = SelectField(_l("Status"), choices=_status_choices, validators=[Optional()])
    level = SelectField(_l("Level"), choices=[], validators=[Optional()])  # the view's levels
    country = SelectField(_l("Country"), choices=any_country_choices, validators=[Optional()])
    body = SelectField(_l("Labelling body"), choices=[], validators=[Optional()])  # the view's
    expiring_within = IntegerField(
        _l("Ends within (days)"),
        validators=[Optional(), NumberRange(min=1, max=3650)],
        description=_l("Valid labels whose validity ends within this many days."),
    )
