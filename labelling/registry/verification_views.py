"""Public verification of a certificate, no sign-in: by its number (the QR code's link),
or by checking that a PDF copy is byte for byte one we issued."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from labelling.appeals.services import open_appeal
from labelling.certificates import services
from labelling.certificates.forms import CheckPdfForm
from labelling.credentials.forms import CheckCredentialForm
from labelling.credentials.services import verify_here
from labelling.extensions import limiter
from labelling.registry.caching import cached, framed, public

verify_bp = Blueprint("verify", __name__)


def _upload_limit() -> str:
    return current_app.config["VERIFY_UPLOAD_RATE_LIMIT"]


@verify_bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(_upload_limit, methods=["POST"])
def start():
    """Look a certificate up by its number, or check whether a PDF is a genuine, unaltered
    certificate of ours (its SHA-256 must match an issued one exactly)."""
    number = request.args.get("number", "").strip().upper()
    if number:
        return redirect(url_for("verify.certificate", number=number), code=303)
    form = CheckPdfForm()
    if request.method == "GET":
        # A certificate's page links here to check a PDF copy against its number.
        expected = request.args.get("expected_number", "").strip().upper()
        if services.certificate_by_number(expected) is not None:
            form.expected_number.data = expected
        return _start_page(form)
    content = form.read_pdf() if form.validate_on_submit() else None
    if content is None:
        return _start_page(form, status=422)
    found = services.certificate_by_pdf(content)
    expected = (form.expected_number.data or "").strip().upper()
    return render_template(
        "certificates/verify_result.html",
        certificate=found,
        label=found.label if found else None,
        status=services.verification_status(found) if found else None,
        expected=expected,
        matches_expected=bool(found) and (not expected or found.number == expected),
    ), 200 if found else 422


def _start_page(pdf_form=None, credential_form=None, status: int = 200):
    return render_template(
        "certificates/verify_start.html",
        form=pdf_form or CheckPdfForm(formdata=None),
        credential_form=credential_form or CheckCredentialForm(formdata=None),
    ), status


@verify_bp.route("/verify/credential", methods=["POST"])
@limiter.limit(_upload_limit)
def credential():
    """Check a digital credential (pasted or uploaded): its signature against our
    published keys, its dates, and its status in our status lists now."""
    form = CheckCredentialForm()
    text = form.read_credential() if form.validate_on_submit() else None
    if text is None:
        return _start_page(credential_form=form, status=422)
    verdict = verify_here(text)
    certificate = None
    if verdict.credential:
        number = str(verdict.credential.get("id", "")).rstrip("/").rsplit("/", 1)[-1]
        certificate = services.certificate_by_number(number)
    page = render_template(
        "credentials/verify_result.html", verdict=verdict, certificate=certificate
    )
    return page, 200 if verdict.credential else 422


@verify_bp.route("/verify/<number>")
@public(max_age=0)
def certificate(number: str):
    """Public verification, no sign-in: the certificate's label and its status today (the
    content is kept per data version and day, see registry.caching). Browsers ask again
    each time: a verifier who looked a minute before a revocation must see it."""
    found = cached(
        "verify-certificate", (number,), lambda: _verification_content(number), page_content=True
    )
    if not found:
        content = render_template("certificates/verify.html", number=number, certificate=None)
        return framed(_("Verify a certificate"), content, 404)
    return framed(_("Verify a certificate"), found)


def _verification_content(number: str) -> str:
    """The verification page's content, or "" for a number we never issued."""
    found = services.certificate_by_number(number.strip())
    if found is None:
        return ""
    return render_template(
        "certificates/verify.html",
        number=found.number,
        certificate=found,
        label=found.label,
        status=services.verification_status(found),
        superseded_by=services.superseding_number(found),
        under_appeal=open_appeal(label=found.label) is not None,
    )
