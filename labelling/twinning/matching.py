"""Suggested partners, with their reasons.

How it scales: matching never looks at every pair. Each opted-in profile carries its
vectors, precomputed when it is saved and when a benchmarking is decided: the indicators it
wants and offers as bit masks (one bit per indicator, stable across framework versions),
its working languages as a third mask, its country and area. For one organisation the
database walks the opted-in profiles of its framework once (one index covers every column
read, on PostgreSQL), keeps those offering at least one wanted indicator (one AND), applies
the hard conditions of both sides (a shared language is one AND), counts the matching bits
of each with a few integer operations and keeps the best `CANDIDATES` by the score of
`rules.score`: linear in the opted-in organisations, never in pairs, with no join. Python
then re-ranks those with the pure rules (the authority), leaves out the pairs that are
open, declined recently or partners at capacity, and words the reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import Integer, and_, case, func, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from labelling.core.kept import read, write
from labelling.db import utcnow
from labelling.extensions import db
from labelling.organisations.models import Organisation
from labelling.twinning.models import Partnership, TwinningProfile
from labelling.twinning.profiles import bits_for
from labelling.twinning.rules import (
    MAX_INDICATOR_BITS,
    OPEN_STATES,
    CountryChoice,
    PartnershipState,
    Side,
    code_mask,
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


class _BitsInCommon(ColumnElement):
    """How many bits `column` has in common with the constant `mask`. PostgreSQL counts
    them in one call (bit_count); elsewhere one CASE term per bit of the mask."""

    inherit_cache = False
    type = Integer()

    def __init__(self, column, mask: int):
        self.column, self.mask = column, mask


@compiles(_BitsInCommon)
def _bits_by_terms(element, compiler, **kw):
    bits = [1 << bit for bit in range(MAX_INDICATOR_BITS) if element.mask & (1 << bit)]
    if not bits:
        return "0"
    column = compiler.process(element.column, **kw)
    return (
        "(" + " + ".join(f"(CASE WHEN ({column} & {b}) != 0 THEN 1 ELSE 0 END)" for b in bits) + ")"
    )


@compiles(_BitsInCommon, "postgresql")
def _bits_by_bit_count(element, compiler, **kw):
    column = compiler.process(element.column, **kw)
    return f"bit_count(CAST(({column} & {int(element.mask)}) AS BIT(64)))"


def _candidate_ids(profile: TwinningProfile, mine: Side) -> list[int]:
    """The best candidates by score, read from the opted-in profiles' vectors alone (hard
    conditions applied in the same pass)."""
    candidate = TwinningProfile
    bits = bits_for(profile.framework_id)
    wants = [code for code in sorted(mine.wants) if code in bits]
    offers = [code for code in sorted(mine.offers) if code in bits]
    if not wants:
        return []
    they = _BitsInCommon(candidate.offers_mask, code_mask(wants, bits))
    we = _BitsInCommon(candidate.wants_mask, code_mask(offers, bits))
    conditions = [
        candidate.framework_id == profile.framework_id,
        candidate.is_active,
        candidate.organisation_id != mine.organisation_id,
        candidate.offers_mask.op("&")(code_mask(wants, bits)) != 0,
        candidate.language_mask.op("&")(mine.language_mask) != 0,
    ]
    if mine.country_choice == CountryChoice.SAME_COUNTRY:
        conditions.append(candidate.country_code == mine.country_code)
    else:
        conditions.append(
            or_(
                candidate.country_choice != CountryChoice.SAME_COUNTRY.value,
                candidate.country_code == mine.country_code,
            )
        )
    if mine.same_area_only:
        conditions.append(candidate.technology_area == mine.technology_area)
    else:
        conditions.append(
            or_(~candidate.same_area_only, candidate.technology_area == mine.technology_area)
        )
    score = (
        they
        + we
        + case((they < we, they), else_=we)
        + case((candidate.technology_area == mine.technology_area, 1), else_=0)
    )
    if mine.country_choice == CountryChoice.PREFER_ABROAD:
        score = score + case((candidate.country_code != mine.country_code, 1), else_=0)
    rows = db.session.execute(
        select(candidate.organisation_id)
        .where(*conditions)
        .order_by(score.desc(), they.desc(), candidate.organisation_id)
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
    """How many active partnerships each organisation has (either side), in one query."""
    ids = list(organisation_ids)
    counts: dict[int, int] = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    active = Partnership.state == PartnershipState.ACTIVE.value
    sides = union_all(
        select(Partnership.requester_id.label("organisation_id")).where(
            active, Partnership.requester_id.in_(ids)
        ),
        select(Partnership.partner_id.label("organisation_id")).where(
            active, Partnership.partner_id.in_(ids)
        ),
    ).subquery()
    rows = db.session.execute(
        select(sides.c.organisation_id, func.count()).group_by(sides.c.organisation_id)
    )
    for organisation_id, count in rows:
        counts[organisation_id] += count
    return counts


def candidate_ids(profile: TwinningProfile, mine: Side) -> list[int]:
    """The best candidates for the profile: kept for TWINNING_SUGGESTIONS_SECONDS under
    the profile's version (its own change shows at once); what changes on the other side
    (switched off, paired, full, new vectors) is applied live by `suggestions`."""
    key = f"labelling:twinning:candidates:{profile.organisation_id}:{profile.version}"
    found = read(key)
    if found is None:
        found = _candidate_ids(profile, mine)
        write(key, found, timeout=current_app.config["TWINNING_SUGGESTIONS_SECONDS"])
    return found


def suggestions(profile: TwinningProfile, limit: int = 20) -> list[Suggestion]:
    """The organisation's suggested partners, best first (empty when it is switched off)."""
    if not profile.is_active or profile.framework_id is None or not profile.wants:
        return []
    mine = side_of(profile, profile.organisation)
    ids = candidate_ids(profile, mine)
    excluded = left_out(profile.organisation_id, ids)
    ids = [candidate for candidate in ids if candidate not in excluded]
    if not ids:
        return []
    rows = db.session.execute(
        select(TwinningProfile, Organisation)
        .join(Organisation, Organisation.id == TwinningProfile.organisation_id)
        .where(TwinningProfile.organisation_id.in_(ids), TwinningProfile.is_active)
    ).all()
    by_id = {theirs.organisation_id: (theirs, organisation) for theirs, organisation in rows}
    # The pure rules rank again with each candidate's live profile and organisation.
    ranked = rank(mine, [side_of(theirs, organisation) for theirs, organisation in rows])
    counts = active_counts([theirs.organisation_id for theirs, _score in ranked])
    found = []
    for theirs, value in ranked:
        profile_row, organisation = by_id[theirs.organisation_id]
        if counts[theirs.organisation_id] >= profile_row.capacity:
            continue  # full: suggested to nobody until a partnership ends
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
        if len(found) == limit:
            break
    return found
