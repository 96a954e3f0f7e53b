"""Framework files: the shipped ecei-2013 loads; broken copies fail naming path and line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from labelling.criteria.loader import (
    DEFAULT_DIRECTORY,
    FrameworkError,
    FrameworkRegistry,
    load_framework_file,
    load_framework_text,
)

ECEI_FILE = DEFAULT_DIRECTORY / "ecei-2013" / "2013.1.yaml"
ECEI_TEXT = ECEI_FILE.read_text()

# The 31 Gold quality indicators of DOMAIN.md, in order.
DOMAIN_CODES = (
    "1.1.0 1.1.1 1.1.2 1.2 2.1 2.2.1 2.2.2 2.2.3 2.2.4 2.3 2.4 2.5 2.6 2.7 3.1 3.2 "
    "4.1.1 4.1.2 4.1.3 4.1.4 4.1.5 4.1.6 4.2 4.3 4.4 4.5 4.6.1 4.6.2 5.1 5.2 5.3"
).split()
SILVER_AUDITED = set(
    "1.1.0 1.1.1 1.1.2 2.1 2.2.2 2.4 2.5 2.6 2.7 4.1.1 4.1.2 4.1.3 4.1.4 4.1.5 4.1.6 "
    "4.3 4.4 4.6.1 4.6.2".split()
)


def test_ecei_2013_has_every_indicator_of_the_domain():
    framework = load_framework_file(ECEI_FILE)
    assert framework.key == "ecei-2013@2013.1"
    assert [i.code for i in framework.indicators] == DOMAIN_CODES
    assert {i.code for i in framework.indicators if i.silver_audited} == SILVER_AUDITED
    assert all(i.provisional for i in framework.indicators)
    assert [a.code for a in framework.areas] == ["1", "2", "3", "4", "5"]
    assert len(framework.sections) == 6  # the six benchmarking areas
    assert [lv.id for lv in framework.levels] == ["bronze", "silver", "gold"]
    gold = framework.level("gold")
    assert gold.rules.min_score_percent == 80 and gold.assessors.count == 2
    assert framework.indicator("1.1.2").baseline_minimum.conditions[0].value == 15
    assert framework.indicator("2.2.1").baseline_minimum.conditions[0].value == 0.5
    assert len(framework.digest) == 64


def _line_number(text: str, needle: str, occurrence: int = 1) -> int:
    lines = text.splitlines()
    hits = [n for n, line in enumerate(lines, start=1) if needle in line]
    return hits[occurrence - 1]


def test_a_broken_comparator_names_the_file_the_path_and_the_line():
    broken = ECEI_TEXT.replace(
        'gold_threshold: {comparator: ">=", value: 30}\n    baseline_minimum: {comparator: ">=", '
        "value: 15}",
        'gold_threshold: {comparator: "=>", value: 30}\n    baseline_minimum: {comparator: ">=", '
        "value: 15}",
    )
    assert broken != ECEI_TEXT
    with pytest.raises(FrameworkError) as caught:
        load_framework_text(broken, "broken.yaml")
    error = caught.value
    assert error.file == "broken.yaml"
    (path, line, message) = error.problems[0]
    assert path == "indicators[2].gold_threshold.comparator"
    assert line == _line_number(broken, 'comparator: "=>"')
    assert "Must be one of" in message
    assert f"broken.yaml: indicators[2].gold_threshold.comparator (line {line})" in str(error)


def test_missing_required_field_is_reported():
    broken = ECEI_TEXT.replace("    name: Geographical concentration\n", "", 1)
    with pytest.raises(FrameworkError) as caught:
        load_framework_text(broken, "x.yaml")
    assert ("indicators[3].name", "Missing data for required field.") in [
        (p, m) for p, _line, m in caught.value.problems
    ]


def test_unknown_measure_and_area_are_cross_checked():
    broken = ECEI_TEXT.replace("measure: regional_share", "measure: regional_shar").replace(
        'code: "1.2"\n    area: "1"', 'code: "1.2"\n    area: "9"'
    )
    with pytest.raises(FrameworkError) as caught:
        load_framework_text(broken, "x.yaml")
    paths = {p: line for p, line, _m in caught.value.problems}
    assert "indicators[3].measure" in paths and "indicators[3].area" in paths
    assert paths["indicators[3].measure"] == _line_number(broken, "measure: regional_shar")


def test_duplicate_codes_incomplete_rubrics_and_syntax_errors():
    duplicate = ECEI_TEXT.replace('code: "5.3"', 'code: "5.2"')
    with pytest.raises(FrameworkError, match=re.escape("'5.2' is used twice")):
        load_framework_text(duplicate)
    rubric = ECEI_TEXT.replace(
        '    - {band: 4, descriptor: "Excellent', '    - {band: 3, descriptor: "Excellent', 1
    )
    with pytest.raises(FrameworkError, match=r"rubrics\.default.*bands 0, 1, 2, 3, 4"):
        load_framework_text(rubric)
    with pytest.raises(FrameworkError, match=r"\(syntax\) \(line \d+\)"):
        load_framework_text(ECEI_TEXT.replace("areas:\n", "areas: [\n", 1))


def test_file_name_must_match_id_and_version(tmp_path):
    target = tmp_path / "ecei-2013" / "2099.1.yaml"
    target.parent.mkdir()
    target.write_text(ECEI_TEXT)
    with pytest.raises(FrameworkError, match=re.escape("ecei-2013/2013.1.yaml")):
        load_framework_file(target)


def test_registry_serves_pinned_versions_and_the_newest_active_one(tmp_path):
    shutil.copytree(DEFAULT_DIRECTORY / "ecei-2013", tmp_path / "ecei-2013")
    newer = ECEI_TEXT.replace('version: "2013.1"', 'version: "2013.2"')
    (tmp_path / "ecei-2013" / "2013.2.yaml").write_text(newer)
    draft = ECEI_TEXT.replace('version: "2013.1"', 'version: "2013.10"').replace(
        "status: active", "status: draft"
    )
    (tmp_path / "ecei-2013" / "2013.10.yaml").write_text(draft)
    registry = FrameworkRegistry.from_directory(tmp_path)
    assert len(registry) == 3
    assert registry.get("ecei-2013").version == "2013.2"  # drafts are never the default
    assert registry.get("ecei-2013", "2013.1").version == "2013.1"  # a pinned version stays
    with pytest.raises(KeyError):
        registry.get("nope")


def test_check_criteria_command_reports_a_broken_file(app, tmp_path):
    target = tmp_path / "ecei-2013" / "2013.1.yaml"
    target.parent.mkdir()
    target.write_text(ECEI_TEXT.replace("validity_months: 24", "validity_months: -1", 1))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["check-criteria", str(target)])
    assert result.exit_code == 1
    assert "levels[0].validity_months" in result.output
    ok = runner.invoke(args=["check-criteria", str(Path(ECEI_FILE))])
    assert ok.exit_code == 0 and "ecei-2013@2013.1" in ok.output


def test_level_only_questions_name_known_levels_and_stay_out_of_scoring():
    framework = load_framework_text(ECEI_TEXT, "x.yaml")
    asked = {q.id for q in framework.for_level("gold").questions}
    assert "interview_format" not in asked
    assert "interview_format" in {q.id for q in framework.for_level("bronze").questions}
    assert len(framework.for_level("bronze").questions) == len(framework.questions)
    unknown = ECEI_TEXT.replace("levels: [bronze]", "levels: [platinum]")
    with pytest.raises(FrameworkError, match="No level named 'platinum'"):
        load_framework_text(unknown, "x.yaml")
    scored = ECEI_TEXT.replace(
        "{id: press_items_per_year, label:",
        "{id: press_items_per_year, levels: [gold], label:",
    )
    assert scored != ECEI_TEXT
    with pytest.raises(FrameworkError, match="scoring uses is asked at every level"):
        load_framework_text(scored, "x.yaml")


def test_drafts_are_read_from_their_own_directory_and_only_drafts(tmp_path):
    from labelling.demo.drafts import drafted_text

    published = FrameworkRegistry.from_directory()
    assert published.with_drafts(tmp_path / "missing").get("ecei-2013") is not None
    (tmp_path / "ecei-2013").mkdir()
    (tmp_path / "ecei-2013" / "2013.2.yaml").write_text(drafted_text(ECEI_TEXT))
    both = published.with_drafts(tmp_path)
    draft = both.get("ecei-2013", "2013.2")
    assert draft.status == "draft" and draft.level("gold").rules.min_score_percent == 85
    assert both.get("ecei-2013").version == "2013.1"  # the version in force stays
    (tmp_path / "ecei-2013" / "2013.3.yaml").write_text(
        ECEI_TEXT.replace('version: "2013.1"', 'version: "2013.3"')
    )
    with pytest.raises(FrameworkError, match="only drafts belong in the drafts directory"):
        published.with_drafts(tmp_path)
