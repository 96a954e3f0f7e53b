"""What changed between two versions of a framework, for the public criteria pages: pure,
from the two parsed frameworks."""

from __future__ import annotations

from dataclasses import dataclass

from labelling.criteria.framework import Framework, Indicator, Level
from labelling.criteria.loader import version_key


@dataclass(frozen=True)
class IndicatorChange:
    """An indicator in both versions whose name, thresholds or rubric moved."""

    before: Indicator
    after: Indicator

    @property
    def renamed(self) -> bool:
        return self.before.name != self.after.name

    @property
    def gold_threshold_moved(self) -> bool:
        return self.before.gold_threshold != self.after.gold_threshold

    @property
    def baseline_moved(self) -> bool:
        return self.before.baseline_minimum != self.after.baseline_minimum

    @property
    def rubric_changed(self) -> bool:
        return self.before.rubric != self.after.rubric


@dataclass(frozen=True)
class LevelChange:
    before: Level
    after: Level


@dataclass(frozen=True)
class Changes:
    older: Framework
    newer: Framework
    added: tuple[Indicator, ...]
    removed: tuple[Indicator, ...]
    changed: tuple[IndicatorChange, ...]
    levels_changed: tuple[LevelChange, ...]
    questions_added: tuple[str, ...]
    questions_removed: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.levels_changed
            or self.questions_added
            or self.questions_removed
        )


def compare(older: Framework, newer: Framework) -> Changes:
    """Indicators added, removed and changed (name, thresholds, rubric), level rules that
    moved, and questions added or removed, from `older` to `newer`."""
    before = {indicator.code: indicator for indicator in older.indicators}
    after = {indicator.code: indicator for indicator in newer.indicators}
    changed = tuple(
        IndicatorChange(before[code], after[code])
        for code in after
        if code in before and _differs(before[code], after[code])
    )
    old_levels = {level.id: level for level in older.levels}
    levels_changed = tuple(
        LevelChange(old_levels[level.id], level)
        for level in newer.levels
        if level.id in old_levels and _level_differs(old_levels[level.id], level)
    )
    old_questions = {question.id for question in older.questions}
    new_questions = {question.id for question in newer.questions}
    return Changes(
        older=older,
        newer=newer,
        added=tuple(indicator for code, indicator in after.items() if code not in before),
        removed=tuple(indicator for code, indicator in before.items() if code not in after),
        changed=changed,
        levels_changed=levels_changed,
        questions_added=tuple(q.id for q in newer.questions if q.id not in old_questions),
        questions_removed=tuple(q.id for q in older.questions if q.id not in new_questions),
    )


def _differs(before: Indicator, after: Indicator) -> bool:
    change = IndicatorChange(before, after)
    return (
        change.renamed
        or change.gold_threshold_moved
        or change.baseline_moved
        or change.rubric_changed
    )


def _level_differs(before: Level, after: Level) -> bool:
    return (before.rules, before.assessors, before.validity_months) != (
        after.rules,
        after.assessors,
        after.validity_months,
    )


def previous_version(frameworks: list[Framework], framework: Framework) -> Framework | None:
    """The version of the same framework published just before `framework`, if any."""
    older = [
        f
        for f in frameworks
        if f.id == framework.id and version_key(f.version) < version_key(framework.version)
    ]
    return max(older, key=lambda f: version_key(f.version)) if older else None
