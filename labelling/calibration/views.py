"""Calibration pages: the secretariat prepares and publishes reference cases and sets its
body's rule; an assessor practises on a case, on pages like the scoring pages, and then
sees each difference from the reference with its explanation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select

from labelling.assessments import questionnaire
from labelling.assessments.forms import TransitionForm, rating_value
from labelling.assessments.models import Application
from labelling.assessments.rating import RatingInput, rating_to_save
from labelling.assessments.review import NothingToConfirm
from labelling.assessors.services import profile_of
from labelling.bodies.models import LabellingBody
from labelling.bodies.services import acts_for, all_bodies, bodies_acted_for
from labelling.calibration import cases, comparison, practice
from labelling.calibration.forms import (
    DescribeCaseForm,
    InventCaseForm,
    NewCaseForm,
    practice_form,
    reference_form,
    stored_as_form_data,
)
from labelling.calibration.models import CalibrationAttempt, CalibrationCase, CaseStatus
from labelling.core.forms import ConfirmForm
from labelling.core.http import get_or_404, require
from labelling.core.languages import page_locale
from labelling.criteria.translations import localised
from labelling.extensions import db
from labelling.frameworks.services import current_framework, level_names

bp = Blueprint("calibration", __name__)

CASE_ERRORS = {
    "not_decided": lambda: _("Only a decided application can become a reference case."),
    "not_a_draft": lambda: _(
        "A published case is no longer changed; withdraw it and make a new one."
    ),
    "not_published": lambda: _("The case is not published."),
    "not_open": lambda: _("This case is not open to you for practice."),
    "completed": lambda: _("This practice is completed; start the case again to practise anew."),
}


def _framework(case: CalibrationCase):
    return localised(cases.framework_of_case(case), page_locale())


def outcome_text(indicator, outcome: str | None) -> str:
    """An outcome as the results page says it: a band with its descriptor, or a verdict."""
    if outcome is None:
        return _("No rating")
    if outcome == comparison.NOT_APPLICABLE:
        return _("Not applicable")
    if outcome.isdigit():
        band = next((b for b in indicator.rubric if b.band == int(outcome)), None)
        descriptor = band.descriptor if band else ""
        return _("Band %(band)s: %(descriptor)s", band=outcome, descriptor=descriptor)
    return _("Met") if outcome == "met" else _("Not met")


# --- the secretariat ---------------------------------------------------------------------------


def _staff_case(case_id: int) -> CalibrationCase:
    require(current_user.is_staff)
    case = get_or_404(CalibrationCase, case_id)
    require(acts_for(current_user, case.body_id))
    return case


def _attempt_counts() -> dict[int, int]:
    rows = db.session.execute(
        select(CalibrationAttempt.case_id, func.count())
        .where(CalibrationAttempt.completed_at.is_not(None))
        .group_by(CalibrationAttempt.case_id)
    )
    return dict(rows.all())


def _index_page(form: NewCaseForm, status: int = 200, invent_form=None):
    return render_template(
        "calibration/index.html",
        cases=cases.cases_for_staff(current_user),
        completed=_attempt_counts(),
        bodies=[b for b in all_bodies() if acts_for(current_user, b.id)],
        form=form,
        invent_form=invent_form or InventCaseForm(current_framework().levels, prefix="invent"),
        action_form=ConfirmForm(),
        level_names=level_names(),
    ), status


@bp.route("/secretariat/calibration", methods=["GET", "POST"])
@login_required
def index():
    require(current_user.is_staff)
    form = NewCaseForm(cases.decided_applications(current_user))
    if request.method == "GET":
        return _index_page(form)
    if not form.validate_on_submit():
        return _index_page(form, 422)
    application = get_or_404(Application, int(form.application_id.data))
    require(acts_for(current_user, application.body_id))
    try:
        case = cases.anonymise(application, form.title.data, form.keep_free_text.data, current_user)
    except cases.CaseError as exc:  # reopened since the page was shown
        db.session.rollback()
        abort(409, CASE_ERRORS[exc.code]())
    db.session.commit()
    flash(_("The case is drafted: check its reference ratings and explain them."), "success")
    return redirect(url_for("calibration.case", case_id=case.id), code=303)


def _own_body(user) -> int | None:
    """The body an invented case belongs to: none for the platform's staff (every body
    sees it), else the first the user acts for."""
    scope = bodies_acted_for(user)
    return min(scope) if scope else None


@bp.route("/secretariat/calibration/invent", methods=["POST"])
@login_required
def invent():
    require(current_user.is_staff)
    framework = current_framework()
    form = InventCaseForm(framework.levels, prefix="invent")
    if not form.validate_on_submit():
        new = NewCaseForm(cases.decided_applications(current_user))
        return _index_page(new, 422, invent_form=form)
    case = cases.invent(
        form.title.data, form.level.data, framework, _own_body(current_user), current_user
    )
    db.session.commit()
    flash(_("The case is drafted: type its answers, then its reference ratings."), "success")
    first = framework.sections[0].id
    return redirect(url_for("calibration.answers", case_id=case.id, section_id=first), 303)


def _answers_page(case, framework, section, form, status: int = 200):
    sections = list(framework.sections)
    return render_template(
        "calibration/answers.html",
        case=case,
        framework=framework,
        sections=sections,
        section=section,
        form=form,
        questions=questionnaire.asked_questions(section),
        level_names=level_names(),
    ), status


@bp.route("/secretariat/calibration/<int:case_id>/answers/<section_id>", methods=["GET", "POST"])
@login_required
def answers(case_id: int, section_id: str):
    """The case's answers to one section of the questionnaire, typed by the secretariat
    (an invented case, or an anonymised one adjusted), with the applicant's own checks."""
    case = _staff_case(case_id)
    framework = _framework(case).for_level(case.level)
    section = next((s for s in framework.sections if s.id == section_id), None)
    if section is None:
        abort(404)
    asked = questionnaire.asked_questions(section)
    form_class = questionnaire.section_form_class(section)
    if request.method == "GET":
        stored = case.answers or {}
        data = {q.id: questionnaire.to_form_data(q, stored.get(q.id)) for q in asked}
        return _answers_page(case, framework, section, form_class(data=data, formdata=None))
    form = form_class()
    if case.status != CaseStatus.DRAFT:
        flash(CASE_ERRORS["not_a_draft"](), "error")
        return _answers_page(case, framework, section, form, 409)
    valid = form.validate()
    typed = {q.id: questionnaire.to_storage(q, form[q.id].data) for q in asked}
    if valid:
        questionnaire.check_limits(framework, form, section, {**(case.answers or {}), **typed})
    if not valid or any(form[q.id].errors for q in asked):
        return _answers_page(case, framework, section, form, 422)
    cases.set_answers(case, typed)
    db.session.commit()
    flash(_("The answers are saved."), "success")
    ids = [s.id for s in framework.sections]
    position = ids.index(section.id)
    if request.form.get("go") == "next" and position + 1 < len(ids):
        following = url_for("calibration.answers", case_id=case.id, section_id=ids[position + 1])
        return redirect(following, code=303)
    return redirect(url_for("calibration.case", case_id=case.id), code=303)


@bp.route("/secretariat/calibration/bodies/<int:body_id>", methods=["POST"])
@login_required
def requirement(body_id: int):
    require(current_user.is_staff)
    body = get_or_404(LabellingBody, body_id)
    require(acts_for(current_user, body.id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    practice.set_requirement(body, request.form.get("required") == "yes", current_user)
    db.session.commit()
    flash(
        _("%(body)s now requires a calibration exercise a year.", body=body.name)
        if body.calibration_required
        else _("%(body)s no longer requires calibration exercises.", body=body.name),
        "success",
    )
    return redirect(url_for("calibration.index"), code=303)


def _questions(framework, indicators) -> dict:
    return {
        i.code: [framework.question(q) for q in framework.questions_behind(i.code)]
        for i in indicators
    }


def _reference_forms(framework, case: CalibrationCase, formdata=None) -> dict:
    return {
        item.code: reference_form(item, (case.references or {}).get(item.code), formdata)
        for item in framework.indicators
    }


def _case_page(case, framework, describe_form, forms, status=200, missing=()):
    scored = comparison.scored(framework, cases.scoring_case(case), case.references or {})
    return render_template(
        "calibration/case.html",
        case=case,
        framework=framework,
        describe_form=describe_form,
        forms=forms,
        result=scored,
        questions=_questions(framework, framework.indicators),
        answers=case.answers or {},
        claims=case.not_applicable or {},
        missing=set(missing),
        action_form=ConfirmForm(),
        level_names=level_names(),
    ), status


def _stored_reference(form, item) -> dict | None:
    value = rating_value(form, item)
    status = form.status.data or None
    explanation = (form.comment.data or "").strip()
    if value is None and status is None and not explanation:
        return None
    return {"verified_value": value, "status": status, "explanation": explanation}


@bp.route("/secretariat/calibration/<int:case_id>", methods=["GET", "POST"])
@login_required
def case(case_id: int):
    """The case as assessors will see it, with the reference rating and explanation of
    every indicator (editable while the case is a draft)."""
    case = _staff_case(case_id)
    framework = _framework(case)
    if request.method == "GET":
        describe_form = DescribeCaseForm(obj=case)
        return _case_page(case, framework, describe_form, _reference_forms(framework, case))
    describe_form = DescribeCaseForm()
    forms = _reference_forms(framework, case, request.form)
    valid = describe_form.validate_on_submit()
    valid = all([form.validate() for form in forms.values()]) and valid
    if case.status != CaseStatus.DRAFT:
        flash(CASE_ERRORS["not_a_draft"](), "error")
        return _case_page(case, framework, describe_form, forms, 409)
    if not valid:
        return _case_page(case, framework, describe_form, forms, 422)
    cases.describe(case, describe_form.title.data, describe_form.summary.data or "")
    for item in framework.indicators:
        cases.set_reference(case, item.code, _stored_reference(forms[item.code], item))
    db.session.commit()
    flash(_("The case is saved."), "success")
    return redirect(url_for("calibration.case", case_id=case.id), code=303)


@bp.route("/secretariat/calibration/<int:case_id>/<any(publish, withdraw):step>", methods=["POST"])
@login_required
def move(case_id: int, step: str):
    case = _staff_case(case_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        (cases.publish if step == "publish" else cases.withdraw)(case, current_user)
    except cases.CaseError as exc:
        db.session.rollback()
        if exc.code != "references_missing":
            abort(409, CASE_ERRORS[exc.code]())
        framework = _framework(case)
        flash(
            ngettext(
                "%(num)d indicator has no reference rating yet.",
                "%(num)d indicators have no reference rating yet.",
                len(exc.codes),
            ),
            "error",
        )
        return _case_page(
            case,
            framework,
            DescribeCaseForm(obj=case),
            _reference_forms(framework, case),
            409,
            exc.codes,
        )
    db.session.commit()
    flash(
        _("The case is published: assessors can practise on it.")
        if step == "publish"
        else _("The case is withdrawn."),
        "success",
    )
    return redirect(url_for("calibration.case", case_id=case.id), code=303)


# --- the assessor ------------------------------------------------------------------------------


def _require_assessor() -> None:
    if profile_of(current_user) is None:
        abort(404)


def _own_attempt(attempt_id: int) -> tuple[CalibrationAttempt, CalibrationCase]:
    attempt = get_or_404(CalibrationAttempt, attempt_id)
    if attempt.assessor_id != current_user.id:
        abort(404)  # nobody learns that someone else's practice exists
    return attempt, db.session.get(CalibrationCase, attempt.case_id)


@bp.route("/assessor/calibration")
@login_required
def exercises():
    _require_assessor()
    return render_template(
        "calibration/exercises.html",
        cases=practice.cases_to_practise(current_user),
        attempts=practice.attempts_of(current_user.id),
        action_form=ConfirmForm(),
        level_names=level_names(),
    )


@bp.route("/assessor/calibration/<int:case_id>/start", methods=["POST"])
@login_required
def start(case_id: int):
    _require_assessor()
    case = get_or_404(CalibrationCase, case_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        attempt = practice.open_attempt(case, current_user)
    except cases.CaseError:
        abort(404)
    db.session.commit()
    first = _framework(case).areas[0].code
    return redirect(url_for("calibration.area", attempt_id=attempt.id, area_code=first), 303)


def _area_of(framework, area_code: str):
    area = next((a for a in framework.areas if a.code == area_code), None)
    if area is None:
        abort(404)
    return area


def _practice_page(attempt, case, framework, area, forms, status=200):
    scoring_case = cases.scoring_case(case)
    areas = [a.code for a in framework.areas]
    position = areas.index(area.code)
    items = framework.indicators_in(area.code)
    return render_template(
        "calibration/practice.html",
        attempt=attempt,
        case=case,
        framework=framework,
        area=area,
        items=items,
        forms=forms,
        page_form=TransitionForm(),
        result=comparison.scored(framework, scoring_case, attempt.ratings or {}),
        rated=set(attempt.ratings or {}),
        questions=_questions(framework, items),
        answers=case.answers or {},
        claims=case.not_applicable or {},
        next_area=areas[position + 1] if position + 1 < len(areas) else None,
        level_names=level_names(),
    ), status


def _save_practice_item(attempt, item, form, applicant_value) -> str:
    if not form.validate():
        return "invalid"
    typed = RatingInput(rating_value(form, item), form.status.data or None, form.comment.data or "")
    saved = stored_as_form_data((attempt.ratings or {}).get(item.code))
    try:
        rating = rating_to_save(saved, typed, form.confirm.data, applicant_value)
    except NothingToConfirm:
        form.confirm.errors = [_("The case gives no value to confirm: enter one.")]
        return "invalid"
    if rating is None:
        return "unchanged"
    stored = {
        "verified_value": rating.verified_value,
        "status": rating.status,
        "comment": rating.comment.strip(),
    }
    practice.save_rating(attempt, item.code, stored)
    return "saved"


@bp.route(
    "/assessor/calibration/practice/<int:attempt_id>/areas/<area_code>", methods=["GET", "POST"]
)
@login_required
def area(attempt_id: int, area_code: str):
    """One area of the case, scored as on the real scoring pages (kept as practice only)."""
    attempt, case = _own_attempt(attempt_id)
    if attempt.completed_at is not None:
        return redirect(url_for("calibration.result", attempt_id=attempt.id), code=303)
    framework = _framework(case)
    area = _area_of(framework, area_code)
    items = framework.indicators_in(area.code)
    ratings = attempt.ratings or {}
    if request.method == "GET":
        forms = {item.code: practice_form(item, ratings.get(item.code)) for item in items}
        return _practice_page(attempt, case, framework, area, forms)
    if not TransitionForm().validate_on_submit():
        abort(400)
    forms = {item.code: practice_form(item, None, request.form) for item in items}
    values = comparison.scored(framework, cases.scoring_case(case), {}).values
    outcomes = {
        item.code: _save_practice_item(attempt, item, forms[item.code], values.get(item.measure))
        for item in items
    }
    db.session.commit()
    if "invalid" in outcomes.values():
        return _practice_page(attempt, case, framework, area, forms, 422)
    if request.form.get("go") != "next":
        here = url_for("calibration.area", attempt_id=attempt.id, area_code=area.code)
        return redirect(here, code=303)
    areas = [a.code for a in framework.areas]
    position = areas.index(area.code)
    if position + 1 < len(areas):
        following = areas[position + 1]
        there = url_for("calibration.area", attempt_id=attempt.id, area_code=following)
        return redirect(there, code=303)
    return redirect(url_for("calibration.result", attempt_id=attempt.id), code=303)


@bp.route("/assessor/calibration/practice/<int:attempt_id>", methods=["GET", "POST"])
@login_required
def result(attempt_id: int):
    """Before completion: what is rated and the button to compare; after: each difference
    from the reference, with the explanation."""
    attempt, case = _own_attempt(attempt_id)
    framework = _framework(case)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        if attempt.completed_at is None:
            practice.complete(attempt, case, current_user)
            db.session.commit()
        return redirect(url_for("calibration.result", attempt_id=attempt.id), code=303)
    found = practice.differences(attempt, case) if attempt.completed_at else []
    return render_template(
        "calibration/result.html",
        attempt=attempt,
        case=case,
        framework=framework,
        differences=found,
        indicators={i.code: i for i in framework.indicators},
        rated=len(attempt.ratings or {}),
        outcome_text=outcome_text,
        action_form=ConfirmForm(),
    )
