"""Forms for starting and moving applications."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

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
