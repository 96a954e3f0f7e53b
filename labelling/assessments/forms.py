"""Forms for starting and moving applications, and for assessing and deciding them."""

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    Form,
    HiddenField,
    RadioField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from labelling.assessments.models import Kind
from labelling.core.forms import stripped
from labelling.core.numbers import sane_number
from labelling.organisations.forms import any_country_choices


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


class EvidenceForm(FlaskForm):
    question_id = SelectField(_l("The answer it supports"), validators=[DataRequired()])
    document = FileField(
        _l("Document"),
        description=_l("PDF, Word (DOCX), Excel (XLSX), PNG or JPEG, at most %(mb)s MB."),
    )
    url = URLField(
        _l("Or a link"),
        validators=[
            Optional(),
            URL(require_tld=True, message=_l("Enter a full web address.")),
            Length(max=500),
        ],
        description=_l("For example a page on your website that shows the evidence."),
    )
    description = StringField(_l("What it shows"), validators=[Optional(), Length(max=300)])

    def __init__(self, questions, max_mb: int, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.question_id.choices = [SelectChoice(q.id, q.label) for q in questions]
        self.document.description = self.document.description % {"mb": max_mb}

    def validate(self, extra_validators=None) -> bool:
        # Checked on the whole form: Optional() on the link stops its own validators early.
        is_valid = super().validate(extra_validators)
        has_file = bool(self.document.data and getattr(self.document.data, "filename", ""))
        if has_file and self.url.data:
            self.url.errors.append(_l("Give either a document or a link, not both."))
            return False
        if not has_file and not self.url.data:
            self.document.errors.append(_l("Choose a document or give a link."))
            return False
        return is_valid

    def validate_url(self, field):
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(_l("Enter a full web address starting with https://"))


def has_errors(form) -> bool:
    # Errors added after validate() live on the fields, not in the cached form.errors.
    return any(form[name].errors for name in form._fields)


def field_key(code: str) -> str:
    return code.replace(".", "_")


def not_applicable_form(framework, claims: dict[str, str]):
    """One checkbox and one justification per indicator the framework lets managers waive."""

    class Form(FlaskForm):
        pass

    data = {}
    for indicator in framework.indicators:
        if not indicator.allows_not_applicable:
            continue
        key = field_key(indicator.code)
        setattr(Form, f"na_{key}", BooleanField(_l("Not applicable to our cluster")))
        setattr(
            Form,
            f"why_{key}",
            TextAreaField(_l("Why it does not apply"), validators=[Length(max=2000)]),
        )
        data[f"na_{key}"] = indicator.code in claims
        data[f"why_{key}"] = claims.get(indicator.code, "")
    return Form(data=data)


def improvement_form(framework, count: int, areas):
    class Form(FlaskForm):
        pass

    choices = [SelectChoice(i.code, f"{i.code} {i.name}") for i in framework.indicators]
    data = {}
    for n in range(1, count + 1):
        setattr(Form, f"area{n}_title", StringField(_l("Title"), validators=[Length(max=200)]))
        setattr(
            Form,
            f"area{n}_indicators",
            SelectMultipleField(
                _l("Quality indicators concerned"),
                choices=choices,
                description=_l("Hold Ctrl (or Cmd) to choose several."),
            ),
        )
        setattr(
            Form,
            f"area{n}_improvement",
            TextAreaField(_l("What was improved"), validators=[Length(max=4000)]),
        )
        setattr(
            Form,
            f"area{n}_effect",
            TextAreaField(
                _l("The effect of the improvement, with evidence"), validators=[Length(max=4000)]
            ),
        )
    for n, area in enumerate(areas, start=1):
        data |= {
            f"area{n}_title": area.title,
            f"area{n}_indicators": area.indicator_codes,
            f"area{n}_improvement": area.improvement,
            f"area{n}_effect": area.effect,
        }
    return Form(data=data)


def documented_areas(form, count: int) -> list[dict]:
    """The areas the form documents; a started but incomplete area gets errors by its fields."""
    areas = []
    for n in range(1, count + 1):
        names = {
            part: f"area{n}_{part}" for part in ("title", "indicators", "improvement", "effect")
        }
        values = {part: form[name].data for part, name in names.items()}
        if not any(values.values()):
            continue
        for part, name in names.items():
            if not values[part] or (isinstance(values[part], str) and not values[part].strip()):
                form[name].errors.append(_("Please fill this in, or leave the whole area empty."))
        areas.append(
            {
                "title": (values["title"] or "").strip(),
                "indicator_codes": list(values["indicators"] or []),
                "improvement": (values["improvement"] or "").strip(),
                "effect": (values["effect"] or "").strip(),
            }
        )
    return areas


# --- the secretariat and the assessors ------------------------------------------------------


# Who reads a reason, by the form's prefix: the help under the box says so.
REASON_READERS = {
    "return": _l("The applicant sees it, and it stays in the history."),
    "refuse": _l("The applicant sees it, and it stays in the history."),
    "send_back": _l("The lead assessor sees it, and it stays in the history."),
    "decline": _l("The secretariat sees it, and it stays in the history."),
}


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Please give the reason.")), Length(max=4000)],
        description=_l("It stays in the history."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        readers = REASON_READERS.get(kwargs.get("prefix", ""))
        if readers:
            self.reason.description = readers


class RemovalForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for taking the assessor off"),
        validators=[DataRequired(message=_l("Please give the reason.")), Length(max=4000)],
        description=_l("Kept in the application's history, which the applicant sees."),
    )


class AssignForm(FlaskForm):
    assessor_id = HiddenField(validators=[DataRequired()])


class AcceptAssignmentForm(FlaskForm):
    declaration = BooleanField(
        _l(
            "I declare that I have no conflict of interest with this organisation: in the "
            "last years I have not worked for it, advised it or been a member of it, and "
            "nothing else stops me from assessing it impartially."
        ),
        validators=[DataRequired(message=_l("Please confirm the declaration, or decline."))],
    )


STATUS_CHOICES = (
    SelectChoice("", _l("As the threshold says")),
    SelectChoice("met", _l("Met")),
    SelectChoice("not_met", _l("Not met")),
    SelectChoice("not_applicable", _l("Not applicable")),
)


def _stripped(value):
    # A choice posted as blanks is no choice: Optional() lets it through the choice check,
    # and it must not be stored as a verdict (it broke every page showing it).
    return value.strip() if isinstance(value, str) else value


def rating_form(indicator, rating=None, formdata=None, prefix=""):
    """The assessor's form for one indicator: a rubric band or a verified number, a verdict
    and a comment. `row_version` carries the version the page showed (optimistic lock).

    With a `prefix` the form is one of several on an area page: the page's own form holds
    the CSRF token, and a "confirm" box takes the applicant's value as verified."""

    class Form(FlaskForm):
        status = RadioField(
            _l("Verdict"),
            choices=[
                c
                for c in STATUS_CHOICES
                if c.value != "not_applicable" or indicator.allows_not_applicable
            ],
            default="",
            validators=[Optional()],
            filters=[_stripped],
        )
        comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])
        row_version = HiddenField()

    if indicator.is_rubric:
        Form.verified_value = RadioField(
            _l("Verified band"),
            choices=[SelectChoice("", _l("Not rated yet"))]
            + [SelectChoice(str(b.band), f"{b.band}: {b.descriptor}") for b in indicator.rubric],
            default="",
            validators=[Optional()],
            filters=[_stripped],
        )
    else:
        Form.verified_value = DecimalField(
            _l("Verified value"),
            validators=[Optional(), sane_number],
            description=_l("Leave empty to keep the applicant's value."),
        )
    if prefix:
        Form.confirm = BooleanField(_l("The evidence supports the applicant's value"))
    data = {}
    if rating is not None:
        value = rating.verified_value
        data = {
            "verified_value": (str(value) if value is not None else "")
            if indicator.is_rubric
            else value,
            "status": rating.status or "",
            "comment": rating.comment or "",
            "row_version": rating.row_version,
        }
    options = {"prefix": prefix, "meta": {"csrf": False}} if prefix else {}
    if formdata is not None:
        return Form(formdata=formdata, data=data, **options)
    return Form(data=data, **options)


def posted_version(field) -> int | None:
    """The row version the page showed, as posted; None when the post left it out or sent
    something else (the saved row's own version never stands in for it)."""
    raw = field.raw_data[0] if field.raw_data else ""
    return int(raw) if re.fullmatch(r"[0-9]{1,12}", raw.strip()) else None


def rating_value(form, indicator):
    """The verified value from a valid rating form, as stored (a band int or a number)."""
    raw = form.verified_value.data
    if raw is None or not str(raw).strip():  # a blank band ("" or " ") is no rating
        return None
    if indicator.is_rubric:
        return int(raw)
    number = float(raw)
    return int(number) if number.is_integer() else number


class QuestionForm(FlaskForm):
    question = TextAreaField(
        _l("Question to the applicant"),
        validators=[DataRequired(message=_l("Please write the question.")), Length(max=4000)],
        description=_l(
            "Re-opens the answers behind this indicator for the applicant, with a deadline."
        ),
    )


class RecommendationForm(FlaskForm):
    level = RadioField(_l("Recommended level"), validators=[InputRequired()])
    assessment_date = DateField(
        _l("Date of the assessment (interview or audit)"), validators=[DataRequired()]
    )
    strengths = TextAreaField(_l("Strengths"), validators=[DataRequired(), Length(max=8000)])
    improvements = TextAreaField(
        _l("Areas for improvement"), validators=[DataRequired(), Length(max=8000)]
    )

    def __init__(self, levels, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = [SelectChoice(level.id, level.name) for level in levels] + [
            SelectChoice(NO_LABEL, _l("No label"))
        ]

    def validate_assessment_date(self, field):
        if field.data and field.data > date.today():
            raise ValidationError(_l("The assessment date cannot be in the future."))


NO_LABEL = "none"


class AwardForm(FlaskForm):
    level = RadioField(_l("Level awarded"), validators=[DataRequired()])
    assessment_date = DateField(
        _l("Assessment date"),
        validators=[DataRequired()],
        description=_l("The label's validity counts from the month of the assessment."),
    )
    reason = TextAreaField(
        _l("Comment"),
        validators=[Optional(), Length(max=4000)],
        description=_l("Required when the level differs from the recommendation."),
    )

    def __init__(self, levels, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = [SelectChoice(level.id, level.name) for level in levels]

    def validate_assessment_date(self, field):
        if field.data and field.data > date.today():
            raise ValidationError(_l("The assessment date cannot be in the future."))


class QueueFilterForm(Form):
    """A secretariat queue, narrowed: read from the address (a GET, which changes
    nothing, so no CSRF token); the view sets the levels."""

    q = SearchField(
        _l("Organisation or application number"),
        validators=[Optional(), Length(max=100)],
        filters=[stripped],
    )
    level = SelectField(_l("Level"), choices=[], validators=[Optional()])
    country = SelectField(_l("Country"), choices=any_country_choices, validators=[Optional()])
    body = SelectField(_l("Labelling body"), choices=[], validators=[Optional()])  # the view's
