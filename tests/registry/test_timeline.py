"""Which label the registry shows, day by day: the periods against the rule itself."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from labelling.registry.timeline import HeldLabel, Period, periods, shown_on

START = date(2024, 1, 1)


def label(ident, rank, start, end, status="active", revoked_on=None) -> HeldLabel:
    return HeldLabel(
        ident, rank, status, START + timedelta(start), START + timedelta(end), revoked_on
    )


@st.composite
def label_sets(draw):
    count = draw(st.integers(min_value=0, max_value=6))
    labels = []
    for ident in range(1, count + 1):
        start = draw(st.integers(min_value=0, max_value=60))
        length = draw(st.integers(min_value=0, max_value=40))
        status = draw(st.sampled_from(["active", "active", "suspended", "revoked"]))
        revoked = None
        if status == "revoked":
            revoked = START + timedelta(draw(st.integers(min_value=0, max_value=110)))
        rank = draw(st.integers(min_value=1, max_value=3))
        labels.append(label(ident, rank, start, start + length, status, revoked))
    return labels


@settings(max_examples=300, deadline=None)
@given(label_sets())
def test_the_periods_show_on_each_day_what_the_rule_shows(labels):
    found = periods(labels)
    for offset in range(-2, 115):
        day = START + timedelta(offset)
        covering = [p for p in found if p.shown_from <= day <= p.shown_until]
        assert len(covering) <= 1, "one label at most per organisation and day"
        assert (covering[0].label_id if covering else None) == shown_on(labels, day)
    for earlier, later in itertools.pairwise(found):
        assert earlier.shown_until < later.shown_from
        # Neighbours with the same label would have been merged.
        touching = earlier.shown_until + timedelta(1) == later.shown_from
        assert not (touching and earlier.label_id == later.label_id)


def test_a_renewal_continues_the_listing_with_no_gap():
    first = label(1, 1, 0, 30)
    renewal = label(2, 1, 31, 60)
    assert periods([first, renewal]) == [
        Period(1, START, START + timedelta(30)),
        Period(2, START + timedelta(31), START + timedelta(60)),
    ]


def test_an_active_label_outranks_a_suspended_higher_one_and_then_the_level_counts():
    suspended_gold = label(1, 3, 0, 50, status="suspended")
    bronze = label(2, 1, 10, 20)
    assert periods([suspended_gold, bronze]) == [
        Period(1, START, START + timedelta(9)),
        Period(2, START + timedelta(10), START + timedelta(20)),
        Period(1, START + timedelta(21), START + timedelta(50)),
    ]
    silver = label(3, 2, 10, 20)
    assert shown_on([bronze, silver], START + timedelta(15)) == 3


def test_a_revocation_ends_the_listing_the_day_before_it_was_made():
    revoked = label(1, 2, 0, 100, status="revoked", revoked_on=START + timedelta(40))
    assert periods([revoked]) == [Period(1, START, START + timedelta(39))]
    assert shown_on([revoked], START + timedelta(40)) is None
    # Revoked before it started: never listed at all.
    early = label(2, 2, 50, 100, status="revoked", revoked_on=START + timedelta(20))
    assert periods([early]) == []
