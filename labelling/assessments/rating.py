"""The assessors' ratings of each indicator, and the lead's consolidated ones, saved under a
version guard so that no one overwrites what they have not seen."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from labelling.accounts.models import User
from labelling.assessments.consolidation import needs_consolidation
from labelling.assessments.models import Application, ConsolidatedScore, IndicatorScore
from labelling.assessments.review import (
    SCORING_STATES,
    NothingToConfirm,
    ReviewError,
    StaleScore,
    audit_step,
    require_actor,
    require_state,
)
from labelling.assessments.workflow import Actor
from labelling.criteria.framework import Framework
from labelling.extensions import db


@dataclass(frozen=True)
class RatingInput:
    verified_value: object = None
    status: str | None = None
    comment: str = ""


def _check_rating(framework: Framework, code: str, rating: RatingInput) -> None:
    indicator = framework.indicator(code)  # StopIteration for an unknown indicator
    if rating.status == "not_applicable" and not indicator.allows_not_applicable:
        raise ReviewError("not_applicable_not_allowed", code)
    if rating.status not in (None, "met", "not_met", "not_applicable"):
        raise ReviewError("status_unknown", str(rating.status))
    if indicator.is_rubric and rating.verified_value is not None:
        bands = {band.band for band in indicator.rubric}
        if rating.verified_value not in bands:
            raise ReviewError("band_unknown", str(rating.verified_value))


def _save_rating(row, rating: RatingInput, expected_version: int | None) -> None:
    if expected_version is not None and row.row_version != expected_version:
        raise StaleScore("stale", row.indicator_code)
    row.verified_value = rating.verified_value
    row.status = rating.status or None
    row.comment = rating.comment.strip() or None


def _insert_once(row) -> None:
    """Add a new score row; a concurrent first save of the same row is a stale save."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError as exc:
        raise StaleScore("stale", row.indicator_code) from exc


def _save_rating_row(model, criteria: dict, rating: RatingInput, expected_version, **extra):
    """Create or update the one rating row `criteria` name, guarded by its version."""
    row = db.session.scalar(select(model).filter_by(**criteria))
    if row is None and expected_version is not None:
        raise StaleScore("stale", criteria["indicator_code"])
    is_new = row is None
    row = row or model(**criteria)
    _save_rating(row, rating, None if is_new else expected_version)
    for name, value in extra.items():
        setattr(row, name, value)
    if is_new:
        _insert_once(row)
    db.session.flush()
    return row


def record_score(
    application: Application,
    framework: Framework,
    assessor: User,
    code: str,
    rating: RatingInput,
    expected_version: int | None = None,
) -> IndicatorScore:
    """Save the assessor's own rating of one indicator.

    `expected_version` is the row version the page showed (None for a first save); a
    mismatch, or a racing first save, raises StaleScore instead of overwriting. Raises
    NotAllowed for anyone but an accepted assessor, ReviewError for a bad rating or
    state.
    """
    require_actor(application, assessor, Actor.ASSESSOR)
    require_state(application, *SCORING_STATES)
    _check_rating(framework, code, rating)
    criteria = {"application_id": application.id, "assessor_id": assessor.id}
    row = _save_rating_row(
        IndicatorScore, {**criteria, "indicator_code": code}, rating, expected_version
    )
    audit_step(application, "indicator_scored", assessor, indicator=code, status=row.status)
    return row


def record_consolidated_score(
    application: Application,
    framework: Framework,
    lead: User,
    code: str,
    rating: RatingInput,
    expected_version: int | None = None,
) -> ConsolidatedScore:
    """The lead assessor's consolidated rating for one indicator (two-assessor levels);
    the same version guard as record_score."""
    require_actor(application, lead, Actor.LEAD_ASSESSOR)
    require_state(application, *SCORING_STATES)
    if not needs_consolidation(application, framework):
        raise ReviewError("single_assessor")
    _check_rating(framework, code, rating)
    criteria = {"application_id": application.id, "indicator_code": code}
    row = _save_rating_row(
        ConsolidatedScore, criteria, rating, expected_version, recorded_by_id=lead.id
    )
    audit_step(application, "indicator_consolidated", lead, indicator=code, status=row.status)
    return row


def rating_to_save(
    saved: IndicatorScore | None, typed: RatingInput, confirm: bool, applicant_value
) -> RatingInput | None:
    """What one indicator's entries on an area page ask to save, or None for nothing.

    Confirming takes the applicant's value as the verified one, unless a value was typed;
    an indicator left as it was (no row and nothing typed, or the saved row unchanged) is
    not saved again, so that saving an area touches only what the assessor changed."""
    if confirm and typed.verified_value is None:
        if applicant_value is None:
            raise NothingToConfirm("nothing_to_confirm")
        typed = RatingInput(applicant_value, typed.status, typed.comment)
    if saved is None:
        is_empty = typed.verified_value is None and not typed.status and not typed.comment.strip()
        return None if is_empty and not confirm else typed
    unchanged = (
        saved.verified_value == typed.verified_value
        and (saved.status or None) == (typed.status or None)
        and (saved.comment or "") == typed.comment.strip()
    )
    return None if unchanged else typed
