"""Demo calibration: one published reference case, made from the first of the agreement
history's applications (Ana and Lars assessed it, so Klaus can practise on it), with the
explanation of the two indicators the pair read differently. Safe to run twice."""

from __future__ import annotations

from sqlalchemy import select

from labelling.assessments.models import Application
from labelling.calibration import cases, comparison
from labelling.calibration.models import CalibrationCase
from labelling.demo.agreement import HISTORY
from labelling.demo.cases import demo_people, organisation_named
from labelling.extensions import db

TITLE = "A health technology cluster, ten years on"
SUMMARY = (
    "A regional cluster of about a hundred members with a small management team. "
    "Rate it as you would a Gold application, then compare."
)
EXPLAINED = {
    "rubric": "The strategy is written and members were consulted, but nothing shows it is "
    "reviewed against results: the band below the top one.",
    "threshold": "Read the share from the members list, not from the self-assessment: the "
    "figure given counts associate members too.",
}
NOT_EVIDENCED = "Nothing in the answers supports it: not met."


def load_demo_calibration() -> None:
    if db.session.scalar(select(CalibrationCase.id).where(CalibrationCase.title == TITLE)):
        return
    organisation = organisation_named(HISTORY[0][0])
    source = db.session.scalar(
        select(Application).where(Application.organisation_id == organisation.id)
    )
    secretariat = demo_people()["secretariat"]
    case = cases.anonymise(source, TITLE, keep_free_text=False, actor=secretariat)
    framework = cases.framework_of_case(case)
    rubric = next(i for i in framework.indicators if i.is_rubric)
    threshold = next(i for i in framework.indicators if not i.is_rubric)
    for indicator, why in ((rubric, EXPLAINED["rubric"]), (threshold, EXPLAINED["threshold"])):
        stored = dict(case.references.get(indicator.code) or {})
        cases.set_reference(case, indicator.code, {**stored, "explanation": why})
    scoring = cases.scoring_case(case)
    for code in comparison.missing_references(framework, scoring, case.references):
        cases.set_reference(
            case, code, {"verified_value": None, "status": "not_met", "explanation": NOT_EVIDENCED}
        )
    cases.describe(case, TITLE, SUMMARY)
    cases.publish(case, secretariat)
