"""Load framework files, validate them, and keep every version by key.

Every problem is reported as `file: path (line N): message`, so whoever edits a framework
finds the bad line at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from labelling.criteria.framework import (
    Area,
    Assessors,
    Choice,
    Condition,
    Derived,
    EligibilityRule,
    Framework,
    Indicator,
    Level,
    LevelRules,
    PreviousLabelRule,
    Question,
    RubricBand,
    ScoringPolicy,
    Section,
    ShowIf,
    Threshold,
)
from labelling.criteria.schemas import SchemaProblems, load_framework_data

DEFAULT_DIRECTORY = Path(__file__).parent / "frameworks"
NUMERIC_TYPES = ("number", "percentage", "integer", "rating")


class FrameworkError(ValueError):
    """A framework file is invalid. `problems` lists (path, line, message)."""

    def __init__(self, file: Path | str, problems: list[tuple[str, int | None, str]]):
        self.file = str(file)
        self.problems = problems
        lines = [
            f"{self.file}: {path}{f' (line {line})' if line else ''}: {message}"
            for path, line, message in problems
        ]
        super().__init__("Invalid criteria framework:\n" + "\n".join(lines))


# --- locating problems ---------------------------------------------------------------


def _flatten(messages: Any, prefix: str = "") -> Iterable[tuple[str, str]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                yield from _flatten(value, prefix)
                continue
            step = f"[{key}]" if isinstance(key, int) else (f".{key}" if prefix else str(key))
            yield from _flatten(value, prefix + step)
    elif isinstance(messages, list):
        for message in messages:
            yield from _flatten(message, prefix)
    else:
        yield prefix or "(top)", str(messages)


def _line_of(root: yaml.Node | None, path: str) -> int | None:
    """The 1-based line of the deepest node that `path` reaches in the YAML tree."""
    node, line = root, (root.start_mark.line + 1) if root is not None else None
    tokens = path.replace("[", ".[").split(".")
    for token in filter(None, tokens):
        if node is None:
            break
        if token.startswith("[") and isinstance(node, yaml.SequenceNode):
            index = int(token[1:-1])
            node = node.value[index] if index < len(node.value) else None
        elif isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == token), None)
            if match is None:
                return line  # a missing key: point at the mapping that lacks it
            node = match
        else:
            break
        if node is not None:
            line = node.start_mark.line + 1
    return line


# --- cross-references the schema cannot see ----------------------------------------------


def _duplicates(items: list[dict], key: str) -> list[int]:
    seen, dupes = set(), []
    for index, item in enumerate(items):
        if item.get(key) in seen:
            dupes.append(index)
        seen.add(item.get(key))
    return dupes


def _check_references(data: dict) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    sections = data["questionnaire"]["sections"]
    derived = data["questionnaire"]["derived"]
    questions = {q["id"]: q for s in sections for q in s["questions"]}
    rubrics = data["rubrics"]
    areas = {a["code"] for a in data["areas"]}
    level_ids = {level["id"] for level in data["levels"]}
    # Values the scoring reads: a question behind one must be asked at every level.
    used_by_scoring = (
        {indicator["measure"] for indicator in data["indicators"]}
        | {arg for item in derived for arg in item["of"]}
        | {rule["condition"]["measure"] for rule in data["eligibility"]}
    )

    all_questions = [q for s in sections for q in s["questions"]]
    for index in _duplicates(all_questions, "id"):
        problems.append(
            ("questionnaire.sections", f"Question id {all_questions[index]['id']!r} is used twice.")
        )
    for name, items, key in (
        ("indicators", data["indicators"], "code"),
        ("areas", data["areas"], "code"),
        ("levels", data["levels"], "id"),
        ("questionnaire.derived", derived, "id"),
    ):
        for index in _duplicates(items, key):
            problems.append((f"{name}[{index}].{key}", f"{items[index][key]!r} is used twice."))

    # Derived values may use questions and derived values defined above them.
    known = set(questions)
    for index, item in enumerate(derived):
        if item["id"] in questions:
            problems.append(
                (f"questionnaire.derived[{index}].id", f"{item['id']!r} is already a question id.")
            )
        for arg in item["of"]:
            if arg not in known:
                problems.append(
                    (
                        f"questionnaire.derived[{index}].of",
                        f"Unknown value {arg!r} (define it above this line).",
                    )
                )
            elif arg in questions and questions[arg]["type"] not in NUMERIC_TYPES:
                problems.append(
                    (f"questionnaire.derived[{index}].of", f"{arg!r} is not a numeric question.")
                )
        known.add(item["id"])

    for s_index, section in enumerate(sections):
        for q_index, question in enumerate(section["questions"]):
            path = f"questionnaire.sections[{s_index}].questions[{q_index}]"
            if question.get("rubric") and question["rubric"] not in rubrics:
                problems.append((f"{path}.rubric", f"No rubric named {question['rubric']!r}."))
            if question.get("not_above") and question["not_above"] not in known:
                problems.append((f"{path}.not_above", f"Unknown value {question['not_above']!r}."))
            for level in question.get("levels", []):
                if level not in level_ids:
                    problems.append((f"{path}.levels", f"No level named {level!r}."))
            if question.get("levels") and question["id"] in used_by_scoring:
                problems.append(
                    (f"{path}.levels", "A question that scoring uses is asked at every level.")
                )
            show_if = question.get("show_if")
            if show_if and show_if["question"] not in questions:
                problems.append(
                    (f"{path}.show_if.question", f"Unknown question {show_if['question']!r}.")
                )

    for index, indicator in enumerate(data["indicators"]):
        path = f"indicators[{index}]"
        if indicator["area"] not in areas:
            problems.append((f"{path}.area", f"No area with code {indicator['area']!r}."))
        if indicator["measure"] not in known:
            problems.append((f"{path}.measure", f"Unknown value {indicator['measure']!r}."))
        rubric = indicator.get("rubric")
        if isinstance(rubric, str) and rubric not in rubrics:
            problems.append((f"{path}.rubric", f"No rubric named {rubric!r}."))
        for kind in ("gold_threshold", "baseline_minimum"):
            threshold = indicator.get(kind)
            if not threshold:
                continue
            for c_index, condition in enumerate(threshold.get("all_of") or [threshold]):
                measure = condition.get("measure")
                where = f"{path}.{kind}" + (f".all_of[{c_index}]" if "all_of" in threshold else "")
                if measure and measure not in known:
                    problems.append((f"{where}.measure", f"Unknown value {measure!r}."))
                problems.extend(_check_comparator(where, condition, indicator["answer_type"]))

    for index, rule in enumerate(data["eligibility"]):
        if rule["condition"].get("measure") not in known:
            problems.append(
                (f"eligibility[{index}].condition.measure", "Unknown or missing measure.")
            )

    for name, bands in rubrics.items():
        if sorted(b["band"] for b in bands) != [0, 1, 2, 3, 4]:
            problems.append((f"rubrics.{name}", "A rubric has exactly the bands 0, 1, 2, 3, 4."))

    for index, level in enumerate(data["levels"]):
        previous = level["rules"].get("previous_label")
        if previous and previous["min_level"] not in level_ids:
            problems.append(
                (
                    f"levels[{index}].rules.previous_label.min_level",
                    f"No level {previous['min_level']!r}.",
                )
            )
        elif previous and previous["min_age_months"] > previous["max_age_months"]:
            problems.append(
                (f"levels[{index}].rules.previous_label", "min_age_months is above max_age_months.")
            )
    return problems


def _check_comparator(path: str, condition: dict, answer_type: str) -> list[tuple[str, str]]:
    comparator, value = condition.get("comparator"), condition.get("value")
    if comparator == "within_months":
        if answer_type != "date" and not condition.get("measure"):
            return [(f"{path}.comparator", "within_months applies to date answers only.")]
        if not isinstance(value, int) or isinstance(value, bool):
            return [(f"{path}.value", "within_months takes a whole number of months.")]
    elif comparator == "==":
        if answer_type == "yes_no" and not isinstance(value, bool):
            return [(f"{path}.value", "A yes/no threshold is true or false.")]
    elif comparator in (">=", ">", "<=", "<") and (
        isinstance(value, bool) or not isinstance(value, int | float)
    ):
        return [(f"{path}.value", f"{comparator} needs a number.")]
    return []


# --- building the dataclasses ------------------------------------------------------------


def _threshold(raw: dict | None) -> Threshold | None:
    if raw is None:
        return None
    conditions = raw.get("all_of") or [raw]
    return Threshold(
        tuple(Condition(c["comparator"], c["value"], c.get("measure")) for c in conditions)
    )


def _bands(raw) -> tuple[RubricBand, ...]:
    return tuple(
        sorted((RubricBand(b["band"], b["descriptor"]) for b in raw), key=lambda b: b.band)
    )


def _build(data: dict, digest: str) -> Framework:
    rubrics = {name: _bands(bands) for name, bands in data["rubrics"].items()}
    header = data["framework"]
    levels = tuple(
        sorted(
            (
                Level(
                    id=lv["id"],
                    rank=lv["rank"],
                    name=lv["name"],
                    tagline=lv["tagline"],
                    validity_months=lv["validity_months"],
                    renewal_window_months=lv["renewal_window_months"],
                    renewal_extension_months=lv["renewal_extension_months"],
                    assessors=Assessors(**lv["assessors"]),
                    rules=LevelRules(
                        **{
                            **lv["rules"],
                            "previous_label": PreviousLabelRule(**lv["rules"]["previous_label"])
                            if lv["rules"].get("previous_label")
                            else None,
                        }
                    ),
                    fees_eur=dict(lv["fees_eur"]),
                )
                for lv in data["levels"]
            ),
            key=lambda lv: lv.rank,
        )
    )
    indicators = tuple(
        Indicator(
            code=i["code"],
            area=i["area"],
            name=i["name"],
            help=i["help"],
            answer_type=i["answer_type"],
            unit=i["unit"],
            measure=i["measure"],
            provisional=i["provisional"],
            silver_audited=i["silver_audited"],
            allows_not_applicable=i["allows_not_applicable"],
            gold_threshold=_threshold(i["gold_threshold"]),
            baseline_minimum=_threshold(i.get("baseline_minimum")),
            rubric=rubrics[i["rubric"]]
            if isinstance(i.get("rubric"), str)
            else _bands(i.get("rubric") or []),
        )
        for i in data["indicators"]
    )
    sections = tuple(
        Section(
            s["id"],
            s["title"],
            tuple(
                Question(
                    id=q["id"],
                    label=q["label"],
                    type=q["type"],
                    help=q["help"],
                    unit=q["unit"],
                    required=q["required"],
                    min=q.get("min"),
                    max=q.get("max"),
                    max_length=q.get("max_length"),
                    not_above=q.get("not_above"),
                    not_in_future=q["not_in_future"],
                    choices=tuple(Choice(c["value"], c["label"]) for c in q.get("choices") or []),
                    rubric=rubrics.get(q.get("rubric"), ()),
                    show_if=ShowIf(**q["show_if"]) if q.get("show_if") else None,
                    hidden_value=q.get("hidden_value"),
                    prefill_from=q.get("prefill_from"),
                    levels=tuple(q.get("levels", [])),
                )
                for q in s["questions"]
            ),
        )
        for s in data["questionnaire"]["sections"]
    )
    return Framework(
        id=header["id"],
        version=header["version"],
        status=header["status"],
        title=header["title"],
        short_title=header["short_title"] or header["title"],
        published_on=header.get("published_on"),
        appeal_period_days=data["appeals"]["period_days"],
        appeal_decision_days=data["appeals"]["decision_days"],
        retired_on=header.get("retired_on"),
        issuer=header["issuer"],
        source=header["source"],
        scoring=ScoringPolicy(**data["scoring"]),
        levels=levels,
        areas=tuple(Area(a["code"], a["name"]) for a in data["areas"]),
        indicators=indicators,
        eligibility=tuple(
            EligibilityRule(r["id"], r["label"], Condition(**r["condition"]))
            for r in data["eligibility"]
        ),
        sections=sections,
        derived=tuple(
            Derived(d["id"], d["label"], d["op"], tuple(d["of"]), d["unit"])
            for d in data["questionnaire"]["derived"]
        ),
        digest=digest,
    )


# libyaml's parser where installed (about ten times faster: every start reads the files).
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _node_tree(text: str):
    """The parsed nodes with their line numbers, for error messages only."""
    return yaml.compose(text, Loader=yaml.SafeLoader)


def load_framework_text(text: str, source: str = "<string>") -> Framework:
    """Parse and validate one framework. Raises FrameworkError naming path and line."""
    try:
        raw = yaml.load(text, Loader=_FAST_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise FrameworkError(
            source,
            [("(syntax)", mark.line + 1 if mark else None, str(getattr(exc, "problem", exc)))],
        ) from exc
    if not isinstance(raw, dict):
        raise FrameworkError(source, [("(top)", 1, "The file must hold a mapping.")])
    try:
        data = load_framework_data(raw)
    except SchemaProblems as exc:
        root = _node_tree(text)
        problems = [(path, _line_of(root, path), msg) for path, msg in _flatten(exc.messages)]
        raise FrameworkError(source, problems) from exc
    references = _check_references(data)
    if references:
        root = _node_tree(text)
        raise FrameworkError(source, [(p, _line_of(root, p), m) for p, m in references])
    return _build(data, hashlib.sha256(text.encode()).hexdigest())


def load_framework_file(path: Path) -> Framework:
    framework = load_framework_text(path.read_text(encoding="utf-8"), str(path))
    if path.stem != framework.version or path.parent.name != framework.id:
        raise FrameworkError(
            path,
            [
                (
                    "framework",
                    1,
                    (
                        f"The file must be <id>/<version>.yaml: expected "
                        f"{framework.id}/{framework.version}.yaml"
                    ),
                )
            ],
        )
    return replace(framework, path=str(path))


class FrameworkRegistry:
    """Every framework version found under a directory, keyed by id and version."""

    def __init__(self, frameworks: Iterable[Framework]):
        self._by_key = {f.key: f for f in frameworks}

    @classmethod
    def from_directory(cls, directory: Path | str | None = None) -> FrameworkRegistry:
        base = Path(directory) if directory else DEFAULT_DIRECTORY
        files = sorted(base.glob("*/*.yaml"))
        # Files are parsed once per content: a changed file (new mtime) is read again.
        stamp = tuple((str(p), p.stat().st_mtime_ns) for p in files)
        return cls(_load_cached(stamp))

    def with_drafts(self, directory: Path | str) -> FrameworkRegistry:
        """This registry and the drafts found under `directory` (a missing directory adds
        nothing). A file there that is not a draft is refused: publishing a version is a
        change to the criteria directory itself."""
        base = Path(directory)
        files = sorted(base.glob("*/*.yaml")) if base.is_dir() else []
        stamp = tuple((str(p), p.stat().st_mtime_ns) for p in files)
        drafts = _load_cached(stamp)
        for framework in drafts:
            if framework.status != "draft":
                problem = "only drafts belong in the drafts directory"
                raise FrameworkError(framework.path, [("framework.status", None, problem)])
            if framework.key in self._by_key:
                problem = f"version {framework.version} is published already"
                raise FrameworkError(framework.path, [("framework.version", None, problem)])
        return FrameworkRegistry([*self._by_key.values(), *drafts])

    def __iter__(self):
        return iter(sorted(self._by_key.values(), key=lambda f: (f.id, f.version)))

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, framework_id: str, version: str | None = None) -> Framework:
        """A pinned version, or the newest active version when none is given. KeyError if none."""
        if version is not None:
            return self._by_key[f"{framework_id}@{version}"]
        active = [f for f in self if f.id == framework_id and f.status == "active"]
        if not active:
            raise KeyError(framework_id)
        return max(active, key=lambda f: version_key(f.version))


@lru_cache(maxsize=8)
def _load_cached(stamp: tuple[tuple[str, int], ...]) -> tuple[Framework, ...]:
    return tuple(load_framework_file(Path(path)) for path, _mtime in stamp)


def version_key(version: str) -> tuple:
    """ "2013.10" after "2013.9": numeric parts compare as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in version.replace("-", ".").split("."))
