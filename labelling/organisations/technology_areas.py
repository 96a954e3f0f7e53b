"""A technology area from what people write: the area's key or English name, one of the
synonyms shipped in data/technology_area_synonyms.yaml (checked when first read), or a
name the secretariat mapped once at a register import (TechnologyAreaName)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import select

from labelling.core.audit import record_event
from labelling.core.text import fold
from labelling.extensions import db
from labelling.organisations.models import TECHNOLOGY_AREAS, TechnologyAreaName

SYNONYMS_FILE = Path(__file__).parent / "data" / "technology_area_synonyms.yaml"


class BadSynonyms(ValueError):
    """The synonyms file names an area that does not exist, or one word for two areas."""


# A name is kept as written up to this length; a longer one is not a technology area.
LONGEST_NAME = 200


def area_for(text: str, mapped: dict[str, str] | None = None) -> str | None:
    """The technology area's key for `text`, or None when nothing known matches;
    `mapped` is what `mapped_areas()` read (the secretariat's own mappings)."""
    folded = fold(text)
    return _names().get(folded) or (mapped or {}).get(folded)


def mapped_areas() -> dict[str, str]:
    """The names the secretariat mapped, folded -> area: read once per import."""
    rows = db.session.execute(select(TechnologyAreaName.folded, TechnologyAreaName.area))
    return {folded: area for folded, area in rows}


def mapped_names() -> list[TechnologyAreaName]:
    """The secretariat's mappings, to review (and forget one made by mistake)."""
    return list(db.session.scalars(select(TechnologyAreaName).order_by(TechnologyAreaName.folded)))


def map_names(choices: dict[str, str], actor) -> list[TechnologyAreaName]:
    """Remember each written name -> area for every later import (a name mapped before
    is mapped again); names the areas or synonyms already know, or that are too long to
    be an area's name, are left out. Flushes, the caller commits."""
    existing = {
        name.folded: name
        for name in db.session.scalars(
            select(TechnologyAreaName).where(
                TechnologyAreaName.folded.in_([fold(written) for written in choices])
            )
        )
    }
    remembered = []
    for written, area in choices.items():
        folded = fold(written)
        if area not in TECHNOLOGY_AREAS or not folded or len(written) > LONGEST_NAME:
            continue
        if folded in _names():
            continue
        name = existing.setdefault(folded, TechnologyAreaName(folded=folded))
        name.written, name.area = written.strip(), area
        name.mapped_by_id = getattr(actor, "id", None)
        db.session.add(name)
        db.session.flush()
        record_event(
            "technology_area_name.mapped",
            "technology_area_name",
            name.id,
            actor=actor,
            comment=f"{name.written} = {area}",
        )
        remembered.append(name)
    return remembered


def forget_name(name: TechnologyAreaName, actor) -> None:
    """A mapping made by mistake: the name is unknown again at the next import."""
    record_event(
        "technology_area_name.forgotten",
        "technology_area_name",
        name.id,
        actor=actor,
        comment=f"{name.written} = {name.area}",
    )
    db.session.delete(name)


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
