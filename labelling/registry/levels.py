"""Names and order of levels and countries as the public registry shows them."""

from __future__ import annotations

import pycountry

from labelling.assessments.services import current_framework


def level_ranks() -> dict[str, int]:
    """level id -> rank, from the current framework (a higher rank is a higher level)."""
    return {level.id: level.rank for level in current_framework().levels}


def level_names() -> dict[str, str]:
    return {level.id: level.name for level in current_framework().levels}


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code
