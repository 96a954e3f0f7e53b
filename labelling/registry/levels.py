"""Names and order of levels as the reader's language and the current framework give them."""

from __future__ import annotations

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
