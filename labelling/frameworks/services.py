"""The frameworks loaded at start-up: the current one and every version in the reader's
language, the names and order of the levels, and a framework file's data as published."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import yaml
from flask import current_app

from labelling.core.hooks import Registry
from labelling.core.languages import page_locale
from labelling.criteria.framework import Framework
from labelling.criteria.loader import FrameworkRegistry, version_key
from labelling.criteria.translations import localised

# name -> `notice(framework)`: a line the criteria pages show with a version, as
# {"text": ..., "url": ...}, or None. The consultation on drafts registers one.
VERSION_NOTICES: Registry[Callable[[Framework], dict | None]] = Registry("version notices")


def notices_of(framework: Framework) -> list[dict]:
    return [notice for notice_of in VERSION_NOTICES if (notice := notice_of(framework))]


def load_criteria(app) -> None:
    """Read the framework versions, and the drafts beside them, into the application: at
    start-up, and again when a draft file is added (the demo adds one)."""
    published = FrameworkRegistry.from_directory(app.config.get("CRITERIA_DIRECTORY") or None)
    app.extensions["criteria"] = published.with_drafts(drafts_directory(app))


def drafts_directory(app) -> Path:
    configured = app.config.get("CRITERIA_DRAFTS_DIRECTORY")
    return Path(configured) if configured else Path(app.instance_path) / "criteria-drafts"


def loaded() -> FrameworkRegistry:
    """Every framework version read from disk when the application started."""
    return current_app.extensions["criteria"]


def current_framework() -> Framework:
    """The framework new applications start on, in the reader's language."""
    framework = loaded().get(current_app.config["CRITERIA_DEFAULT_FRAMEWORK"])
    return localised(framework, page_locale())


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


def every_version() -> list[Framework]:
    """Every version on disk, newest version of each framework first."""
    newest_first = sorted(
        (localised(f, page_locale()) for f in loaded()),
        key=lambda f: version_key(f.version),
        reverse=True,
    )
    return sorted(newest_first, key=lambda f: f.id)  # stable: versions stay newest first


def source_data(framework: Framework) -> dict:
    """The file as parsed, for the JSON copy (dates as ISO text)."""
    text = Path(framework.path).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def json_default(value):
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")
