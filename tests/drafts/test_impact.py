"""The impact of a draft on decisions taken, against a brute-force re-scoring of every
case, on the `mini` framework with the Gold threshold of one indicator raised."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

from labelling.criteria.framework import Condition, Threshold
from labelling.criteria.loader import load_framework_file
from labelling.criteria.scoring import Rating, ScoringContext, Status, score_application
from labelling.drafts.impact import Case, simulate
from tests.factories import MINI_DIRECTORY

CURRENT = load_framework_file(MINI_DIRECTORY / "mini" / "1.0.yaml")


def raised(framework, code: str, value):
    """A draft of `framework` with the Gold threshold of `code` at `value`."""
    indicators = tuple(
        replace(i, gold_threshold=Threshold((Condition(">=", value),))) if i.code == code else i
        for i in framework.indicators
    )
    return replace(framework, version="2.0", status="draft", indicators=indicators)


def cases(count: int, seed: int = 3) -> list[Case]:
    rng = random.Random(seed)  # noqa: S311 - test data, not a secret
    found = []
    for number in range(count):
        members = rng.randint(15, 60)
        answers = {
            "members": members,
            "committed": rng.randint(members // 3, members),
            "regional": rng.randint(members // 2, members),
            "turnover": rng.randint(5, 32),
            "strategy": rng.randint(2, 4),
        }
        ratings = {"1.2": Rating(status=Status.MET)} if number % 4 == 0 else {}
        found.append(
            Case(
                number, f"Cluster {number}", rng.choice(["DE", "FR", "PL"]),
                rng.choice(["ict", "food"]), rng.choice(["bronze", "gold"]), answers, ratings,
                {}, ScoringContext(), date(2026, 6, 1),
            )
        )  # fmt: skip
    return found


def brute_force_level(framework, case: Case) -> str | None:
    seen = framework.for_level(case.level)
    result = score_application(
        seen, case.answers, ratings=case.ratings, context=case.context, as_of=case.as_of
    )
    ranks = {level.id: level.rank for level in seen.levels}
    allowed = [
        v.level for v in result.verdicts if v.allowed and ranks[v.level] <= ranks[case.level]
    ]
    return max(allowed, key=ranks.get) if allowed else None


def test_a_raised_threshold_changes_what_a_brute_force_rescoring_says_it_changes():
    draft = raised(CURRENT, "1.1", 75)
    every = cases(300)
    impact = simulate(CURRENT, draft, every)
    expected = [
        case.application_id
        for case in every
        if brute_force_level(CURRENT, case) != brute_force_level(draft, case)
    ]
    assert impact.cases == 300
    assert [change.application_id for change in impact.changes] == expected
    assert len(expected) > 10  # the raised threshold bites: a test that could fail
    assert impact.lowered == len(expected) and impact.raised == 0
    # The raised indicator is behind every change; its share of the count says so.
    assert impact.by_indicator["1.1"] == len(expected)
    assert all(change.before == "gold" for change in impact.changes)
    assert sum(impact.by("country").values()) == len(expected)


def test_an_unchanged_draft_changes_nothing_and_progress_is_heard():
    heard = []
    impact = simulate(CURRENT, replace(CURRENT, version="2.0"), cases(40), heard.append)
    assert (impact.cases, impact.changes) == (40, [])
    assert heard == list(range(1, 41))


def test_a_lowered_threshold_raises_levels():
    impact = simulate(CURRENT, raised(CURRENT, "1.1", 20), cases(300))
    assert impact.raised == len(impact.changes) > 0
    assert all(change.after == "gold" for change in impact.changes)
