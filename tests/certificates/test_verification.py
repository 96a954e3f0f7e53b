"""Verification from outside: the QR code, a PDF copy's hash check, the JSON for machines."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader, PdfWriter

from labelling.assessments import services
from labelling.certificates import services as certificates
from labelling.certificates.services import certificate_pdf
from labelling.extensions import db
from tests.certificates.test_certificates import awarded
from tests.factories import with_mini_framework


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def decoded_qr_codes(pdf: bytes) -> list[str]:
    """Rasterise the PDF's pages as a phone camera would see them, and read the QR codes."""
    document = pypdfium2.PdfDocument(pdf)
    found = []
    for page in document:
        image = page.render(scale=3).to_pil()
        found += [barcode.text for barcode in zxingcpp.read_barcodes(image)]
    return found


def check(client, content: bytes, expected: str = ""):
    return client.post(
        "/verify",
        data={"document": (io.BytesIO(content), "certificate.pdf"), "expected_number": expected},
        content_type="multipart/form-data",
    )


def test_the_qr_code_decodes_to_the_verification_url(app, client):
    _label, certificate, _people = awarded()
    assert decoded_qr_codes(certificate_pdf(certificate)) == [certificate.context["verify_url"]]
    path = certificate.context["verify_url"].split("://", 1)[1].split("/", 1)[1]
    page = client.get(f"/{path}")
    assert page.status_code == 200 and "Valid" in page.text


def test_a_genuine_pdf_passes_the_check_and_shows_its_status(app, client):
    _label, certificate, _people = awarded()
    response = check(client, certificate_pdf(certificate), certificate.number)
    assert response.status_code == 200
    assert f"Genuine and unaltered: this is certificate {certificate.number}" in response.text
    assert "Valid" in response.text and "not the certificate you were checking" not in response.text


def test_a_tampered_pdf_fails_the_check(app, client):
    _label, certificate, _people = awarded()
    # Re-saved by a PDF editor with one field changed: it still opens, and it still reads
    # like the certificate, but it is not the file we issued.
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(certificate_pdf(certificate))))
    writer.add_metadata({"/Title": "Certificate (edited)"})
    edited = io.BytesIO()
    writer.write(edited)
    one_byte = bytearray(certificate_pdf(certificate))
    one_byte[len(one_byte) // 2] ^= 0x01
    for tampered in (edited.getvalue(), bytes(one_byte)):
        assert tampered != certificate_pdf(certificate) and tampered.startswith(b"%PDF-")
        response = check(client, tampered)
        assert response.status_code == 422
        assert "not a certificate we issued, or it has been changed" in response.text
        assert "Genuine" not in response.text


def test_a_revoked_certificate_checks_as_genuine_but_revoked(app, client):
    label, certificate, people = awarded()
    certificates.change_label_status(label, "revoke", people["secretariat"], "Figures were false")
    db.session.commit()
    response = check(client, certificate_pdf(certificate))
    assert "Genuine and unaltered" in response.text
    assert "Revoked" in response.text and "Figures were false" in response.text


def test_the_upload_must_be_a_small_pdf(app, client):
    not_pdf = check(client, b"GIF89a not a pdf")
    assert not_pdf.status_code == 422 and "This file is not a PDF." in not_pdf.text
    huge = check(client, b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024 + 10))
    assert huge.status_code == 422 and "larger than 5 MB" in huge.text
    missing = client.post("/verify", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "Choose the PDF file to check." in missing.text


def test_the_check_names_a_different_certificate(app, client):
    _label, certificate, _people = awarded()
    response = check(client, certificate_pdf(certificate), "GOLD-DEU-2026-AAAA-BBBB")
    assert "It is not the certificate you were checking (GOLD-DEU-2026-AAAA-BBBB)" in response.text


def test_looking_up_by_number_from_the_form(app, client):
    _label, certificate, _people = awarded()
    response = client.get(f"/verify?number={certificate.number.lower()}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/verify/{certificate.number}")
    start = client.get("/verify")
    assert 'for="number"' in start.text and 'enctype="multipart/form-data"' in start.text


def test_the_json_verification(app, client):
    label, certificate, people = awarded()
    body = client.get(f"/api/v1/certificates/{certificate.number}").get_json()
    assert body["status"] == "active" and body["valid"] is True
    assert body["sha256"] == certificate.sha256
    assert body["organisation_name"] == label.organisation.legal_name
    assert body["valid_until"] == "2028-02-29" and body["label"]["id"] == label.id

    certificates.change_label_status(label, "suspend", people["secretariat"], "Under review")
    db.session.commit()
    suspended = client.get(f"/api/v1/certificates/{certificate.number}")
    assert suspended.status_code == 200
    assert suspended.get_json()["valid"] is False
    assert suspended.get_json()["status_reason"] == "Under review"

    certificates.change_label_status(label, "revoke", people["secretariat"], "Figures were false")
    db.session.commit()
    revoked = client.get(f"/api/v1/certificates/{certificate.number}")
    assert revoked.status_code == 410
    body = revoked.get_json()
    assert body["error"]["status"] == 410
    assert body["error"]["revocation_reason"] == "Figures were false"
    assert body["certificate"]["status"] == "revoked"

    unknown = client.get("/api/v1/certificates/GOLD-DEU-2026-0000-0000")
    assert unknown.status_code == 404
    assert "There is no such certificate" in unknown.get_json()["error"]["message"]
    odd = client.get("/api/v1/certificates/%00%27--")
    assert odd.status_code == 404


def test_a_reissue_points_from_the_old_number_to_the_new(app, client):
    label, certificate, people = awarded()
    framework = services.framework_of(label.application)
    newer = certificates.issue_certificate(label, framework, people["secretariat"])
    db.session.commit()
    old = client.get(f"/api/v1/certificates/{certificate.number}").get_json()
    assert old["status"] == "superseded" and old["superseded_by"] == newer.number
    page = client.get(f"/verify/{certificate.number}").text
    assert f"/verify/{newer.number}" in page


class TestOneIssuer:
    @pytest.fixture
    def app_config(self, app_config):
        return {**with_mini_framework(app_config), "LABELLING_BODY_NAME": "Nordic Label Body"}

    def test_the_certificate_its_verification_and_the_api_name_one_issuer(self, app, client):
        """Issue 28, finding 2: the verification page and the API named the framework's
        owner as the issuer, the certificate the labelling body."""
        from labelling.frameworks.services import current_framework

        owner = current_framework().issuer
        _label, certificate, _people = awarded()
        text = " ".join(
            page.extract_text()
            for page in PdfReader(io.BytesIO(certificate_pdf(certificate))).pages
        )
        page = client.get(f"/verify/{certificate.number}").text
        body = client.get(f"/api/v1/certificates/{certificate.number}").get_json()
        assert "Nordic Label Body" in text
        assert "Nordic Label Body" in page and owner not in page
        assert body["issuer"] == "Nordic Label Body"
