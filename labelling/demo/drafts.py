"""Demo draft: the next version of the current framework, with the Gold level's minimum
score raised from 80 % to 85 % (two of the demo's Gold decisions would fall) and more
training days asked of the management team (indicator 2.2.3), open for public comment for
a month. The file is written to the drafts directory beside the published criteria, as a
labelling body would put a draft there, and the criteria are read again."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from flask import current_app

from labelling.drafts import consultation
from labelling.frameworks.services import drafts_directory, load_criteria, loaded

VERSION = "2013.2"
COMMENT_DAYS = 30
TRAINING = "measure: training_days_per_fte\n    provisional: true\n    gold_threshold: "
# (as published, as drafted): each must be found once in the published file.
CHANGES = (
    ('version: "2013.1"', f'version: "{VERSION}"'),
    ("status: active", "status: draft"),
    ("min_score_percent: 80", "min_score_percent: 85"),
    (TRAINING + '{comparator: ">=", value: 5}', TRAINING + '{comparator: ">=", value: 6}'),
)


def drafted_text(published: str) -> str:
    for before, after in CHANGES:
        if published.count(before) != 1:
            raise ValueError(f"the demo draft expects {before!r} once in the published file")
        published = published.replace(before, after)
    return published


def load_demo_draft(staff) -> None:
    base = loaded().get(current_app.config["CRITERIA_DEFAULT_FRAMEWORK"])
    folder = drafts_directory(current_app) / base.id
    target = folder / f"{VERSION}.yaml"
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text(drafted_text(Path(base.path).read_text(encoding="utf-8")), "utf-8")
        _copy_translations(Path(base.path).parent / "translations", folder / "translations", base)
        load_criteria(current_app)
    if consultation.consultation_of(base.id, VERSION) is None:
        until = date.today() + timedelta(days=COMMENT_DAYS)
        consultation.open_consultation(base.id, VERSION, until, staff)


def _copy_translations(source: Path, target: Path, base) -> None:
    """The texts do not change: the draft reads in every language the version does."""
    target.mkdir(exist_ok=True)
    for companion in source.glob(f"{base.version}.*.yaml"):
        language = companion.name.removeprefix(f"{base.version}.")
        (target / f"{VERSION}.{language}").write_text(companion.read_text("utf-8"), "utf-8")
