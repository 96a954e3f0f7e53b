"""No English left on a translated page: real Chromium renders the pages people use most, on
the demo data, in English and in each other language, and fails on any visible text in the
translated page that equals an English source (a catalogue entry or a framework text) whose
translation is a different text. Data values (names, cities, numbers) are not sources and so
never count. Also saves the German questionnaire and dashboard as artefacts."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from labelling.config import Config
from tests.browser.conftest import ARTEFACTS
from tests.browser.steps import sign_in_as

pytestmark = pytest.mark.browser

TRANSLATIONS = Path(__file__).resolve().parents[2] / "labelling" / "translations"
OTHER_LANGUAGES = [code for code in Config.LANGUAGES if code != "en"]

# Every visible text node of the page, whitespace collapsed.
VISIBLE_TEXT = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.replace(/\\s+/g, " ").trim();
    const element = walker.currentNode.parentElement;
    if (!text || element.closest("script, style, template")) continue;
    if (!element.checkVisibility()) continue;
    texts.push(text);
  }
  return texts;
}"""


@cache
def translated_sources(locale: str) -> frozenset[str]:
    """English sources that read differently in `locale`: catalogue entries and framework
    texts. A source its language writes the same way ("Gold", "Cluster") is not counted."""
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle, locale=locale)
    sources, translations = framework_texts(locale)
    for message in catalogue:
        if not message.id or isinstance(message.id, tuple):
            continue
        if message.string != message.id and "%(" not in message.id:  # untranslated too
            sources.add(" ".join(message.id.split()))
        translations.add(" ".join(message.string.split()))
    # A word may be one entry's source and another's translation ("Register").
    return frozenset(sources - translations)


def framework_texts(locale: str) -> tuple[set[str], set[str]]:
    """The framework texts that read differently in `locale` or lack a translation, and the
    translations."""
    from labelling.criteria.loader import FrameworkRegistry
    from labelling.criteria.translations import companion, text_keys

    sources, translations = set(), set()
    for framework in FrameworkRegistry.from_directory():
        if framework.status == "draft":
            continue  # a draft may lack translations (check-criteria warns)
        texts = companion(framework, locale) or {}
        for key, english in text_keys(framework).items():
            if texts.get(key) != english:  # missing too
                sources.add(" ".join(english.split()))
            if texts.get(key):
                translations.add(" ".join(texts[key].split()))
    return sources, translations


def english_left(page, path: str, locale: str) -> list[str]:
    separator = "&" if "?" in path else "?"
    page.goto(f"{path}{separator}lang={locale}")
    sources = translated_sources(locale)
    return [
        f"{path}: {text!r}"
        for text in page.evaluate(VISIBLE_TEXT)
        if text in sources or bare(text) in sources
    ]


def bare(text: str) -> str:
    """The words of a text without the figures and signs around them: "24 years" and
    "(days)" read as their unit."""
    return re.sub(r"^[\W\d]+|[\W\d]+$", "", text)


@pytest.fixture
def demo(app):
    from labelling.demo.data import load_demo_data
    from labelling.extensions import db

    load_demo_data()
    db.session.commit()
    return db


def demo_paths(db) -> dict[str, list[str]]:
    """The pages to read, per person (None: the public), found in the demo data."""
    from labelling.assessments.models import Application
    from labelling.assessments.services import framework_of
    from labelling.certificates.models import Certificate
    from labelling.organisations.models import Organisation

    def application_of(name: str, state: str) -> Application:
        query = db.select(Application).join(Organisation).filter_by(legal_name=name)
        return db.session.scalars(query.where(Application.state == state)).one()

    draft = application_of("Klaster Technologii Kosmicznych", "draft")
    assessed = application_of("Nordic Food Innovation Cluster ApS", "more_information_requested")
    certificate = db.session.scalars(db.select(Certificate)).first()
    labelled = certificate.label.organisation
    sections = [section.id for section in framework_of(draft).sections]
    indicator = framework_of(assessed).indicators[0].code
    return {
        "": [
            "/",
            "/registry",
            f"/registry/organisations/{labelled.id}",
            f"/verify/{certificate.number}",
            "/registry/statistics",
            "/criteria/",
        ],
        "manager2@example.org": [
            "/dashboard",
            f"/applications/{draft.id}",
            *(f"/applications/{draft.id}/questionnaire/{section}" for section in sections),
            f"/organisations/{draft.organisation_id}/twinning",
            f"/organisations/{draft.organisation_id}/twinning/settings",
        ],
        "assessor@example.org": [
            "/assignments",
            f"/applications/{assessed.id}/review",
            f"/applications/{assessed.id}/review/{indicator}",
            "/assessor/calibration",
        ],
    }


# The manager's pages kept as screenshots, by their place in demo_paths.
SCREENSHOTS = {0: "dashboard", 2: "questionnaire"}


@pytest.mark.parametrize("locale", OTHER_LANGUAGES)
def test_no_english_is_left_on_a_translated_page(page, demo, locale):
    from labelling.demo.people import DEMO_PASSWORD

    found = []
    for person, paths in demo_paths(demo).items():
        if person:
            page.context.clear_cookies()  # whoever read the pages before signs out
            sign_in_as(page, person, DEMO_PASSWORD)
        for number, path in enumerate(paths):
            found += english_left(page, path, locale)
            if person == "manager2@example.org" and number in SCREENSHOTS:
                # The dashboard and the questionnaire's first section, kept as artefacts.
                ARTEFACTS.mkdir(parents=True, exist_ok=True)
                shot = ARTEFACTS / f"{SCREENSHOTS[number]}-{locale}.png"
                page.screenshot(path=shot, full_page=True)
    assert found == [], "\n".join(found)
