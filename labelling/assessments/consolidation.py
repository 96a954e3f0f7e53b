"""Several assessors of one application: their results compared indicator by indicator (pure
functions), the ratings they agree on, and the final ratings the recommendation and the
decision rest on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from labelling.assessments.models import Application, ConsolidatedScore, IndicatorScore
from labelling.assessments.services import assessment_date_of, scoring_context
from labelling.criteria.framework import Framework
from labelling.criteria.scoring import (
    IndicatorResult,
    Rating,
    ScoreResult,
    Status,
    score_application,
)
from labelling.extensions import db


@dataclass(frozen=True)
class Comparison:
    code: str
    results: dict[int, IndicatorResult]  # assessor id -> that assessor's result

    @property
    def statuses(self) -> set[Status]:
        return {r.status for r in self.results.values()}

    @property
    def is_complete(self) -> bool:
        """Every assessor has reached a verdict on the indicator."""
        return Status.MISSING not in self.statuses and bool(self.results)

    @property
    def disagrees(self) -> bool:
        """Assessors reached different verdicts (met, not met, not applicable)."""
        decided = self.statuses - {Status.MISSING}
        return len(decided) > 1

    @property
    def points_differ(self) -> bool:
        return len({r.points for r in self.results.values()}) > 1


def compare(results: Mapping[int, ScoreResult]) -> list[Comparison]:
    """One comparison per indicator, in framework order, over each assessor's result."""
    if not results:
        return []
    first = next(iter(results.values()))
    return [
        Comparison(
            indicator.code,
            {assessor: result.indicator(indicator.code) for assessor, result in results.items()},
        )
        for indicator in first.indicators
    ]


def disagreements(comparisons: list[Comparison]) -> list[str]:
    return [c.code for c in comparisons if c.disagrees]


def needs_consolidation(application: Application, framework: Framework) -> bool:
    return framework.level(application.level).assessors.count > 1


def scores_by_assessor(application: Application) -> dict[int, dict[str, IndicatorScore]]:
    rows = db.session.scalars(
        select(IndicatorScore).where(IndicatorScore.application_id == application.id)
    )
    by_assessor: dict[int, dict[str, IndicatorScore]] = {
        a.assessor_id: {} for a in application.accepted_assignments
    }
    for row in rows:
        by_assessor.setdefault(row.assessor_id, {})[row.indicator_code] = row
    return by_assessor


def consolidated_scores(application: Application) -> dict[str, ConsolidatedScore]:
    rows = db.session.scalars(
        select(ConsolidatedScore).where(ConsolidatedScore.application_id == application.id)
    )
    return {row.indicator_code: row for row in rows}


def final_ratings(application: Application, framework: Framework) -> dict[str, Rating]:
    """The ratings the recommendation and decision rest on: where the level has two
    assessors, the lead's consolidated ones over the ratings both gave alike; else the
    (single) lead assessor's own."""
    if needs_consolidation(application, framework):
        consolidated = consolidated_scores(application)
        own = {code: row.as_rating() for code, row in consolidated.items()}
        return {**agreed_ratings(application, framework), **own}
    lead = application.lead_assignment
    if lead is None:
        return {}
    own = scores_by_assessor(application).get(lead.assessor_id, {})
    return {code: row.as_rating() for code, row in own.items()}


def assessed_result(
    application: Application,
    framework: Framework,
    ratings: dict[str, Rating] | None = None,
    as_of: date | None = None,
) -> ScoreResult:
    """Score the answers with assessor ratings (the final ones unless given), counted to
    `as_of` (by default the application's assessment date, else today)."""
    return score_application(
        framework,
        application.answer_values(),
        ratings=final_ratings(application, framework) if ratings is None else ratings,
        not_applicable=application.not_applicable_claims(),
        context=scoring_context(application),
        as_of=as_of or assessment_date_of(application),
    )


def results_by_assessor(application: Application, framework: Framework) -> dict[int, ScoreResult]:
    return {
        assessor_id: assessed_result(
            application, framework, {code: row.as_rating() for code, row in rows.items()}
        )
        for assessor_id, rows in scores_by_assessor(application).items()
    }


def comparisons(application: Application, framework: Framework) -> list[Comparison]:
    return compare(results_by_assessor(application, framework))


def agreed_ratings(application: Application, framework: Framework) -> dict[str, Rating]:
    """The indicators every assessor rated identically (same value, same verdict, same
    points): they stand as consolidated without the lead copying them, so that only the
    disagreements ask for the lead's judgement. A missing row counts as "as the
    applicant's answer says", exactly as for a single assessor."""
    by_assessor = scores_by_assessor(application)
    names = {a.assessor_id: a.assessor.full_name for a in application.assignments}
    agreed = {}
    for comparison in comparisons(application, framework):
        if not comparison.is_complete or comparison.disagrees or comparison.points_differ:
            continue
        rows = [by_assessor[assessor].get(comparison.code) for assessor in comparison.results]
        rating = _rating_if_identical(rows, names)
        if rating is not None:  # else the same verdict from different values: the lead decides
            agreed[comparison.code] = rating
    return agreed


def _rating_if_identical(
    rows: list[IndicatorScore | None], names: dict[int, str] | None = None
) -> Rating | None:
    """The one rating the rows give when all give the same value and verdict (a missing
    row gives none of either), with every comment; None when they differ. With `names`
    (assessor id: name) and more than one comment, each says whose it is: the report
    joined them unnamed ("1.1.0: ... 1.1.0: ...", issue 28)."""
    if len({(r.verified_value, r.status) if r else (None, None) for r in rows}) != 1:
        return None
    commented = [row for row in rows if row is not None and row.comment]
    if names and len(commented) > 1:
        comment = "\n".join(
            f"{names.get(row.assessor_id, '')}: {row.comment}".lstrip(": ") for row in commented
        )
    else:
        comment = "\n".join(row.comment for row in commented)
    ratings = [row.as_rating() for row in rows if row is not None]
    first = ratings[0] if ratings else Rating()
    return Rating(first.verified_value, first.status, comment)


def final_ratings_of_decided(
    applications: list[Application], framework_of
) -> dict[int, dict[str, Rating]]:
    """`final_ratings` of many decided applications in two queries, without scoring.

    Once an assessment is complete every indicator is settled: consolidated by the lead,
    or agreed. An indicator all assessors rated identically (a missing row reads as "as the
    answer says", as in `agreed_ratings`) is agreed unless its outcome was missing, and a
    missing one the lead had to consolidate, whose rating wins. So for a decided
    application the agreed ratings are the identical ones, and no re-scoring is needed to
    find them (the drafts' impact simulation reads 30,000 of these)."""
    ids = [application.id for application in applications]
    scores: dict[int, dict[int, dict[str, IndicatorScore]]] = {i: {} for i in ids}
    for row in db.session.scalars(
        select(IndicatorScore).where(IndicatorScore.application_id.in_(ids))
    ):
        scores[row.application_id].setdefault(row.assessor_id, {})[row.indicator_code] = row
    consolidated: dict[int, dict[str, Rating]] = {i: {} for i in ids}
    for row in db.session.scalars(
        select(ConsolidatedScore).where(ConsolidatedScore.application_id.in_(ids))
    ):
        consolidated[row.application_id][row.indicator_code] = row.as_rating()
    found = {}
    for application in applications:
        framework = framework_of(application)
        by_assessor = {a.assessor_id: {} for a in application.accepted_assignments}
        by_assessor.update(scores[application.id])
        if needs_consolidation(application, framework):
            found[application.id] = {
                **_identical(by_assessor, framework),
                **consolidated[application.id],
            }
        else:
            lead = application.lead_assignment
            own = by_assessor.get(lead.assessor_id, {}) if lead else {}
            found[application.id] = {code: row.as_rating() for code, row in own.items()}
    return found


def _identical(by_assessor: dict, framework: Framework) -> dict[str, Rating]:
    if not by_assessor:
        return {}
    found = {
        indicator.code: _rating_if_identical(
            [own.get(indicator.code) for own in by_assessor.values()]
        )
        for indicator in framework.indicators
    }
    return {code: rating for code, rating in found.items() if rating is not None}
