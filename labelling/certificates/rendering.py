"""Certificate numbers, the primitives-only context, and the PDF rendered from it."""

from __future__ import annotations

import base64
import secrets
from datetime import date
from pathlib import Path

import segno
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from marshmallow import Schema, fields

from labelling.core.dates import show_date
from labelling.core.pdf import render_pdf

# Crockford's base 32: no I, L, O or U, so a number read aloud or typed is unambiguous.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def certificate_number(level: str, country_alpha3: str, year: int) -> str:
    """Readable and unguessable, e.g. GOLD-DEU-2026-7KQ4-M2XD (40 random bits)."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{level.upper()}-{country_alpha3.upper()}-{year}-{code[:4]}-{code[4:]}"


class Signatory(Schema):
    name = fields.String(required=True)
    role = fields.String(load_default="")


class CertificateContext(Schema):
    """Everything the certificate shows, as plain strings: the snapshot kept with the PDF.
    (The optional logo and signature images come from the configuration at rendering.)"""

    number = fields.String(required=True)
    organisation_name = fields.String(required=True)
    country_name = fields.String(required=True)
    country_name_en = fields.String(load_default="")
    level = fields.String(required=True)
    level_name = fields.String(required=True)
    level_rank = fields.Integer(load_default=1)
    tagline = fields.String(required=True)
    framework = fields.String(required=True)
    assessment_date = fields.String(required=True)
    valid_until = fields.String(required=True)
    issued_on = fields.String(load_default="")
    issuer = fields.String(required=True)
    body_name = fields.String(load_default="")
    signatories = fields.List(fields.Nested(Signatory), load_default=list)
    verify_url = fields.String(required=True)
    # The organisation's correspondence language, and the dates as ISO for both languages.
    language = fields.String(load_default="en")
    assessed_iso = fields.String(load_default="")
    valid_until_iso = fields.String(load_default="")
    issued_iso = fields.String(load_default="")
    # The head of the audit chain at issue (core.audit), shown on the verification page.
    audit_head = fields.String(load_default="")


# Image types a logo or a signature may have, by file ending.
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}


def image_data_uri(path: str) -> str | None:
    """A configured image (logo, signature) as a data: URI, so that the renderer fetches
    nothing; None when no image is configured. A wrong type or a missing file is a
    configuration error and says so."""
    if not path:
        return None
    file = Path(path)
    kind = IMAGE_TYPES.get(file.suffix.lower())
    if kind is None:
        raise ValueError(f"{path}: a certificate image is PNG, JPEG or SVG")
    return f"data:{kind};base64,{base64.b64encode(file.read_bytes()).decode()}"


def check_certificate_images(config) -> None:
    """Refuse to start with a logo or signature that is not a readable PNG, JPEG or SVG
    file: found at the start by the operator, never at an award by the secretariat."""
    for key in ("CERTIFICATE_LOGO", "CERTIFICATE_SIGNATURE"):
        path = config.get(key)
        if not path:
            continue
        if Path(path).suffix.lower() not in IMAGE_TYPES or not Path(path).is_file():
            raise RuntimeError(f"LABELLING_{key}={path}: not a PNG, JPEG or SVG file")


def signatories(setting) -> list[dict]:
    """CERTIFICATE_SIGNATORIES as people: a list of {name, role} or of "Name|Role", or the
    text "Name|Role; Name|Role" (as an environment variable gives it)."""
    entries = setting.split(";") if isinstance(setting, str) else list(setting or [])
    people = []
    for entry in entries:
        if isinstance(entry, dict):
            people.append({"name": entry["name"], "role": entry.get("role", "")})
        elif entry.strip():
            name, _bar, role = entry.partition("|")
            people.append({"name": name.strip(), "role": role.strip()})
    return people


def qr_data_uri(url: str) -> str:
    """The verification URL as a QR code: a PNG of one pixel per module in a data: URI (no
    file, no outside fetch). Scaled up without smoothing (`image-rendering: pixelated`)
    its square modules print as sharply as a vector, and WeasyPrint places a tiny bitmap
    far faster than it draws the equivalent SVG path."""
    return segno.make(url, error="m").png_data_uri(scale=1, border=2)


def phrases(c: dict) -> dict:
    """The certificate's words in the current locale (the dates in its long form)."""

    def long(iso: str, fallback: str) -> str:
        return show_date(date.fromisoformat(iso), "long") if iso else fallback

    return {
        "certifies": _("certifies that"),
        "awarded": _("has been awarded the"),
        "level": _("%(level)s Label of Cluster Management Excellence", level=c["level_name"]),
        "criteria": _("Criteria"),
        "assessed_on": _("Assessed on"),
        "assessed": long(c["assessed_iso"], c["assessment_date"]),
        "valid_until": _("Valid until"),
        "valid": long(c["valid_until_iso"], c["valid_until"]),
        "issued": _("Issued on %(date)s", date=long(c["issued_iso"], c["issued_on"])),
        "number": _("Certificate %(number)s", number=c["number"]),
        "verify": _("Verify it at"),
        "for_body": _("For the labelling body"),
        "qr": _("QR code of the verification address"),
    }


def render_certificate(context: dict) -> bytes:
    """The certificate in the organisation's language, with English beside it when that is
    another language (funders abroad read it)."""
    checked = CertificateContext().load(context)
    language = checked["language"] or "en"
    english = None
    if language != "en":
        with force_locale("en"):
            english = phrases(checked)
    with force_locale(language):
        html = render_template(
            "certificates/certificate_pdf.html",
            c=checked,
            t=phrases(checked),
            en=english,
            qr=qr_data_uri(checked["verify_url"]),
            logo=image_data_uri(current_app.config["CERTIFICATE_LOGO"]),
            signature=image_data_uri(current_app.config["CERTIFICATE_SIGNATURE"]),
        )
    return render_pdf(html, stylesheets=("css/certificate.css",))
