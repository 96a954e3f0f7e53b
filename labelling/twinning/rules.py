"""The pure rules of twinning: where an organisation is strong or weak, how a suggested
partner is scored, and which steps a partnership may take. No Flask, no database.

Strong and weak, per indicator of an organisation's latest decided benchmarking:
- strong: the Gold threshold is met, or the figure is in the top quartile of its peers;
- weak: below the baseline minimum, or in the bottom quartile of its peers, and not strong.
A quartile counts only where the framework says which way is better (the Gold threshold's
direction) and the peer group is large enough to be shown.

The score of a candidate partner for an organisation (documented in the README):
- `they_help`: how many of the indicators the organisation wants to improve the candidate
  offers (at least one, or it is no suggestion);
- `we_help`: how many of the indicators the candidate wants to improve the organisation
  offers;
- complementarity = they_help + we_help + min(they_help, we_help): a pair that helps both
  ways gains the smaller side once more, so two ways count more than one;
- plus 1 for the same technology area, plus 1 for a partner abroad when the organisation
  prefers partners abroad (the default).
Hard conditions, from both sides: a shared working language; the same country where either
side asked for it; the same technology area where either side asked for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

TOP_QUARTILE = 75.0
BOTTOM_QUARTILE = 25.0

# Working languages, each one bit of the profile's language mask (so a shared language is
# one AND in the matching query). The order is fixed for good: append, never reorder.
WORKING_LANGUAGES = (
    "en", "de", "fr", "es", "it", "pl", "nl", "pt", "sv", "da", "fi", "cs", "sk", "sl",
    "hr", "hu", "ro", "bg", "el", "et", "lv", "lt", "mt", "ga", "no", "is", "tr", "uk",
    "sr", "sq", "mk", "bs", "ca", "eu", "gl", "lb", "ru", "ar", "zh", "ja", "ko", "he",
)  # fmt: skip


def language_mask(codes) -> int:
    mask = 0
    for code in codes:
        if code in WORKING_LANGUAGES:
            mask |= 1 << WORKING_LANGUAGES.index(code)
    return mask


def languages_of(mask: int) -> list[str]:
    return [code for bit, code in enumerate(WORKING_LANGUAGES) if mask & (1 << bit)]


# A profile's wanted and offered indicators are also kept as bit masks (one BIGINT each),
# so that matching counts them with integer operations. Bit 63 is the sign: 63 bits.
MAX_INDICATOR_BITS = 63


def indicator_bits(versions) -> dict[str, int]:
    """indicator code -> its bit, for one framework over all its versions (each a list of
    codes, oldest version first): codes in order of first appearance, so a bit never moves
    when a version adds indicators. Raises ValueError beyond MAX_INDICATOR_BITS."""
    bits: dict[str, int] = {}
    for codes in versions:
        for code in codes:
            bits.setdefault(code, len(bits))
    if len(bits) > MAX_INDICATOR_BITS:
        raise ValueError(f"{len(bits)} indicators: twinning matches at most {MAX_INDICATOR_BITS}")
    return bits


def code_mask(codes, bits: dict[str, int]) -> int:
    mask = 0
    for code in codes:
        mask |= 1 << bits[code]
    return mask


class Basis(StrEnum):
    """Why an indicator counts as strong or weak."""

    GOLD = "gold"
    TOP_QUARTILE = "top_quartile"
    BOTTOM_QUARTILE = "bottom_quartile"
    BELOW_BASELINE = "below_baseline"


STRONG_BASES = (Basis.GOLD, Basis.TOP_QUARTILE)


@dataclass(frozen=True)
class IndicatorStanding:
    """What the benchmarking says of one indicator of one organisation."""

    code: str
    gold_met: bool | None  # None: not applicable or not answered
    baseline_met: bool | None  # None: no baseline minimum (or not applicable)
    percentile: float | None  # None: no figure, or a peer group too small to be shown
    higher_is_better: bool | None  # None: the framework does not say


def _quartile(standing: IndicatorStanding) -> str | None:
    if standing.percentile is None or standing.higher_is_better is None:
        return None
    rank = standing.percentile if standing.higher_is_better else 100.0 - standing.percentile
    if rank >= TOP_QUARTILE:
        return "top"
    if rank <= BOTTOM_QUARTILE:
        return "bottom"
    return None


def strength_of(standing: IndicatorStanding) -> Basis | None:
    if standing.gold_met:
        return Basis.GOLD
    if _quartile(standing) == "top":
        return Basis.TOP_QUARTILE
    return None


def weakness_of(standing: IndicatorStanding) -> Basis | None:
    if strength_of(standing) is not None:
        return None
    if standing.baseline_met is False:
        return Basis.BELOW_BASELINE
    if _quartile(standing) == "bottom":
        return Basis.BOTTOM_QUARTILE
    return None


def marks(standings) -> dict[str, Basis]:
    """indicator code -> the basis of its mark, strong or weak, for each marked indicator."""
    found = {}
    for standing in standings:
        basis = strength_of(standing) or weakness_of(standing)
        if basis is not None:
            found[standing.code] = basis
    return found


class CountryChoice(StrEnum):
    """Where the organisation looks for partners."""

    PREFER_ABROAD = "prefer_abroad"
    ANYWHERE = "anywhere"
    SAME_COUNTRY = "same_country"


@dataclass(frozen=True)
class Side:
    """One organisation as matching sees it."""

    organisation_id: int
    wants: frozenset[str]
    offers: frozenset[str]
    language_mask: int
    country_code: str
    technology_area: str
    country_choice: str = CountryChoice.PREFER_ABROAD
    same_area_only: bool = False


def compatible(mine: Side, theirs: Side) -> bool:
    """The hard conditions, from both sides."""
    if mine.organisation_id == theirs.organisation_id:
        return False
    if not mine.language_mask & theirs.language_mask:
        return False
    wants_same_country = CountryChoice.SAME_COUNTRY in (mine.country_choice, theirs.country_choice)
    if wants_same_country and mine.country_code != theirs.country_code:
        return False
    wants_same_area = mine.same_area_only or theirs.same_area_only
    return not (wants_same_area and mine.technology_area != theirs.technology_area)


def complementarity(they_help: int, we_help: int) -> int:
    return they_help + we_help + min(they_help, we_help)


def score(mine: Side, theirs: Side) -> int | None:
    """The candidate's score for `mine`; None when it is no suggestion at all."""
    if not compatible(mine, theirs):
        return None
    they_help = len(mine.wants & theirs.offers)
    if they_help == 0:
        return None
    we_help = len(theirs.wants & mine.offers)
    total = complementarity(they_help, we_help)
    if mine.technology_area == theirs.technology_area:
        total += 1
    if mine.country_choice == CountryChoice.PREFER_ABROAD and (
        mine.country_code != theirs.country_code
    ):
        total += 1
    return total


def rank(mine: Side, candidates) -> list[tuple[Side, int]]:
    """The candidates that are suggestions, best first (ties: more help to `mine`, then
    the lower id, so the order is stable)."""
    scored = [(theirs, score(mine, theirs)) for theirs in candidates]
    kept = [(theirs, value) for theirs, value in scored if value is not None]
    return sorted(
        kept,
        key=lambda item: (-item[1], -len(mine.wants & item[0].offers), item[0].organisation_id),
    )


# --- the partnership's steps ----------------------------------------------------------------


class PartnershipState(StrEnum):
    REQUESTED = "requested"
    ACTIVE = "active"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    ENDED = "ended"


OPEN_STATES = (PartnershipState.REQUESTED, PartnershipState.ACTIVE)

# action -> (the states it starts from, who may take it, the state it leads to)
STEPS = {
    "accept": ((PartnershipState.REQUESTED,), "partner", PartnershipState.ACTIVE),
    "decline": ((PartnershipState.REQUESTED,), "partner", PartnershipState.DECLINED),
    "withdraw": ((PartnershipState.REQUESTED,), "requester", PartnershipState.WITHDRAWN),
    "end": ((PartnershipState.ACTIVE,), "either", PartnershipState.ENDED),
}


class StepRefused(Exception):
    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def next_state(action: str, state: str, side: str) -> PartnershipState:
    """The state `action` leads to, taken by `side` ("requester" or "partner") from
    `state`; raises StepRefused with the reason otherwise."""
    if action not in STEPS:
        raise StepRefused("unknown")
    starts, who, target = STEPS[action]
    if who != "either" and who != side:
        raise StepRefused("side")  # whatever the state: a permission, not a timing
    if PartnershipState(state) not in starts:
        raise StepRefused("state")
    return target
