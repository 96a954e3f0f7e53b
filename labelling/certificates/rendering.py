"""Certificate numbers, the primitives-only context, and the PDF rendered from it."""

from __future__ import annotations

import secrets

import segno
from flask import render_template
from marshmallow import Schema, fields

from labelling.core.pdf import render_pdf

# Crockford's base 32: no I, L, O or U, so a number read aloud or typed is unambiguous.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def certificate_number(level: str, country_alpha3: str, year: int) -> str:
    """Readable and unguessable, e.g. GOLD-DEU-2026-7KQ4-M2XD (40 random bits)."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{level.upper()}-{country_alpha3.upper()}-{year}-{code[:4]}-{code[4:]}"


class CertificateContext(Schema):
    """Everything the certificate shows, as plain strings: the snapshot kept with the PDF."""

    number = fields.String(required=True)
    organisation_name = fields.String(required=True)
    country_name = fields.String(required=True)
    level = fields.String(required=True)
    level_name = fields.String(required=True)
    tagline = fields.String(required=True)
    framework = fields.String(required=True)
    assessment_date = fields.String(required=True)
    valid_until = fields.String(required=True)
    issuer = fields.String(required=True)
    verify_url = fields.String(required=True)


def qr_data_uri(url: str) -> str:
    """The verification URL as a QR code: a PNG of one pixel per module in a data: URI (no
    file, no outside fetch). Scaled up without smoothing (`image-rendering: pixelated`)
    its square modules print as sharply as a vector, and WeasyPrint places a tiny bitmap
    far faster than it draws the equivalent SVG path."""
    return segno.make(url, error="m").png_data_uri(scale=1, border=2)


def render_certificate(context: dict) -> bytes:
    checked = CertificateContext().load(context)
    html = render_template(
        "certificates/certificate_pdf.html", c=checked, qr=qr_data_uri(checked["verify_url"])
    )
    return render_pdf(html, stylesheets=("css/certificate.css",))
