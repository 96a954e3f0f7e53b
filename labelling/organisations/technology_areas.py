"""A technology area from what people write: the area's key or English name, or one of
the synonyms shipped in data/technology_area_synonyms.yaml (checked when first read)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from labelling.core.text import fold
from labelling.organisations.models import TECHNOLOGY_AREAS

SYNONYMS_FILE = Path(__file__).parent / "data" / "technology_area_synonyms.yaml"


class BadSynonyms(ValueError):
    """The synonyms file names an area that does not exist, or one word for two areas."""


def area_for(text: str) -> str | None:
    """The technology area's key for `text`, or None when nothing known matches."""
    return _names().get(fold(text).strip())


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for key, label in TECHNOLOGY_AREAS.items():
        english = getattr(label, "_args", (label,))[0]  # the lazy string's msgid, untranslated
        for name in (key, key.replace("_", " "), str(english)):
            names[fold(name)] = key
    for key, synonyms in load_synonyms(SYNONYMS_FILE).items():
        for synonym in synonyms:
            names.setdefault(fold(synonym), key)
    return names


def load_synonyms(path: Path) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = sorted(set(data) - set(TECHNOLOGY_AREAS))
    if unknown:
        raise BadSynonyms(f"{path.name}: no technology area {unknown[0]!r}")
    seen: dict[str, str] = {}
    for key, synonyms in data.items():
        if not isinstance(synonyms, list) or not all(isinstance(s, str) for s in synonyms):
            raise BadSynonyms(f"{path.name}: {key} must list words")
        for synonym in synonyms:
            other = seen.setdefault(fold(synonym), key)
            if other != key:
                raise BadSynonyms(f"{path.name}: {synonym!r} is under {other} and {key}")
    return data
