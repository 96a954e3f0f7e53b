"""Marshmallow schemas that validate a framework file's structure (see FORMAT.md)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from labelling.criteria.framework import (
    ANSWER_TYPES,
    COMPARATORS,
    DERIVED_OPS,
    PREFILL_SOURCES,
    QUESTION_TYPES,
)

CODE = validate.Regexp(
    r"^[0-9]+(\.[0-9]+)*$", error="Codes are numbers joined by dots, e.g. 1.1.2."
)
IDENT = validate.Regexp(r"^[a-z][a-z0-9_]*$", error="Use lower-case letters, digits and _.")


def _scalar(value):
    if isinstance(value, dict | list):
        raise ValidationError("Expected a single value (number, true/false or text).")


class ConditionSchema(Schema):
    measure = fields.Str(validate=IDENT)
    comparator = fields.Str(required=True, validate=validate.OneOf(COMPARATORS))
    value = fields.Raw(required=True, validate=_scalar)


class ThresholdSchema(Schema):
    """Either one condition (comparator, value, optional measure) or all_of: [conditions]."""

    measure = fields.Str(validate=IDENT)
    comparator = fields.Str(validate=validate.OneOf(COMPARATORS))
    value = fields.Raw(validate=_scalar)
    all_of = fields.List(fields.Nested(ConditionSchema), validate=validate.Length(min=1))

    @validates_schema
    def one_form(self, data, **kwargs):
        if "all_of" in data:
            if {"comparator", "value", "measure"} & data.keys():
                raise ValidationError("Give either all_of or a single comparator and value.")
        elif "comparator" not in data or "value" not in data:
            raise ValidationError("A threshold needs a comparator and a value (or all_of).")


class RubricBandSchema(Schema):
    band = fields.Int(required=True, validate=validate.Range(0, 4))
    descriptor = fields.Str(required=True, validate=validate.Length(min=1))


class FrameworkHeaderSchema(Schema):
    id = fields.Str(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]*$"))
    version = fields.Str(required=True, validate=validate.Length(min=1, max=20))
    status = fields.Str(required=True, validate=validate.OneOf(("draft", "active", "retired")))
    title = fields.Str(required=True)
    # How people name it in a sentence ("ECEI criteria 2013"); the title when absent.
    short_title = fields.Str(load_default=None, validate=validate.Length(min=1, max=60))
    issuer = fields.Str(required=True)
    source = fields.Str(load_default="")
    # When the version was published and, once replaced, retired (shown on /criteria).
    published_on = fields.Date(load_default=None)
    retired_on = fields.Date(load_default=None)


class ScoringSchema(Schema):
    max_points = fields.Int(required=True, validate=validate.Range(min=1))
    threshold_met_points = fields.Int(required=True, validate=validate.Range(min=0))
    baseline_met_points = fields.Int(required=True, validate=validate.Range(min=0))
    not_met_points = fields.Int(required=True, validate=validate.Range(min=0))

    @validates_schema
    def ordered(self, data, **kwargs):
        points = [
            data.get(k)
            for k in ("not_met_points", "baseline_met_points", "threshold_met_points", "max_points")
        ]
        if None not in points and points != sorted(points):
            raise ValidationError(
                "Points must not decrease: not_met <= baseline_met <= threshold_met <= max."
            )


class AssessorsSchema(Schema):
    count = fields.Int(required=True, validate=validate.Range(1, 5))
    role = fields.Str(required=True, validate=validate.OneOf(("benchmarking_expert", "auditor")))
    same_country = fields.Int(load_default=0, validate=validate.Range(min=0))
    other_country = fields.Int(load_default=0, validate=validate.Range(min=0))

    @validates_schema
    def fits(self, data, **kwargs):
        if data.get("same_country", 0) + data.get("other_country", 0) > data.get("count", 0):
            raise ValidationError("same_country + other_country exceed the number of assessors.")


class PreviousLabelSchema(Schema):
    min_level = fields.Str(required=True, validate=IDENT)  # this level or a higher one
    min_age_months = fields.Int(required=True, validate=validate.Range(min=0))
    max_age_months = fields.Int(required=True, validate=validate.Range(min=0))


class LevelRulesSchema(Schema):
    eligibility = fields.Bool(load_default=True)
    questionnaire_complete = fields.Bool(load_default=True)
    all_baseline_minimums = fields.Bool(load_default=False)
    min_score_percent = fields.Float(validate=validate.Range(0, 100))
    improvement_areas = fields.Int(load_default=0, validate=validate.Range(min=0))
    previous_label = fields.Nested(PreviousLabelSchema)


class LevelSchema(Schema):
    id = fields.Str(required=True, validate=validate.OneOf(("bronze", "silver", "gold")))
    rank = fields.Int(required=True, validate=validate.Range(min=1))
    name = fields.Str(required=True)
    tagline = fields.Str(required=True)
    validity_months = fields.Int(required=True, validate=validate.Range(1, 120))
    renewal_window_months = fields.Int(required=True, validate=validate.Range(0, 60))
    renewal_extension_months = fields.Int(required=True, validate=validate.Range(1, 120))
    assessors = fields.Nested(AssessorsSchema, required=True)
    fees_eur = fields.Dict(keys=fields.Str(), values=fields.Float(), load_default=dict)
    rules = fields.Nested(LevelRulesSchema, required=True)


class EligibilityRuleSchema(Schema):
    id = fields.Str(required=True, validate=IDENT)
    label = fields.Str(required=True)
    condition = fields.Nested(ConditionSchema, required=True)


class AreaSchema(Schema):
    code = fields.Str(required=True, validate=CODE)
    name = fields.Str(required=True)


class IndicatorSchema(Schema):
    code = fields.Str(required=True, validate=CODE)
    area = fields.Str(required=True, validate=CODE)
    name = fields.Str(required=True, validate=validate.Length(min=1))
    help = fields.Str(load_default="")
    answer_type = fields.Str(required=True, validate=validate.OneOf(ANSWER_TYPES))
    unit = fields.Str(load_default="")
    measure = fields.Str(required=True, validate=IDENT)
    provisional = fields.Bool(load_default=False)
    silver_audited = fields.Bool(load_default=False)
    allows_not_applicable = fields.Bool(load_default=False)
    rubric = fields.Raw()  # the name of a shared rubric, or a list of bands
    gold_threshold = fields.Nested(ThresholdSchema, required=True)
    baseline_minimum = fields.Nested(ThresholdSchema)


class ChoiceSchema(Schema):
    value = fields.Str(required=True)
    label = fields.Str(required=True)


class ShowIfSchema(Schema):
    question = fields.Str(required=True, validate=IDENT)
    equals = fields.Raw(required=True, validate=_scalar)


class QuestionSchema(Schema):
    id = fields.Str(required=True, validate=IDENT)
    label = fields.Str(required=True)
    type = fields.Str(required=True, validate=validate.OneOf(QUESTION_TYPES))
    help = fields.Str(load_default="")
    unit = fields.Str(load_default="")
    required = fields.Bool(load_default=False)
    min = fields.Float()
    max = fields.Float()
    max_length = fields.Int(validate=validate.Range(min=1))
    not_above = fields.Str(validate=IDENT)
    not_in_future = fields.Bool(load_default=False)
    choices = fields.List(fields.Nested(ChoiceSchema))
    rubric = fields.Str(validate=IDENT)
    show_if = fields.Nested(ShowIfSchema)
    hidden_value = fields.Raw(validate=_scalar)
    prefill_from = fields.Str(validate=validate.OneOf(PREFILL_SOURCES))
    # Asked only in applications for these levels (e.g. a Bronze-only interview format).
    levels = fields.List(fields.Str(validate=IDENT), load_default=list)

    @validates_schema
    def consistent(self, data, **kwargs):
        if data.get("type") == "choice" and not data.get("choices"):
            raise ValidationError("A choice question needs choices.", "choices")
        if data.get("type") == "rating" and not data.get("rubric"):
            raise ValidationError("A rating question names its rubric.", "rubric")
        if "min" in data and "max" in data and data["min"] > data["max"]:
            raise ValidationError("min is above max.", "min")


class SectionSchema(Schema):
    id = fields.Str(required=True, validate=IDENT)
    title = fields.Str(required=True)
    questions = fields.List(
        fields.Nested(QuestionSchema), required=True, validate=validate.Length(min=1)
    )


class DerivedSchema(Schema):
    id = fields.Str(required=True, validate=IDENT)
    label = fields.Str(required=True)
    unit = fields.Str(load_default="")
    op = fields.Str(required=True, validate=validate.OneOf(DERIVED_OPS))
    of = fields.List(fields.Str(validate=IDENT), required=True, validate=validate.Length(min=1))

    @validates_schema
    def arity(self, data, **kwargs):
        op, args = data.get("op"), data.get("of") or []
        if op in ("ratio", "ratio_percent") and len(args) != 2:
            raise ValidationError(f"{op} takes exactly two values: [numerator, denominator].", "of")
        if op == "years_since" and len(args) != 1:
            raise ValidationError("years_since takes exactly one value.", "of")


class QuestionnaireSchema(Schema):
    sections = fields.List(
        fields.Nested(SectionSchema), required=True, validate=validate.Length(min=1)
    )
    derived = fields.List(fields.Nested(DerivedSchema), load_default=list)


class AppealsSchema(Schema):
    period_days = fields.Int(load_default=30, validate=validate.Range(min=1, max=365))
    decision_days = fields.Int(load_default=60, validate=validate.Range(min=1, max=365))


class FrameworkFileSchema(Schema):
    framework = fields.Nested(FrameworkHeaderSchema, required=True)
    # Appeals: days after a decision to lodge one, and for the panel to decide it.
    appeals = fields.Nested(
        AppealsSchema, load_default=lambda: {"period_days": 30, "decision_days": 60}
    )
    scoring = fields.Nested(ScoringSchema, required=True)
    levels = fields.List(fields.Nested(LevelSchema), required=True, validate=validate.Length(min=1))
    eligibility = fields.List(fields.Nested(EligibilityRuleSchema), load_default=list)
    rubrics = fields.Dict(
        keys=fields.Str(validate=IDENT),
        values=fields.List(fields.Nested(RubricBandSchema)),
        load_default=dict,
    )
    areas = fields.List(fields.Nested(AreaSchema), required=True, validate=validate.Length(min=1))
    indicators = fields.List(
        fields.Nested(IndicatorSchema), required=True, validate=validate.Length(min=1)
    )
    questionnaire = fields.Nested(QuestionnaireSchema, required=True)


class SchemaProblems(Exception):
    """A framework file's data breaks the schema; `messages` holds the problems by field,
    nested as the file is (marshmallow's form), for the loader to place by line."""

    def __init__(self, messages: dict):
        self.messages = messages
        super().__init__("the framework file breaks its schema")


def load_framework_data(raw: dict) -> dict:
    """The file's data checked against the schema, with the defaults filled in. Raises
    SchemaProblems. The one place marshmallow stands in the criteria engine."""
    try:
        return FrameworkFileSchema().load(raw)
    except ValidationError as exc:
        raise SchemaProblems(exc.messages) from exc
