"""Human, translated wording of the scoring engine's machine-readable reasons."""

from functools import cache

from babel import Locale
from flask_babel import format_decimal
from flask_babel import gettext as _

from labelling.core.numbers import is_sane
from labelling.frameworks.services import loaded


def format_number(value) -> str:
    """A computed value for people: whole numbers bare, others to one decimal, localised.
    A value no form accepts any more (stored before the bound) is shown plainly, never an
    error that would keep its page from opening."""
    number = float(value)
    if not is_sane(number):
        return f"{number:g}"
    return format_decimal(number, format="#,##0" if number.is_integer() else "#,##0.0")


def verdict_reason(code: str) -> str:
    return {
        "eligibility": _("the eligibility criteria are not all met"),
        "questionnaire_incomplete": _("required questions are still unanswered"),
        "baseline_minimums": _("at least one baseline minimum requirement is not met"),
        "score_below_minimum": _("the excellence score is below the level's minimum"),
        "improvement_areas": _("the improvement areas are not all documented and validated"),
        "previous_label": _(
            "an earlier label of the required level or higher, of the required age"
        ),
        "improvement_areas_documented": _("the improvement areas are not all documented yet"),
    }.get(code, code)


SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


def describe_condition(condition, unit: str = "", label: str = "") -> str:
    """One threshold condition in words, e.g. "≥ 50 %" or "within the last 36 months"."""
    prefix = f"{label} " if label else ""
    if condition.comparator == "within_months":
        return prefix + _("within the last %(n)s months", n=condition.value)
    if condition.comparator == "==":
        if condition.value is True:
            return prefix + _("yes")
        if condition.value is False:
            return prefix + _("no")
        return f"{prefix}= {condition.value}"
    value = format_number(condition.value)
    suffix = f" {unit}" if unit else ""
    return f"{prefix}{SYMBOLS[condition.comparator]} {value}{suffix}"


def describe_threshold(framework, indicator, threshold) -> str:
    if threshold is None:
        return "\u2013"  # an en dash: no threshold
    labels = {q.id: q.label for q in framework.questions} | {
        d.id: d.label for d in framework.derived
    }
    units = {d.id: d.unit for d in framework.derived} | {q.id: q.unit for q in framework.questions}
    parts = []
    for condition in threshold.conditions:
        own = condition.measure in (None, indicator.measure)
        measure = indicator.measure if own else condition.measure
        unit = "" if indicator.is_rubric else (indicator.unit if own else units.get(measure, ""))
        label = "" if own else labels.get(measure, measure)
        if indicator.is_rubric:
            label = _("band")
        if _is_number(condition.value):
            unit = unit_after(framework, unit, condition.value)  # "≥ 1 year", "≥ 2 years"
        parts.append(describe_condition(condition, unit, label))
    return _(" and ").join(parts)


@cache
def _plural_rule(locale: str):
    return Locale.parse(locale).plural_form


def unit_after(framework, unit: str, number) -> str:
    """The unit as it reads after `number` in the framework's language: "1 year",
    "2 years", "2 lata", "5 lat" (the number's CLDR plural category picks the form the
    criteria's companion gives; a whole number counts as one: 1.0 is "1" on the page)."""
    if not unit or not framework.unit_forms or not _is_number(number):
        return unit
    value = float(number)
    category = _plural_rule(framework.locale)(int(value) if value.is_integer() else value)
    return framework.unit_form(unit, category)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def status_label(status: str) -> str:
    return {
        "met": _("met"),
        "not_met": _("not met"),
        "not_applicable": _("not applicable"),
        "missing": _("no answer yet"),
    }.get(str(status), str(status))


def framework_name(framework) -> str:
    """A framework as people name it: "ECEI criteria 2013, version 2013.1"."""
    return _(
        "%(title)s, version %(version)s",
        title=framework.short_title or framework.title,
        version=framework.version,
    )


def criteria_name(framework_id: str, version: str) -> str:
    """The name of a pinned framework version (a label's, an application's); a retired
    file no longer on disk still reads as its id and version."""
    try:
        return framework_name(loaded().get(framework_id, version))
    except KeyError:
        return f"{framework_id} {version}"


def criteria_status(status: str) -> str:
    """A framework version's status as the public pages say it."""
    return {
        "draft": _("Draft"),
        "active": _("In force"),
        "retired": _("Retired"),
    }.get(status, status)
