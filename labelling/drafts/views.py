"""The secretariat's pages on draft framework versions: which drafts there are, and what
each would have changed in the decisions already taken."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from labelling.bodies.services import acts_for_platform
from labelling.core.dates import show_date
from labelling.core.forms import ConfirmForm
from labelling.core.http import require
from labelling.core.languages import page_locale
from labelling.criteria.translations import localised
from labelling.drafts import consultation, simulation
from labelling.drafts.forms import OpenConsultationForm, ResponseForm
from labelling.extensions import db
from labelling.frameworks.services import loaded
from labelling.organisations.models import TECHNOLOGY_AREAS

bp = Blueprint("drafts", __name__, url_prefix="/secretariat/criteria/drafts")


def _require_platform_staff() -> None:
    """The criteria are the platform's: its own staff review them."""
    require(acts_for_platform(current_user))


@bp.route("")
@login_required
def index():
    _require_platform_staff()
    return _index_page(OpenConsultationForm())


def _index_page(open_form, status: int = 200, refused: str = ""):
    """The drafts; `refused`: the draft whose consultation form `open_form` was refused."""
    found = [
        (draft, simulation.kept(draft), consultation.consultation_of(draft.id, draft.version))
        for draft in simulation.drafts()
    ]
    return render_template(
        "drafts/index.html",
        drafts=found,
        open_form=open_form,
        refused=refused,
        today=date.today(),
    ), status


def _draft_or_404(framework_id: str, version: str):
    try:
        return simulation.draft_and_base(framework_id, version)
    except simulation.NotADraft:
        abort(404)


@bp.route("/<framework_id>/<version>/impact", methods=["GET", "POST"])
@login_required
def impact(framework_id: str, version: str):
    _require_platform_staff()
    draft, base = _draft_or_404(framework_id, version)
    form = ConfirmForm()
    if form.validate_on_submit():
        simulation.start(framework_id, version, current_user)
        db.session.commit()  # the job starts after the commit (here and now without a queue)
        flash(_("The simulation has started."), "info")
        return redirect(url_for("drafts.impact", framework_id=framework_id, version=version), 303)
    kept = simulation.kept(draft)
    found = simulation.from_record(kept.result) if kept and kept.result else None
    draft, base = localised(draft, page_locale()), localised(base, page_locale())
    return render_template(
        "drafts/impact.html",
        draft=draft,
        base=base,
        kept=kept,
        may_start=kept is None or simulation.may_start_again(kept),
        impact=found,
        names={i.code: i.name for i in draft.indicators},
        level_names={level.id: level.name for level in (*draft.levels, *base.levels)},
        area_names={key: str(label) for key, label in TECHNOLOGY_AREAS.items()},
        form=form,
    )


# --- the consultation, as the secretariat runs it -----------------------------------------------


def _consultation_or_404(framework_id: str, version: str):
    found = consultation.consultation_of(framework_id, version)
    if found is None:
        abort(404)
    return found


@bp.route("/<framework_id>/<version>/consultation", methods=["POST"])
@login_required
def open_consultation(framework_id: str, version: str):
    _require_platform_staff()
    _draft_or_404(framework_id, version)
    form = OpenConsultationForm()
    if form.validate_on_submit():
        try:
            consultation.open_consultation(framework_id, version, form.closes_on.data, current_user)
        except consultation.ConsultationRefused as exc:
            db.session.rollback()
            abort(exc.status, _("The report is published already."))
    if form.errors:
        found = consultation.consultation_of(framework_id, version)
        if found is not None:
            return _comments_page(found, status=422, open_form=form)
        return _index_page(form, 422, refused=version)
    db.session.commit()
    flash(_("The draft is open for comments until %(date)s.", date=show_date(form.closes_on.data)))
    return redirect(url_for("drafts.comments", framework_id=framework_id, version=version), 303)


def _comments_page(found, forms: dict | None = None, status: int = 200, open_form=None):
    draft = localised(loaded().get(found.framework_id, found.draft_version), page_locale())
    comments = consultation.confirmed_comments(found)
    by_code: dict[str, list] = {}
    for comment in comments:
        by_code.setdefault(comment.indicator_code, []).append(comment)
    responses = {r.id: r for r in consultation.responses_of(found, published_only=False)}
    forms = forms or {}
    for code, listed in by_code.items():
        if code not in forms:
            forms[code] = _response_form(code, listed)
    return render_template(
        "drafts/comments.html",
        consultation=found,
        draft=draft,
        order=[consultation.WHOLE] + [i.code for i in draft.indicators],
        by_code=by_code,
        names={i.code: i.name for i in draft.indicators},
        responses=responses,
        waiting=sum(1 for r in responses.values() if r.published_at is None),
        forms=forms,
        action_form=ConfirmForm(),
        open_form=open_form or OpenConsultationForm(closes_on=found.closes_on),
        today=date.today(),
    ), status


def _response_form(code: str, listed: list, formdata=None) -> ResponseForm:
    form = ResponseForm(formdata=formdata, prefix=f"r{code}", indicator_code=code)
    form.comment_ids.choices = [(c.id, f"#{c.id}") for c in listed if c.response_id is None]
    return form


@bp.route("/<framework_id>/<version>/comments", methods=["GET", "POST"])
@login_required
def comments(framework_id: str, version: str):
    """Comments by indicator, each group with the form to answer some or all of them."""
    _require_platform_staff()
    found = _consultation_or_404(framework_id, version)
    if request.method == "GET":
        return _comments_page(found)
    code = request.form.get("indicator", "")
    listed = [c for c in consultation.confirmed_comments(found) if c.indicator_code == code]
    form = _response_form(code, listed, request.form)
    if not listed or not form.validate_on_submit():
        return _comments_page(found, {code: form}, 422)
    try:
        consultation.respond(
            found,
            code,
            form.comment_ids.data,
            form.text.data,
            form.changed.data or "",
            current_user,
        )
    except consultation.ConsultationRefused as exc:
        db.session.rollback()
        form.comment_ids.errors = [_("Some of these comments were answered meanwhile.")]
        return _comments_page(found, {code: form}, exc.status)
    db.session.commit()
    flash(_("The response is saved; publish the responses to send them."), "success")
    return redirect(url_for("drafts.comments", framework_id=framework_id, version=version), 303)


@bp.route("/<framework_id>/<version>/<any(responses, report):what>", methods=["POST"])
@login_required
def publish(framework_id: str, version: str, what: str):
    """Publish the responses written so far (each commenter answered gets an e-mail), or
    the report, which closes the consultation."""
    _require_platform_staff()
    found = _consultation_or_404(framework_id, version)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if what == "report":
            consultation.publish_report(found, current_user)
        else:
            count = consultation.publish_responses(found, current_user)
    except consultation.ConsultationRefused:
        db.session.rollback()
        abort(409, _("The report is published already."))
    db.session.commit()
    if what == "report":
        flash(_("The consultation report is published."), "success")
        done = url_for("consultation.report", framework_id=framework_id, version=version)
        return redirect(done, code=303)
    flash(ngettext("%(num)d response published.", "%(num)d responses published.", count))
    return redirect(url_for("drafts.comments", framework_id=framework_id, version=version), 303)
