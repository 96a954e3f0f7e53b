"""Suggested partners, with their reasons.

How it scales: matching never looks at every pair. Each opted-in profile has one index row
per indicator it wants to improve or offers (`twinning_interest`, indexed by framework,
side and indicator). For one organisation the database reads only the rows of the few
indicators it wants (partners offering them) or offers (partners wanting them), counts
them per candidate in one grouped pass, applies the hard conditions (a shared working
language as one AND on a bit mask, the country and area choices of both sides) and keeps
the best `CANDIDATES` by the score of `rules.score`. Python then re-ranks those with the
pure rules (the authority), leaves out the pairs that are open, declined recently or
partners at capacity, and words the reasons. The marks behind the rows are refreshed when
a benchmarking is decided; the rows when a profile is saved or switched off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, case, false, func, or_, select

from labelling.db import utcnow
from labelling.extensions import db
from labelling.organisations.models import Organisation
from labelling.twinning.models import Partnership, TwinningInterest, TwinningProfile
from labelling.twinning.rules import (
    OPEN_STATES,
    CountryChoice,
    PartnershipState,
    Side,
    languages_of,
    rank,
)

CANDIDATES = 100  # read from the database before the last filters; 20 are shown


@dataclass(frozen=True)
class Suggestion:
    organisation: Organisation
    score: int
    they_offer: tuple[str, ...]  # indicators the organisation wants that they offer
    we_offer: tuple[str, ...]  # indicators they want that the organisation offers
    same_area: bool
    abroad: bool
    shared_languages: tuple[str, ...]


def side_of(profile: TwinningProfile, organisation: Organisation) -> Side:
    return Side(
        organisation_id=profile.organisation_id,
        wants=frozenset(profile.wants),
        offers=frozenset(profile.offers),
        language_mask=profile.language_mask,
        country_code=organisation.country_code,
        technology_area=organisation.technology_area,
        country_choice=profile.country_choice,
        same_area_only=profile.same_area_only,
    )


def _candidate_ids(mine: Side, framework_id: str) -> list[int]:
    """The best candidates by score, from the index rows alone (hard conditions applied)."""
    interest = TwinningInterest
    they_offer = and_(interest.side == "offer", interest.indicator_code.in_(sorted(mine.wants)))
    they_want = (
        and_(interest.side == "want", interest.indicator_code.in_(sorted(mine.offers)))
        if mine.offers
        else false()
    )
    they = func.sum(case((they_offer, 1), else_=0))
    we = func.sum(case((they_want, 1), else_=0))
    conditions = [
        interest.framework_id == framework_id,
        interest.organisation_id != mine.organisation_id,
        or_(they_offer, they_want),
        interest.language_mask.op("&")(mine.language_mask) != 0,
    ]
    # A candidate's own columns are the same on each of its rows: filtered row by row.
    if mine.country_choice == CountryChoice.SAME_COUNTRY:
        conditions.append(interest.country_code == mine.country_code)
    else:
        conditions.append(
            or_(
                interest.country_choice != CountryChoice.SAME_COUNTRY.value,
                interest.country_code == mine.country_code,
            )
        )
    if mine.same_area_only:
        conditions.append(interest.technology_area == mine.technology_area)
    else:
        conditions.append(
            or_(~interest.same_area_only, interest.technology_area == mine.technology_area)
        )
    score = (
        they
        + we
        + case((they < we, they), else_=we)
        + func.max(case((interest.technology_area == mine.technology_area, 1), else_=0))
    )
    if mine.country_choice == CountryChoice.PREFER_ABROAD:
        score = score + func.max(case((interest.country_code != mine.country_code, 1), else_=0))
    rows = db.session.execute(
        select(interest.organisation_id)
        .where(*conditions)
        .group_by(interest.organisation_id)
        .having(they > 0)
        .order_by(score.desc(), they.desc(), interest.organisation_id)
        .limit(CANDIDATES)
    )
    return [row[0] for row in rows]


def left_out(organisation_id: int, candidates: list[int]) -> set[int]:
    """Candidates paired with the organisation already (requested or active), or declined
    between the two within the quiet period."""
    if not candidates:
        return set()
    quiet = utcnow() - timedelta(days=current_app.config["TWINNING_DECLINE_QUIET_DAYS"])
    either_way = or_(
        and_(Partnership.requester_id == organisation_id, Partnership.partner_id.in_(candidates)),
        and_(Partnership.partner_id == organisation_id, Partnership.requester_id.in_(candidates)),
    )
    rows = db.session.execute(
        select(Partnership.requester_id, Partnership.partner_id).where(
            either_way,
            or_(
                Partnership.state.in_([state.value for state in OPEN_STATES]),
                and_(
                    Partnership.state == PartnershipState.DECLINED.value,
                    Partnership.answered_at >= quiet,
                ),
            ),
        )
    )
    return {requester if requester != organisation_id else partner for requester, partner in rows}


def active_counts(organisation_ids) -> dict[int, int]:
    """How many active partnerships each organisation has (either side)."""
    ids = list(organisation_ids)
    counts: dict[int, int] = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    for column in (Partnership.requester_id, Partnership.partner_id):
        rows = db.session.execute(
            select(column, func.count())
            .where(column.in_(ids), Partnership.state == PartnershipState.ACTIVE.value)
            .group_by(column)
        )
        for organisation_id, count in rows:
            counts[organisation_id] += count
    return counts


def suggestions(profile: TwinningProfile, limit: int = 20) -> list[Suggestion]:
    """The organisation's suggested partners, best first (empty when it is switched off)."""
    if not profile.is_active or profile.framework_id is None or not profile.wants:
        return []
    mine = side_of(profile, profile.organisation)
    ids = _candidate_ids(mine, profile.framework_id)
    excluded = left_out(profile.organisation_id, ids)
    ids = [candidate for candidate in ids if candidate not in excluded]
    if not ids:
        return []
    rows = db.session.execute(
        select(TwinningProfile, Organisation)
        .join(Organisation, Organisation.id == TwinningProfile.organisation_id)
        .where(TwinningProfile.organisation_id.in_(ids), TwinningProfile.is_active)
    ).all()
    counts = active_counts(ids)
    by_id = {
        theirs.organisation_id: (theirs, organisation)
        for theirs, organisation in rows
        if counts[theirs.organisation_id] < theirs.capacity
    }
    sides = [side_of(theirs, organisation) for theirs, organisation in by_id.values()]
    found = []
    for theirs, value in rank(mine, sides)[:limit]:
        organisation = by_id[theirs.organisation_id][1]
        found.append(
            Suggestion(
                organisation=organisation,
                score=value,
                they_offer=tuple(sorted(mine.wants & theirs.offers)),
                we_offer=tuple(sorted(theirs.wants & mine.offers)),
                same_area=theirs.technology_area == mine.technology_area,
                abroad=theirs.country_code != mine.country_code,
                shared_languages=tuple(languages_of(mine.language_mask & theirs.language_mask)),
            )
        )
    return found
