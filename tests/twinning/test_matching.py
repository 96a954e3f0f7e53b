"""Matching in the database against the pure rules, on random profiles and pairs: a
suggestion is never the organisation itself, never switched off, never already paired
or declined recently, and the list is exactly what the rules rank over everyone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from labelling.db import utcnow
from labelling.extensions import cache, db
from labelling.twinning import matching, profiles
from labelling.twinning.models import Partnership, pair_key
from labelling.twinning.rules import OPEN_STATES, CountryChoice, rank
from tests.factories import create_user
from tests.twinning.helpers import LEARNER, TEACHER, decided

COUNTRIES = ("DE", "FR", "PL", "DE", "FR", "IT")
AREAS = ("ict", "ict", "food", "food", "ict", "food")


@pytest.fixture
def organisations(app):
    manager = create_user("many@example.org")
    return [
        decided(
            manager,
            LEARNER if i % 2 == 0 else TEACHER,
            legal_name=f"Cluster {i}",
            country_code=COUNTRIES[i],
            technology_area=AREAS[i],
        )
        for i in range(6)
    ]


profile_choices = st.fixed_dictionaries(
    {
        "is_active": st.booleans(),
        "wants": st.sets(st.sampled_from(["1.1", "1.2", "2.1", "2.2"]), min_size=1),
        "languages": st.sets(st.sampled_from(["en", "de", "fr"]), min_size=1),
        "country_choice": st.sampled_from(list(CountryChoice)),
        "same_area_only": st.booleans(),
        "capacity": st.integers(min_value=1, max_value=2),
    }
)
pairs = st.lists(
    st.tuples(
        st.integers(0, 5),
        st.integers(0, 5),
        st.sampled_from(["requested", "active", "declined", "withdrawn", "ended"]),
        st.booleans(),  # answered long ago
    ),
    max_size=6,
)


def _save(organisation, choices, manager):
    strengths = sorted(profiles.strengths(profiles.marks_of(organisation.id)))
    profiles.save_profile(
        organisation,
        profiles.ProfileChoices(
            is_active=choices["is_active"],
            wants=sorted(choices["wants"]),
            offers=strengths,
            languages=sorted(choices["languages"]),
            country_choice=choices["country_choice"],
            same_area_only=choices["same_area_only"],
            capacity=choices["capacity"],
            contact_id=None,
        ),
        manager,
    )


def _pairs(organisations, drawn):
    db.session.execute(delete(Partnership))
    seen = set()
    for first, second, state, long_ago in drawn:
        key = pair_key(organisations[first].id, organisations[second].id)
        if first == second or (key in seen and state in ("requested", "active")):
            continue
        if state in ("requested", "active"):
            seen.add(key)
        answered = utcnow() - timedelta(days=400 if long_ago else 3)
        db.session.add(
            Partnership(
                requester_id=organisations[first].id,
                partner_id=organisations[second].id,
                pair_key=key,
                framework_id="mini",
                state=state,
                message="m",
                answered_at=answered if state != "requested" else None,
            )
        )
    db.session.flush()


def expected(profile, everyone):
    """What the rules alone say, over every other organisation."""
    organisation = profile.organisation
    mine = matching.side_of(profile, organisation)
    counts = matching.active_counts([other.organisation_id for other in everyone])
    left_out = matching.left_out(organisation.id, [other.organisation_id for other in everyone])
    candidates = [
        matching.side_of(other, other.organisation)
        for other in everyone
        if other.is_active
        and other.organisation_id not in left_out
        and counts[other.organisation_id] < other.capacity
    ]
    return [side.organisation_id for side, _score in rank(mine, candidates)]


def test_suggestions_are_what_the_rules_rank_and_never_excluded(organisations):
    manager = organisations[0].memberships[0].user

    @given(st.lists(profile_choices, min_size=6, max_size=6), pairs)
    @settings(
        max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def check(choices, drawn):
        cache.clear()  # each example rolls back, so a profile's version comes round again
        for organisation, chosen in zip(organisations, choices, strict=True):
            _save(organisation, chosen, manager)
        _pairs(organisations, drawn)
        everyone = [profiles.profile_of(o.id) for o in organisations]
        for profile in everyone:
            found = matching.suggestions(profile)
            ids = [item.organisation.id for item in found]
            if not profile.is_active:
                assert ids == []
                continue
            assert profile.organisation_id not in ids
            for item in found:
                other = profiles.profile_of(item.organisation.id)
                assert other.is_active
                assert item.they_offer and set(item.they_offer) <= set(profile.wants)
                open_or_recent = db.session.scalars(
                    db.select(Partnership.state).where(
                        Partnership.pair_key
                        == pair_key(profile.organisation_id, other.organisation_id)
                    )
                ).all()
                assert not set(open_or_recent) & {s.value for s in OPEN_STATES}
            assert ids == expected(profile, everyone)
        db.session.rollback()

    check()
