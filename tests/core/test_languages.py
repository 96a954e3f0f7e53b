"""Languages readers choose: `?lang=` links for sharing, hreflang alternates on public pages,
and the catalogues kept in step with the code (a string added without updating the
catalogue, a fuzzy entry, or a stale compiled catalogue fails here)."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from labelling.config import Config
from tests.conftest import PASSWORD
from tests.factories import sign_in

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "labelling" / "translations"
OTHER_LANGUAGES = [code for code in Config.LANGUAGES if code != "en"]


def test_a_shared_link_opens_in_its_language(client):
    assert 'lang="de"' in client.get("/?lang=de").text
    assert 'lang="fr"' in client.get("/registry?lang=fr").text
    assert 'lang="en"' in client.get("/?lang=xx").text  # unknown: ignored


def test_public_pages_name_their_alternates(client):
    page = client.get("/criteria/?x=1").text
    alternates = {
        code: html.unescape(href)
        for code, href in re.findall(r'hreflang="([^"]+)" href="([^"]+)"', page)
    }
    assert alternates["de"] == "http://localhost/criteria/?x=1&lang=de"
    assert alternates["x-default"] == "http://localhost/criteria/?x=1"
    assert set(alternates) == {"en", "de", "fr", "es", "it", "pl", "x-default"}


def test_signed_in_pages_have_no_alternates(client, manager):
    sign_in(client, manager.email)
    assert "hreflang" not in client.get("/dashboard").text


def _message_ids(catalog) -> set:
    return {
        message.id if isinstance(message.id, str) else tuple(message.id)
        for message in catalog
        if message.id
    }


def test_the_template_is_extracted_from_the_code_as_it_is(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-w",
            "100",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with fresh.open("rb") as new, (TRANSLATIONS / "messages.pot").open("rb") as committed:
        missing = _message_ids(read_po(new)) - _message_ids(read_po(committed))
    assert not missing, f"run pybabel extract and update: {sorted(map(str, missing))[:5]}"


@pytest.mark.parametrize("locale", OTHER_LANGUAGES)
def test_catalogues_translate_every_string_no_fuzzy_entry_and_are_compiled(locale):
    folder = TRANSLATIONS / locale / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as source:
        catalog = read_po(source)
    with (TRANSLATIONS / "messages.pot").open("rb") as template:
        expected = _message_ids(read_po(template))
    assert expected <= _message_ids(catalog), "run pybabel update"
    assert [m.id for m in catalog if m.id and m.fuzzy] == []
    empty = [
        m.id
        for m in catalog
        if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    assert empty == [], f"{len(empty)} untranslated, e.g. {empty[:3]}"
    with (folder / "messages.mo").open("rb") as compiled:
        shipped = read_mo(compiled)
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]: m.string
        for m in catalog
        if m.id and m.string and (isinstance(m.string, str) or all(m.string))
    }
    for key, text in translated.items():
        found = shipped.get(key)
        shipped_text = found.string if found is not None else None
        if not isinstance(text, str):  # plural forms: compare the forms
            text, shipped_text = list(text), list(shipped_text or ())
        assert shipped_text == text, f"run pybabel compile ({key!r})"


def test_an_account_keeps_the_language_it_was_opened_in(client):
    from labelling.accounts.models import User
    from labelling.extensions import db

    client.post(
        "/register",
        data={
            "full_name": "Dora Deutsch",
            "email": "dora@example.org",
            "password": "a long passphrase",
            "confirm": "a long passphrase",
        },
        headers={"Accept-Language": "de-DE,de;q=0.9"},
    )
    user = db.session.scalar(db.select(User).filter_by(email="dora@example.org"))
    assert user is not None and user.locale == "de"


def test_the_verification_page_speaks_the_readers_language(client, manager):
    from datetime import date

    from labelling.certificates.services import current_certificate
    from tests.factories import labelled_organisation

    label = labelled_organisation(
        manager, "silver", date(2026, 3, 15), with_certificate=True, country_code="DK"
    )
    number = current_certificate(label).number
    german = client.get(f"/verify/{number}?lang=de").text
    assert "Dänemark" in german and "Denmark" not in german
    assert "Silber" in german and "15.03.2026" in german
    french = client.get(f"/registry/organisations/{label.organisation_id}?lang=fr").text
    assert "Danemark" in french and "Argent" in french


def test_the_home_page_names_the_levels_in_the_readers_language(client):
    page = client.get("/?lang=de").text
    assert "<h3>Silber</h3>" in page and "<h3>Silver</h3>" not in page


@pytest.mark.parametrize("locale", ["pl", "de"])
def test_scores_read_with_the_readers_decimal_comma(client, locale):
    from labelling.assessments.models import Application
    from labelling.demo.data import load_demo_data
    from labelling.demo.people import DEMO_PASSWORD
    from labelling.extensions import db
    from labelling.organisations.models import Organisation

    load_demo_data()
    db.session.commit()
    draft = db.session.scalars(
        db.select(Application)
        .join(Organisation)
        .filter_by(legal_name="Klaster Technologii Kosmicznych")
        .where(Application.state == "draft")
    ).one()
    sign_in(client, "manager2@example.org", DEMO_PASSWORD)
    page = client.get(f"/applications/{draft.id}/questionnaire/structure?lang={locale}").text
    scores = re.findall(r"(\d+(?:[.,]\d+)?)\s%", page)
    assert scores and any("," in score for score in scores)
    assert not [score for score in scores if "." in score]  # 9,6 %, never 9.6 %


def test_forms_name_countries_and_languages_for_the_reader(client, manager):
    manager.locale = "pl"
    sign_in(client, manager.email)
    page = client.get("/organisations/new").text
    assert '<option value="DK">Dania</option>' in page  # Denmark, in Polish
    assert '<option value="AT">Austria</option>' in page.split('value="DK"')[0]  # A before D
    for name in ("English", "Deutsch", "Français", "Español", "Italiano", "Polski"):
        assert f">{name}</option>" in page  # the switcher and the correspondence language


def test_each_recipient_reads_their_e_mail_in_their_own_language(client, manager, secretariat):
    from labelling.extensions import db
    from tests.factories import labelled_organisation, last_email

    label = labelled_organisation(manager, "silver", with_certificate=True)
    manager.locale = "fr"
    db.session.commit()
    # The secretariat works in German; the French manager is told in French.
    client.post("/login?lang=de", data={"email": secretariat.email, "password": PASSWORD})
    url = f"/secretariat/labels/{label.id}?lang=de"
    assert client.post(url, data={"action": "suspend", "comment": "Audit"}).status_code == 303
    told = last_email(manager.email)
    assert told.subject == "Votre label Argent est suspendu"
    assert "Argent" in told.body_text and "Silber" not in told.body_text
    # A reset asked for from an English page reaches a German account in German.
    secretariat.locale = "de"
    db.session.commit()
    client.post("/logout")
    client.post("/password/forgot?lang=en", data={"email": secretariat.email})
    assert "Passwort" in last_email(secretariat.email).subject
