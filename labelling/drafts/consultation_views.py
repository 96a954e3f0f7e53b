"""The public side of a consultation: the draft's changes against the version in force and
the comment form, the confirmation of a commenter's address, and the report (page and PDF)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from labelling.core.languages import page_locale
from labelling.core.pdf import render_pdf
from labelling.criteria.changes import compare
from labelling.criteria.translations import localised
from labelling.drafts import consultation as service
from labelling.drafts.forms import CommentForm
from labelling.drafts.models import Consultation
from labelling.extensions import db, limiter
from labelling.frameworks.services import loaded

bp = Blueprint("consultation", __name__, url_prefix="/criteria")


def _consultation_limit() -> str:
    return current_app.config["CONSULTATION_RATE_LIMIT"]


def _found_or_404(framework_id: str, version: str):
    """The consultation, the draft as it was commented on, and the version in force then."""
    consultation = service.consultation_of(framework_id, version)
    if consultation is None:
        abort(404)
    try:
        draft = loaded().get(framework_id, version)
        base = loaded().get(framework_id, consultation.base_version)
    except KeyError:
        abort(404)
    return consultation, localised(draft, page_locale()), localised(base, page_locale())


def _page(consultation: Consultation, draft, base, form, status: int = 200):
    return render_template(
        "drafts/consultation.html",
        consultation=consultation,
        draft=draft,
        changes=compare(base, draft),
        form=form,
        is_open=consultation.is_open(date.today()),
        topics=service.report(consultation, draft),
        names={i.code: i.name for i in draft.indicators},
    ), status


@bp.route("/<framework_id>/<version>/consultation", methods=["GET", "POST"])
@limiter.limit(
    _consultation_limit, methods=["POST"], exempt_when=lambda: current_user.is_authenticated
)
def page(framework_id: str, version: str):
    consultation, draft, base = _found_or_404(framework_id, version)
    signed_in = current_user.is_authenticated
    form = CommentForm(draft, signed_in)
    if not form.validate_on_submit():
        return _page(consultation, draft, base, form, 422 if form.errors else 200)
    try:
        service.add_comment(
            consultation,
            draft,
            form.indicator_code.data or service.WHOLE,
            form.text.data,
            user=current_user if signed_in else None,
            name="" if signed_in else form.name.data,
            email="" if signed_in else form.email.data,
        )
    except service.ConsultationRefused as exc:
        db.session.rollback()
        abort(exc.status, _("Comments on this draft are closed."))
    db.session.commit()
    flash(
        _("Thank you: your comment is recorded.")
        if signed_in
        else _("Thank you: follow the link we sent to your address to confirm your comment."),
        "success",
    )
    return redirect(url_for("consultation.page", framework_id=framework_id, version=version), 303)


@bp.route("/consultation/confirm/<token>")
def confirm(token: str):
    try:
        comment = service.confirm_comment(token)
        db.session.commit()
    except service.ConsultationRefused:
        db.session.rollback()
        abort(404, _("This confirmation link is not valid or has expired."))
    consultation = db.session.get(Consultation, comment.consultation_id)
    flash(_("Your comment is confirmed: it counts in the consultation."), "success")
    target = url_for(
        "consultation.page",
        framework_id=consultation.framework_id,
        version=consultation.draft_version,
    )
    return redirect(target, code=303)


def _published_report(framework_id: str, version: str):
    consultation, draft, _base = _found_or_404(framework_id, version)
    if consultation.report_published_at is None:
        abort(404)
    return {
        "consultation": consultation,
        "draft": draft,
        "topics": service.report(consultation, draft),
        "names": {i.code: i.name for i in draft.indicators},
        "comments": len(service.confirmed_comments(consultation)),
    }


@bp.route("/<framework_id>/<version>/consultation/report")
def report(framework_id: str, version: str):
    return render_template("drafts/report.html", **_published_report(framework_id, version))


@bp.route("/<framework_id>/<version>/consultation/report.pdf")
def report_pdf(framework_id: str, version: str):
    html = render_template("drafts/report_pdf.html", **_published_report(framework_id, version))
    name = f"{framework_id}-{version}-consultation-report.pdf"
    return Response(
        render_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
