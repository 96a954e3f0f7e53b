"""Human, translated wording of the scoring engine's machine-readable reasons."""

from flask_babel import format_decimal
from flask_babel import gettext as _


def format_number(value) -> str:
    """A computed value for people: whole numbers bare, others to one decimal, localised."""
    number = float(value)
    return format_decimal(number, format="#,##0" if number.is_integer() else "#,##0.0")


def verdict_reason(code: str) -> str:
    return {
        "eligibility": _("the eligibility criteria are not all met"),
        "questionnaire_incomplete": _("required questions are still unanswered"),
        "baseline_minimums": _("at least one baseline minimum requirement is not met"),
        "score_below_minimum": _("the excellence score is below the level's minimum"),
        "improvement_areas": _("the improvement areas are not all documented and validated"),
        "previous_label": _("a previous label of the required level and age"),
    }.get(code, code)
