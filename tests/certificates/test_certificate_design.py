"""A certificate worth framing: A4 landscape, the level's emblem and colour, the labelling
body with its logo, signatories and signature, the dates in the locale's long form, the
verification address and its QR code. Checked on the rendered page (pypdfium2), its text
(pypdf) and its QR code (zxing)."""

from __future__ import annotations

import base64
import os
from datetime import date
from io import BytesIO
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from labelling.certificates.rendering import image_data_uri, signatories
from labelling.certificates.services import certificate_pdf
from labelling.config import Config
from tests.certificates.test_certificates import awarded, pdf_text
from tests.factories import with_mini_framework

# A 2x2 PNG in the EU's blue, as a labelling body's logo would be a file on the server.
LOGO_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGNkMJ7JwMDAxMDAwMDAAAAJIQDQCdaA2gAAAABJRU5ErkJggg=="
)
GOLD_RGB = (0x8A, 0x6D, 0x00)
ARTEFACTS = Path(os.environ.get("LABELLING_TEST_ARTEFACTS", "test-artefacts"))


@pytest.fixture
def app_config(app_config, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(LOGO_PNG)
    return {
        **with_mini_framework(app_config),
        "LABELLING_BODY_NAME": "European Cluster Labelling Body",
        "CERTIFICATE_LOGO": str(logo),
        "CERTIFICATE_SIGNATURE": str(logo),
        "CERTIFICATE_SIGNATORIES": "Dr. Maria Rossi|Chair of the labelling board; "
        "Jan Novak|Head of the secretariat",
    }


def first_page_image(pdf: bytes):
    page = pypdfium2.PdfDocument(pdf)[0]
    return page.get_size(), page.render(scale=2).to_pil().convert("RGB")


def test_the_certificate_reads_as_a_framed_document(app):
    label, certificate, _people = awarded()
    (width, height), image = first_page_image(certificate_pdf(certificate))
    assert width > height  # A4 landscape: 842 x 595 points
    assert round(width) == 842 and round(height) == 595
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTEFACTS / "certificate-gold.png")
    # The level's colour frames the page and draws the emblem.
    colours = image.getcolors(maxcolors=1_000_000)
    gold_pixels = sum(count for count, rgb in colours if _near(rgb, GOLD_RGB))
    assert gold_pixels > 0.02 * image.width * image.height
    text, pages = pdf_text(certificate_pdf(certificate))
    assert pages == 1
    flat = " ".join(text.split())
    for expected in (
        "EUROPEAN CLUSTER LABELLING BODY",
        label.organisation.legal_name,
        "Gold Label of Cluster Management Excellence",
        "15 March 2026",  # assessed on, in the locale's long form
        "29 February 2028",  # valid until
        "Dr. Maria Rossi",
        "Chair of the labelling board",
        "Jan Novak",
        "Mini test framework, version 1.0",
        certificate.number,
    ):
        assert expected in flat, expected
    assert "2026/03/15" not in flat and "2026-03-15" not in flat
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [
        certificate.context["verify_url"]
    ]


def _near(rgb, target, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, target, strict=True))


def test_the_logo_and_signature_are_embedded_never_fetched(app, tmp_path):
    assert image_data_uri("") is None
    uri = image_data_uri(str(Path(app.config["CERTIFICATE_LOGO"])))
    assert uri.startswith("data:image/png;base64,")
    wrong = tmp_path / "logo.gif"
    wrong.write_bytes(b"GIF89a")
    with pytest.raises(ValueError, match="PNG, JPEG or SVG"):
        image_data_uri(str(wrong))


def test_a_wrong_image_setting_stops_the_start_not_an_award(tmp_path):
    from labelling import create_app

    missing = str(tmp_path / "nowhere.png")
    with pytest.raises(RuntimeError, match="CERTIFICATE_LOGO"):
        create_app({"TESTING_CONFIG": True, "INSTANCE_PATH": tmp_path, "CERTIFICATE_LOGO": missing})


def test_signatories_come_from_a_list_or_the_text_of_a_variable():
    assert signatories("A|Chair; B") == [
        {"name": "A", "role": "Chair"},
        {"name": "B", "role": ""},
    ]
    assert signatories([{"name": "A", "role": "Chair"}, "B|Head"]) == [
        {"name": "A", "role": "Chair"},
        {"name": "B", "role": "Head"},
    ]
    assert signatories("") == []


def test_the_web_seal_draws_the_same_emblem(app, client):
    label, _certificate, _people = awarded()
    seal = client.get(f"/seal/{label.id}.svg").text
    assert 'class="emblem"' in seal and "★★★" in seal and "#8a6d00" in seal


def test_a_german_organisation_gets_its_certificate_in_german_with_english_beside(app):
    from labelling.assessments import decisions, services
    from labelling.assessments.workflow import State
    from labelling.certificates import services as certificates
    from labelling.certificates.models import Label
    from labelling.extensions import db
    from tests.factories import application_with_team

    application, people = application_with_team(State.ASSESSED)
    application.organisation.language = "de"
    db.session.commit()
    framework = services.framework_of(application)
    decisions.award_label(application, framework, people["secretariat"], "gold", date(2026, 3, 15))
    db.session.commit()
    label = db.session.scalar(db.select(Label).filter_by(application_id=application.id))
    certificate = certificates.current_certificate(label)
    text = " ".join(pdf_text(certificate_pdf(certificate))[0].split())
    assert "bescheinigt, dass" in text and "certifies that" in text
    assert "15. März 2026" in text and "15 March 2026" in text  # each language's long date
    assert "Gültig bis" in text and "Valid until" in text
    assert "Deutschland" in text and "Germany" in text
    _size, image = first_page_image(certificate_pdf(certificate))
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTEFACTS / "certificate-gold-de.png")
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [
        certificate.context["verify_url"]
    ]


def test_a_new_organisation_takes_its_creator_language(client, manager):
    from labelling.extensions import db
    from labelling.organisations.models import Organisation
    from tests.factories import form_data, organisation_data, sign_in

    manager.locale = "fr"
    db.session.commit()
    sign_in(client, manager.email)
    page = client.get("/organisations/new").text
    assert 'name="language"' in page and "Français" in page
    data = form_data(organisation_data(legal_name="Pôle Lyon")) | {"language": "fr"}
    assert client.post("/organisations/new", data=data).status_code == 303
    organisation = db.session.scalar(db.select(Organisation).filter_by(legal_name="Pôle Lyon"))
    assert organisation.language == "fr"


@pytest.mark.parametrize("language", [code for code in Config.LANGUAGES if code != "en"])
def test_a_certificate_speaks_its_language_as_babel_formats_it(app, manager, language):
    from babel import Locale
    from babel.dates import format_date

    from labelling.certificates.services import current_certificate
    from tests.factories import labelled_organisation

    label = labelled_organisation(
        manager,
        "gold",
        date(2026, 3, 15),
        with_certificate=True,
        country_code="DK",
        language=language,
    )
    certificate = current_certificate(label)
    text = " ".join(pdf_text(certificate_pdf(certificate))[0].split())
    issued = date.fromisoformat(certificate.context["issued_iso"])
    for day in (label.assessment_date, label.valid_until, issued):
        assert format_date(day, "long", locale=language) in text
        assert format_date(day, "long", locale="en_GB") in text  # English beside it
    assert Locale.parse(language).territories["DK"] in text and "Denmark" in text
    assert PdfReader(BytesIO(certificate_pdf(certificate))).trailer["/Root"]["/Lang"] == language
