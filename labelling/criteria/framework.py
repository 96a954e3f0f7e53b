"""The in-memory shape of a criteria framework: frozen dataclasses, no Flask, no database."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

# CLDR's plural categories. A unit's plain form serves every category without a form of its
# own; "other" may differ from it where the plain form is also the one headings use
# (Polish: "(lat)" over a column, "2,5 roku" after a fraction).
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")

COMPARATORS = (">=", ">", "<=", "<", "==", "within_months")
ANSWER_TYPES = ("number", "percentage", "integer", "yes_no", "choice", "text", "date", "document")
QUESTION_TYPES = (
    "number",
    "percentage",
    "integer",
    "yes_no",
    "choice",
    "text",
    "date",
    "document",
    "rating",
)
# Organisation profile fields a question may take its starting value from (`prefill_from`).
PREFILL_SOURCES = (
    "members_sme",
    "members_large",
    "members_rnd",
    "members_university",
    "members_education",
    "members_finance",
    "members_consultant",
    "members_public",
    "members_other",
    "committed_members",
    "management_fte",
    "is_website_in_english",
    "founding_year",
)
DERIVED_OPS = ("sum", "count_positive", "ratio", "ratio_percent", "years_since")
LEVEL_RULES = (
    "eligibility",
    "questionnaire_complete",
    "all_baseline_minimums",
    "min_score_percent",
    "improvement_areas",
    "previous_label",
)


@dataclass(frozen=True)
class Condition:
    """`measure comparator value`; measure None means the indicator's own measure."""

    comparator: str
    value: Any
    measure: str | None = None


@dataclass(frozen=True)
class Threshold:
    """All conditions must hold."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class RubricBand:
    band: int
    descriptor: str


@dataclass(frozen=True)
class Indicator:
    code: str
    area: str
    name: str
    answer_type: str
    measure: str
    gold_threshold: Threshold
    help: str = ""
    unit: str = ""
    provisional: bool = False
    silver_audited: bool = False
    allows_not_applicable: bool = False
    baseline_minimum: Threshold | None = None
    rubric: tuple[RubricBand, ...] = ()

    @property
    def is_rubric(self) -> bool:
        return bool(self.rubric)

    @property
    def is_minimum_criterion(self) -> bool:
        return self.baseline_minimum is not None


@dataclass(frozen=True)
class Area:
    code: str
    name: str


@dataclass(frozen=True)
class Assessors:
    count: int
    role: str
    same_country: int = 0
    other_country: int = 0


@dataclass(frozen=True)
class PreviousLabelRule:
    """A label at `min_level` or higher, min to max whole months old at the assessment."""

    min_level: str
    min_age_months: int
    max_age_months: int


@dataclass(frozen=True)
class LevelRules:
    eligibility: bool = True
    questionnaire_complete: bool = True
    all_baseline_minimums: bool = False
    min_score_percent: float | None = None
    improvement_areas: int = 0
    previous_label: PreviousLabelRule | None = None


@dataclass(frozen=True)
class Level:
    id: str
    rank: int
    name: str
    tagline: str
    validity_months: int
    renewal_window_months: int
    renewal_extension_months: int
    assessors: Assessors
    rules: LevelRules
    fees_eur: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class EligibilityRule:
    id: str
    label: str
    condition: Condition


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class ShowIf:
    question: str
    equals: Any


@dataclass(frozen=True)
class Question:
    id: str
    label: str
    type: str
    help: str = ""
    unit: str = ""
    required: bool = False
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    not_above: str | None = None
    not_in_future: bool = False
    choices: tuple[Choice, ...] = ()
    rubric: tuple[RubricBand, ...] = ()
    show_if: ShowIf | None = None
    hidden_value: Any = None
    prefill_from: str | None = None
    levels: tuple[str, ...] = ()  # empty: asked at every level

    def is_asked_for(self, level_id: str) -> bool:
        return not self.levels or level_id in self.levels

    @property
    def is_year(self) -> bool:
        """A whole number that may not lie in the future is a year: shown as 2012, never
        grouped as a quantity ("2,012", issue 28)."""
        return self.type == "integer" and self.not_in_future


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Derived:
    id: str
    label: str
    op: str
    of: tuple[str, ...]
    unit: str = ""


@dataclass(frozen=True)
class ScoringPolicy:
    max_points: int
    threshold_met_points: int
    baseline_met_points: int
    not_met_points: int


@dataclass(frozen=True)
class Framework:
    id: str
    version: str
    status: str
    title: str
    issuer: str
    scoring: ScoringPolicy
    levels: tuple[Level, ...]
    areas: tuple[Area, ...]
    indicators: tuple[Indicator, ...]
    eligibility: tuple[EligibilityRule, ...]
    sections: tuple[Section, ...]
    derived: tuple[Derived, ...]
    source: str = ""
    short_title: str = ""
    published_on: date | None = None
    retired_on: date | None = None
    path: str = ""  # the file it was read from (the published source)
    appeal_period_days: int = 30  # to lodge an appeal after the decision
    appeal_decision_days: int = 60  # for the panel to decide it
    digest: str = ""  # SHA-256 of the file, so a pinned version can be checked unchanged
    # The language the texts are in, and each unit's form after a number where its plain
    # form does not fit: (unit as shown, CLDR plural category, form), e.g.
    # ("years", "one", "year"), from the companion files (translations.py).
    locale: str = "en"
    unit_forms: tuple[tuple[str, str, str], ...] = ()

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def unit_form(self, unit: str, category: str) -> str:
        """The unit as it reads after a number of CLDR plural `category` in the framework's
        language ("one": "year"); the unit as written where no form is given. Which
        category a number has is the language's rule (frameworks.messages.unit_after)."""
        return next(
            (form for shown, kind, form in self.unit_forms if shown == unit and kind == category),
            unit,
        )

    def level(self, level_id: str) -> Level:
        return next(level for level in self.levels if level.id == level_id)

    def for_level(self, level_id: str) -> Framework:
        """The framework as an application for `level_id` sees it: without the questions
        asked only at other levels (the loader keeps those out of scoring)."""
        if all(q.is_asked_for(level_id) for q in self.questions):
            return self
        sections = tuple(
            replace(
                section,
                questions=tuple(q for q in section.questions if q.is_asked_for(level_id)),
            )
            for section in self.sections
        )
        return replace(self, sections=sections)

    def indicator(self, code: str) -> Indicator:
        return next(ind for ind in self.indicators if ind.code == code)

    def indicators_in(self, area_code: str) -> list[Indicator]:
        return [ind for ind in self.indicators if ind.area == area_code]

    @property
    def questions(self) -> list[Question]:
        return [q for section in self.sections for q in section.questions]

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)

    def questions_behind(self, code: str) -> list[str]:
        """The questionnaire answers an indicator's value comes from, in questionnaire order:
        its measures, what derived values are computed from, and the questions that decide
        whether those are shown. An assessor's question re-opens exactly these."""
        indicator = self.indicator(code)
        conditions = list(indicator.gold_threshold.conditions)
        if indicator.baseline_minimum is not None:
            conditions += indicator.baseline_minimum.conditions
        pending = [indicator.measure, *(c.measure for c in conditions if c.measure)]
        derived = {item.id: item for item in self.derived}
        by_id = {q.id: q for q in self.questions}
        found: set[str] = set()
        while pending:
            measure = pending.pop()
            if measure in found:
                continue
            if measure in derived:
                pending.extend(derived[measure].of)
            elif measure in by_id:
                found.add(measure)
                if by_id[measure].show_if is not None:
                    pending.append(by_id[measure].show_if.question)
        return [q.id for q in self.questions if q.id in found]
