"""Names and order of levels and countries as the public registry shows them."""

from __future__ import annotations

import pycountry
from flask_babel import get_locale

from labelling.assessments.services import current_framework


def level_ranks() -> dict[str, int]:
    """level id -> rank, from the current framework (a higher rank is a higher level)."""
    return {level.id: level.rank for level in current_framework().levels}


def level_names() -> dict[str, str]:
    return {level.id: level.name for level in current_framework().levels}


def level_name(level: str) -> str:
    """A level id ("gold") as the reader's language names it in the current framework."""
    return level_names().get(level, level.capitalize()) if level else ""


def level_tagline(level: str) -> str:
    found = [each.tagline for each in current_framework().levels if each.id == level]
    return found[0] if found else ""


def country_name(code: str) -> str:
    """The country in the reader's language (Babel's territory names); pycountry's English
    name outside a request or for a code Babel does not know."""
    locale = get_locale()
    named = locale.territories.get(code) if locale is not None else None
    if named:
        return named
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code
