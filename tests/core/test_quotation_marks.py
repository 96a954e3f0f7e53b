"""Words quoted in a page take the quotation marks of its language, and one report has one
name in German (issue 28, finding 7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from labelling.frameworks.services import current_framework

TRANSLATIONS = Path(__file__).parents[2] / "labelling" / "translations"


@pytest.mark.parametrize(
    ("language", "opening", "closing"),
    [("en", "“", "”"), ("de", "„", "“"), ("fr", "« ", " »"), ("pl", "„", "”")],
)
def test_a_tagline_is_quoted_as_the_language_quotes(client, language, opening, closing):
    page = client.get(f"/?lang={language}").text
    assert f'<p class="tagline">{opening}' in page and f"{closing}</p>" in page
    if language == "en":
        gold = next(level for level in current_framework().levels if level.id == "gold")
        assert f"“{gold.tagline}”" in page


def test_german_calls_the_assessment_report_by_one_name():
    with open(TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po", "rb") as file:
        catalog = read_po(file)
    names = {
        catalog.get(message).string
        for message in ("Assessment report", "Read the assessment report")
    }
    assert catalog.get("Assessment report").string == "Begutachtungsbericht"
    assert catalog.get("Assessment report (PDF)").string.startswith("Begutachtungsbericht")
    assert all("Begutachtungsbericht" in name for name in names)
    assert not [m.id for m in catalog if m.string and "Bewertungsbericht" in str(m.string)]
