"""The pure rules: strong and weak indicators, the score of a partner, the steps."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelling.twinning.rules import (
    Basis,
    CountryChoice,
    IndicatorStanding,
    PartnershipState,
    Side,
    StepRefused,
    complementarity,
    language_mask,
    languages_of,
    marks,
    next_state,
    rank,
    score,
)

CODES = ("1.1", "1.2", "2.1", "2.2", "3.1")


def standing(code="1.1", gold=False, baseline=None, percentile=None, higher=True):
    return IndicatorStanding(code, gold, baseline, percentile, higher)


def test_gold_met_or_top_quartile_is_strong_below_baseline_or_bottom_quartile_weak():
    found = marks(
        [
            standing("a", gold=True, percentile=10),  # Gold wins over a low rank
            standing("b", percentile=80),
            standing("c", baseline=False, percentile=90),  # top quartile: strong
            standing("d", baseline=False, percentile=50),
            standing("e", percentile=20),
            standing("f", percentile=50),
            standing("g", percentile=10, higher=False),  # lower is better: top
            standing("h", percentile=10, higher=None),  # no direction: no quartile
            standing("i", gold=None, baseline=None),  # not applicable
        ]
    )
    assert found == {
        "a": Basis.GOLD,
        "b": Basis.TOP_QUARTILE,
        "c": Basis.TOP_QUARTILE,
        "d": Basis.BELOW_BASELINE,
        "e": Basis.BOTTOM_QUARTILE,
        "g": Basis.TOP_QUARTILE,
    }


def test_language_masks_round_trip_and_ignore_unknown_codes():
    assert languages_of(language_mask(["de", "pl", "xx"])) == ["de", "pl"]
    assert language_mask([]) == 0


def side(organisation_id, wants=(), offers=(), languages=("en",), **extra):
    return Side(
        organisation_id=organisation_id,
        wants=frozenset(wants),
        offers=frozenset(offers),
        language_mask=language_mask(languages),
        country_code=extra.pop("country", "DE"),
        technology_area=extra.pop("area", "ict"),
        **extra,
    )


def test_two_ways_count_more_than_one():
    assert complementarity(2, 0) < complementarity(1, 1) + 1
    assert complementarity(1, 1) == 3 and complementarity(2, 0) == 2
    mine = side(1, wants={"1.1"}, offers={"2.1"}, area="food")
    one_way = side(2, offers={"1.1"}, area="ict")
    two_ways = side(3, offers={"1.1"}, wants={"2.1"}, area="ict")
    assert [s.organisation_id for s, _score in rank(mine, [one_way, two_ways])] == [3, 2]


def test_hard_conditions_from_both_sides():
    mine = side(1, wants={"1.1"}, languages=("de",))
    assert score(mine, side(2, offers={"1.1"}, languages=("fr",))) is None
    assert score(mine, side(2, offers={"1.1"}, country="FR", languages=("de",))) is not None
    asks_home = side(
        2, offers={"1.1"}, country="FR", languages=("de",), country_choice="same_country"
    )
    assert score(mine, asks_home) is None
    assert score(mine, side(2, offers={"1.1"}, area="food", same_area_only=True)) is None
    assert score(mine, side(1, offers={"1.1"})) is None  # never itself


def test_partners_abroad_first_unless_chosen_otherwise():
    home = side(2, offers={"1.1"}, country="DE")
    abroad = side(3, offers={"1.1"}, country="FR")
    mine = side(1, wants={"1.1"})
    assert score(mine, abroad) == score(mine, home) + 1
    indifferent = side(1, wants={"1.1"}, country_choice=CountryChoice.ANYWHERE)
    assert score(indifferent, abroad) == score(indifferent, home)


sides = st.builds(
    side,
    st.integers(min_value=1, max_value=30),
    wants=st.frozensets(st.sampled_from(CODES)),
    offers=st.frozensets(st.sampled_from(CODES)),
    languages=st.lists(st.sampled_from(["en", "de", "fr", "pl"]), max_size=2),
    country=st.sampled_from(["DE", "FR", "PL"]),
    area=st.sampled_from(["ict", "food"]),
    country_choice=st.sampled_from(list(CountryChoice)),
    same_area_only=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(mine=sides, candidates=st.lists(sides, max_size=12))
def test_a_ranking_holds_only_compatible_helpful_others_best_first(mine, candidates):
    ranked = rank(mine, candidates)
    for theirs, value in ranked:
        assert theirs.organisation_id != mine.organisation_id
        assert mine.language_mask & theirs.language_mask
        assert mine.wants & theirs.offers
        assert value == score(mine, theirs)
    values = [value for _side, value in ranked]
    assert values == sorted(values, reverse=True)


@settings(max_examples=300, deadline=None)
@given(
    mine=sides,
    theirs=sides,
    helped=st.sampled_from(CODES),
    extra=st.sampled_from(CODES),
)
def test_complementarity_raises_the_score(mine, theirs, helped, extra):
    """One more indicator the candidate offers where the organisation is weak, or one more
    it wants where the organisation is strong, always raises its score."""
    mine = Side(**{**mine.__dict__, "wants": mine.wants | {helped, extra}, "language_mask": 1})
    theirs = Side(
        **{
            **theirs.__dict__,
            "organisation_id": mine.organisation_id + 1,
            "offers": (theirs.offers | {helped}) - ({extra} if extra != helped else set()),
            "language_mask": 1,
            "country_choice": CountryChoice.ANYWHERE,
            "same_area_only": False,
        }
    )
    mine = Side(
        **{**mine.__dict__, "country_choice": CountryChoice.ANYWHERE, "same_area_only": False}
    )
    before = score(mine, theirs)
    assert before is not None
    if extra != helped:
        offers_more = Side(**{**theirs.__dict__, "offers": theirs.offers | {extra}})
        assert score(mine, offers_more) > before
    new_want = next((code for code in CODES if code not in theirs.wants), None)
    if new_want is not None:
        mine_offers = Side(**{**mine.__dict__, "offers": mine.offers | {new_want}})
        wants_more = Side(**{**theirs.__dict__, "wants": theirs.wants | {new_want}})
        assert score(mine_offers, wants_more) > score(mine_offers, theirs)


def test_steps_follow_the_table():
    assert next_state("accept", "requested", "partner") == PartnershipState.ACTIVE
    assert next_state("end", "active", "requester") == PartnershipState.ENDED
    with pytest.raises(StepRefused, match="side"):
        next_state("accept", "requested", "requester")  # nobody accepts their own request
    with pytest.raises(StepRefused, match="state"):
        next_state("decline", "active", "partner")
