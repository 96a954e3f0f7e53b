"""The criteria in every language: companion files beside a framework version,
`<id>/translations/<version>.<locale>.yaml`, give a translation for each text a person
reads, keyed by where it stands (`indicators.1.1.0.name`, `questions.members_sme.label`).

`text_keys` lists every such text of a framework with its English; `check_companion` says
what a companion lacks or names wrongly; `localised` gives the framework with the
translations in place. Only words change: ids, values and thresholds never do, so the
answers and their fingerprint are the same in every language.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import yaml

from labelling.criteria.framework import PLURAL_CATEGORIES, Framework


def text_keys(framework: Framework) -> dict[str, str]:
    """Every text a person reads, by key, with its English."""
    keys = {"framework.title": framework.title}
    if framework.short_title and framework.short_title != framework.title:
        keys["framework.short_title"] = framework.short_title
    for level in framework.levels:
        keys[f"levels.{level.id}.name"] = level.name
        keys[f"levels.{level.id}.tagline"] = level.tagline
    for area in framework.areas:
        keys[f"areas.{area.code}"] = area.name
    for rule in framework.eligibility:
        keys[f"eligibility.{rule.id}"] = rule.label
    for indicator in framework.indicators:
        keys[f"indicators.{indicator.code}.name"] = indicator.name
        if indicator.help:
            keys[f"indicators.{indicator.code}.help"] = indicator.help
        for band in indicator.rubric:
            keys[f"indicators.{indicator.code}.rubric.{band.band}"] = band.descriptor
    for section in framework.sections:
        keys[f"sections.{section.id}"] = section.title
        for question in section.questions:
            keys[f"questions.{question.id}.label"] = question.label
            if question.help:
                keys[f"questions.{question.id}.help"] = question.help
            for choice in question.choices:
                keys[f"questions.{question.id}.choices.{choice.value}"] = choice.label
            for band in question.rubric:
                keys[f"questions.{question.id}.rubric.{band.band}"] = band.descriptor
    for item in framework.derived:
        keys[f"derived.{item.id}"] = item.label
    for unit in units_in(framework):
        keys[f"units.{unit}"] = unit
    return keys


def units_in(framework: Framework) -> list[str]:
    """The units values are read in ("years", "days per FTE and year"), each once; a bare
    symbol ("%") reads the same everywhere and is left out."""
    measured = [*framework.indicators, *framework.questions, *framework.derived]
    return sorted({m.unit for m in measured if any(c.isalpha() for c in m.unit)})


def companion_path(framework: Framework, locale: str) -> Path:
    return Path(framework.path).parent / "translations" / f"{framework.version}.{locale}.yaml"


@lru_cache(maxsize=64)
def _read(path: str, mtime: int) -> dict[str, str]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return {str(key): str(value) for key, value in (data.get("texts") or {}).items()}


def companion(framework: Framework, locale: str) -> dict[str, str] | None:
    """The translations of one locale, or None when there is no companion file."""
    if not framework.path:
        return None
    path = companion_path(framework, locale)
    if not path.is_file():
        return None
    return _read(str(path), path.stat().st_mtime_ns)


def check_companion(framework: Framework, locale: str) -> tuple[list[str], list[str]]:
    """(missing keys, unknown keys) of a locale's companion; every key is missing when
    there is no companion."""
    texts = companion(framework, locale) or {}
    expected = text_keys(framework)
    missing = [key for key in expected if not texts.get(key, "").strip()]
    units = set(units_in(framework))
    unknown = [key for key in texts if key not in expected and not _is_unit_form(key, units)]
    return missing, unknown


def _is_unit_form(key: str, units: set[str]) -> bool:
    """`units.<unit>.<category>`: a unit's form after a number of that plural category
    (`units.years.one: Jahr`). Optional: the plain form serves where none is given."""
    base, _dot, category = key.rpartition(".")
    unit = base.removeprefix("units.")
    return unit != base and unit in units and category in PLURAL_CATEGORIES


def localised(framework: Framework, locale: str | None) -> Framework:
    """The framework with its texts in `locale` where the companion has them (English
    elsewhere). No companion: the framework itself. English may have one too, holding
    only the units' forms after a number ("1 year")."""
    if not locale:
        return framework
    texts = companion(framework, locale)
    if not texts:
        return framework
    key = (framework.key, framework.digest, locale, id(texts))
    if key not in _LOCALISED:
        _LOCALISED[key] = _translated(framework, texts, locale)
    return _LOCALISED[key]


# One translated framework per version, content and language (companions are read once per
# file change, so `id(texts)` names a content).
_LOCALISED: dict[tuple, Framework] = {}


def _translated(framework: Framework, texts: dict[str, str], locale: str) -> Framework:
    def say(key: str, english: str) -> str:
        return texts.get(key) or english

    def unit(english: str) -> str:
        return say(f"units.{english}", english) if english else english

    unit_forms = tuple(
        (unit(english), category, texts[f"units.{english}.{category}"])
        for english in units_in(framework)
        for category in PLURAL_CATEGORIES
        if texts.get(f"units.{english}.{category}")
    )

    def bands(prefix: str, rubric):
        return tuple(replace(b, descriptor=say(f"{prefix}.{b.band}", b.descriptor)) for b in rubric)

    return replace(
        framework,
        locale=locale,
        unit_forms=unit_forms,
        title=say("framework.title", framework.title),
        short_title=say("framework.short_title", framework.short_title),
        levels=tuple(
            replace(
                level,
                name=say(f"levels.{level.id}.name", level.name),
                tagline=say(f"levels.{level.id}.tagline", level.tagline),
            )
            for level in framework.levels
        ),
        areas=tuple(replace(a, name=say(f"areas.{a.code}", a.name)) for a in framework.areas),
        eligibility=tuple(
            replace(r, label=say(f"eligibility.{r.id}", r.label)) for r in framework.eligibility
        ),
        indicators=tuple(
            replace(
                i,
                name=say(f"indicators.{i.code}.name", i.name),
                help=say(f"indicators.{i.code}.help", i.help),
                unit=unit(i.unit),
                rubric=bands(f"indicators.{i.code}.rubric", i.rubric),
            )
            for i in framework.indicators
        ),
        sections=tuple(
            replace(
                s,
                title=say(f"sections.{s.id}", s.title),
                questions=tuple(
                    replace(
                        q,
                        label=say(f"questions.{q.id}.label", q.label),
                        help=say(f"questions.{q.id}.help", q.help),
                        unit=unit(q.unit),
                        choices=tuple(
                            replace(c, label=say(f"questions.{q.id}.choices.{c.value}", c.label))
                            for c in q.choices
                        ),
                        rubric=bands(f"questions.{q.id}.rubric", q.rubric),
                    )
                    for q in s.questions
                ),
            )
            for s in framework.sections
        ),
        derived=tuple(
            replace(d, label=say(f"derived.{d.id}", d.label), unit=unit(d.unit))
            for d in framework.derived
        ),
    )


def template(framework: Framework, locale: str) -> str:
    """A companion to fill in: every key with its English, as YAML comments beside."""
    lines = [f"# {framework.key}: the texts in {locale}", f"locale: {locale}", "texts:"]
    existing = companion(framework, locale) or {}
    for key, english in text_keys(framework).items():
        entry = yaml.safe_dump({key: existing.get(key, "")}, allow_unicode=True, width=1000)
        lines.append(f"  {entry.strip()}")
        lines.append(f"  # en: {english}")
    return "\n".join(lines) + "\n"
