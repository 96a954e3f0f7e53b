"""The questionnaire engine: WTForms built from a framework's sections, values in and out.

Drafts may be incomplete, so no question is enforced as required here: completeness is
counted (progress) and checked at submission. Each valid answer is saved even when another
field of the same page has an error, so nothing typed correctly is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from labelling.core.numbers import is_sane, sane_number
from labelling.criteria.framework import Framework, Question, Section
from labelling.criteria.scoring import is_visible

NUMERIC = ("integer", "number", "percentage")


def _not_in_future(form, field):
    if field.data is not None and field.data > date.today():
        raise ValidationError(_l("This date cannot be in the future."))


def _year_not_in_future(form, field):
    if field.data is not None and field.data > date.today().year:
        raise ValidationError(_l("This year cannot be in the future."))


def _bound(value: float | None) -> float | int | None:
    # Whole bounds read "between 0 and 100", not "between 0.0 and 100.0".
    return int(value) if value is not None and float(value).is_integer() else value


def _range(question: Question) -> NumberRange:
    maximum = question.max
    if question.type == "percentage" and maximum is None:
        maximum = 100  # a share can never exceed all of it
    return NumberRange(min=_bound(question.min), max=_bound(maximum))


def field_for(question: Question):
    """The WTForms field that asks `question`."""
    description = question.help + (f" ({question.unit})" if question.unit else "")
    common = {"label": question.label, "description": description.strip()}
    if question.type == "integer":
        validators = [Optional(), sane_number, _range(question)]
        if question.not_in_future:
            validators.append(_year_not_in_future)
        return IntegerField(validators=validators, render_kw={"inputmode": "numeric"}, **common)
    if question.type in ("number", "percentage"):
        return DecimalField(
            validators=[Optional(), sane_number, _range(question)],
            render_kw={"inputmode": "decimal"},
            **common,
        )
    if question.type == "yes_no":
        choices = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]
        return RadioField(choices=choices, validators=[Optional()], **common)
    if question.type == "choice":
        choices = [SelectChoice(c.value, c.label) for c in question.choices]
        return RadioField(choices=choices, validators=[Optional()], **common)
    if question.type == "rating":
        choices = [SelectChoice(str(b.band), f"{b.band}: {b.descriptor}") for b in question.rubric]
        return RadioField(choices=choices, validators=[Optional()], **common)
    if question.type == "date":
        validators = [Optional()] + ([_not_in_future] if question.not_in_future else [])
        return DateField(validators=validators, **common)
    return TextAreaField(
        validators=[Optional(), Length(max=question.max_length or 10000)], **common
    )


def asked_questions(section: Section) -> list[Question]:
    # Documents are attached as evidence, not typed into the form.
    return [q for q in section.questions if q.type != "document"]


def section_form_class(section: Section) -> type[FlaskForm]:
    fields = {q.id: field_for(q) for q in asked_questions(section)}
    return type(f"SectionForm_{section.id}", (FlaskForm,), fields)


def to_form_data(question: Question, value: Any) -> Any:
    """A stored value as its field expects it."""
    if value is None:
        return None
    if question.type == "yes_no":
        return "yes" if value else "no"
    if question.type == "rating":
        return str(value)
    if question.type == "date":
        return date.fromisoformat(value) if isinstance(value, str) else value
    if question.type in ("number", "percentage"):
        # A value no form accepts any more (stored before the bound) shows as empty, to
        # be typed again, rather than keeping the page from opening.
        return Decimal(str(value)) if is_sane(value) else None
    return value


def to_storage(question: Question, data: Any) -> Any:
    """A field's data as stored (JSON-friendly); blank input becomes None."""
    if data is None or data == "":
        return None
    if question.type == "yes_no":
        return data == "yes"
    if question.type == "rating":
        return int(data)
    if question.type == "date":
        return data.isoformat()
    if question.type in ("number", "percentage"):
        return float(data)
    if question.type == "text":
        return data.strip() or None
    return data


def check_limits(
    framework: Framework, form: FlaskForm, section: Section, values: dict[str, Any]
) -> None:
    """Cross-question limits (`not_above`), against all answers including this page's."""
    for question in asked_questions(section):
        field = form[question.id]
        limit_id = question.not_above
        if not limit_id or field.errors or field.data is None:
            continue
        limit = values.get(limit_id)
        if limit is not None and float(field.data) > float(limit):
            limit_label = _label_of(framework, limit_id)
            field.errors.append(
                _l(
                    "This cannot be more than %(label)s (%(limit)s).",
                    label=limit_label,
                    limit=_plain_number(limit),
                )
            )


def _label_of(framework: Framework, value_id: str) -> str:
    for question in framework.questions:
        if question.id == value_id:
            return question.label
    for item in framework.derived:
        if item.id == value_id:
            return item.label
    return value_id


def _plain_number(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


@dataclass(frozen=True)
class Progress:
    answered: int
    required: int

    @property
    def percent(self) -> int:
        return 100 if not self.required else round(100 * self.answered / self.required)

    @property
    def is_complete(self) -> bool:
        return self.answered >= self.required


def section_progress(section: Section, answers: dict[str, Any]) -> Progress:
    required = [q for q in section.questions if q.required and is_visible(q, answers)]
    answered = [q for q in required if answers.get(q.id) not in (None, "")]
    return Progress(len(answered), len(required))


def unanswered_by_section(framework: Framework, missing: tuple[str, ...]) -> list[tuple]:
    """(section, its unanswered required questions) for each section that has some, in
    the questionnaire's order: the submission page names them (issue 28)."""
    missing_ids = set(missing)
    found = []
    for section in framework.sections:
        questions = [q for q in section.questions if q.id in missing_ids]
        if questions:
            found.append((section, questions))
    return found


def overall_progress(framework: Framework, answers: dict[str, Any]) -> Progress:
    parts = [section_progress(s, answers) for s in framework.sections]
    return Progress(sum(p.answered for p in parts), sum(p.required for p in parts))
