"""Conflict-of-interest detection and candidate ranking: pure rules, hand-checked cases."""

from __future__ import annotations

from datetime import date

import pytest

from labelling.assessors.candidates import (
    Candidate,
    Need,
    composition_problem,
    is_team_complete,
    rank_candidates,
)
from labelling.assessors.conflicts import Conflict, Tie, detect_conflicts, web_domain, years_before
from labelling.criteria.framework import Assessors

TODAY = date(2026, 11, 25)
GOLD = Assessors(count=2, role="auditor", same_country=1, other_country=1)
BRONZE = Assessors(count=1, role="benchmarking_expert")


def conflicts(ties=(), team_role=None, email="a@assessors.net", website=None):
    return detect_conflicts(
        ties=list(ties),
        team_role=team_role,
        assessor_email=email,
        organisation_website=website,
        today=TODAY,
        lookback_years=3,
    )


@pytest.mark.parametrize(
    ("ended_on", "is_conflict"),
    [
        (None, True),  # the tie continues
        (date(2024, 11, 25), True),  # two years ago
        (date(2023, 11, 25), True),  # exactly three years ago: still inside
        (date(2023, 11, 24), False),  # a day longer ago
        (date(2022, 6, 1), False),  # four years ago
    ],
)
def test_declared_ties_within_the_lookback(ended_on, is_conflict):
    found = conflicts([Tie("advised", ended_on)])
    assert (found == [Conflict("declared", "advised")]) is is_conflict


def test_years_before_handles_29_february():
    assert years_before(date(2028, 2, 29), 3) == date(2025, 2, 28)
    assert years_before(TODAY, 3) == date(2023, 11, 25)


def test_team_membership_is_a_conflict():
    assert conflicts(team_role="manager") == [Conflict("team_manager")]
    assert conflicts(team_role="member") == [Conflict("team_member")]


@pytest.mark.parametrize(
    ("email", "website", "expected"),
    [
        ("anna@cluster.example.org", "https://www.cluster.example.org/about", True),
        ("anna@mail.cluster.example.org", "https://cluster.example.org", True),
        ("anna@example.org", "https://cluster.example.org", False),  # a parent domain
        ("anna@othercluster.example.org", "https://cluster.example.org", False),
        ("anna@cluster.example.org", None, False),
    ],
)
def test_an_address_at_the_organisation_domain_is_a_conflict(email, website, expected):
    found = conflicts(email=email, website=website)
    assert bool(found) is expected
    if expected:
        assert found[0].code == "email_domain"


def test_web_domain_reads_bare_hosts_and_urls():
    assert web_domain("www.Cluster.example.org") == "cluster.example.org"
    assert web_domain("https://cluster.example.org:8443/x") == "cluster.example.org"
    assert web_domain("") is None


@pytest.mark.parametrize(
    ("rule", "countries", "problem"),
    [
        (GOLD, [], None),
        (GOLD, ["DE"], None),
        (GOLD, ["FR"], None),
        (GOLD, ["DE", "FR"], None),
        (GOLD, ["DE", "DE"], "other_country_needed"),
        (GOLD, ["FR", "IT"], "same_country_needed"),
        (GOLD, ["DE", "FR", "IT"], "too_many"),
        (BRONZE, ["FR"], None),
        (BRONZE, ["DE", "FR"], "too_many"),
    ],
)
def test_the_composition_rule(rule, countries, problem):
    assert composition_problem(rule, "DE", countries) == problem


def test_a_team_is_complete_only_when_full_and_composed():
    assert is_team_complete(GOLD, "DE", ["FR", "DE"])
    assert not is_team_complete(GOLD, "DE", ["DE"])
    assert is_team_complete(BRONZE, "DE", ["AT"])


def candidate(name, country="FR", roles=("auditor",), areas=(), languages=(), workload=0, **kw):
    return Candidate(
        user_id=hash(name) % 10_000,
        name=name,
        country_code=country,
        languages=frozenset(languages),
        technology_areas=frozenset(areas),
        active_roles=frozenset(roles),
        workload=workload,
        **kw,
    )


def test_ranking_by_fit_then_workload_then_name():
    need = Need(GOLD, "DE", "ict", frozenset({"de"}))
    ranked, excluded = rank_candidates(
        [
            candidate("Zoe", areas=("ict",), languages=("de",), workload=3),
            candidate("Yann", areas=("ict",), workload=0),
            candidate("Xaver", country="DE", languages=("de",), workload=0),
            candidate("Anna", areas=("ict",), languages=("de",), workload=1),
            candidate("Bea", areas=("ict",), languages=("de",), workload=1),
        ],
        need,
    )
    assert [r.candidate.name for r in ranked] == ["Anna", "Bea", "Zoe", "Yann", "Xaver"]
    assert ranked[0].strengths == ("technology_area", "language", "other_country")
    assert ranked[-1].strengths == ("language", "same_country")
    assert excluded == []


def test_exclusions_carry_every_reason():
    need = Need(GOLD, "DE", "ict", frozenset({"de"}), assigned_countries=("FR",))
    ranked, excluded = rank_candidates(
        [
            candidate("Conflicted", country="DE", conflicts=(Conflict("team_member"),)),
            candidate("Expert", country="DE", roles=("benchmarking_expert",)),
            candidate("Again", country="DE", is_assigned=True),
            candidate("Foreign", country="IT"),
            candidate("Fine", country="DE"),
        ],
        need,
    )
    assert [r.candidate.name for r in ranked] == ["Fine"]
    reasons = {e.candidate.name: e.reasons for e in excluded}
    assert reasons == {
        "Again": ("already_assigned",),
        "Conflicted": ("conflict",),
        "Expert": ("no_accreditation",),
        "Foreign": ("same_country_needed",),
    }
