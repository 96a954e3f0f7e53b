"""Who may be assigned to an application, and in which order the page suggests them.

Pure functions: the services gather `Candidate` facts from the register and the database,
these functions apply the framework's composition rule (how many assessors, how many from
the organisation's own country) and rank by fit, then by current workload.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from labelling.assessors.conflicts import Conflict
from labelling.criteria.framework import Assessors


@dataclass(frozen=True)
class Candidate:
    user_id: int
    name: str
    country_code: str
    languages: frozenset[str]
    technology_areas: frozenset[str]
    active_roles: frozenset[str]
    workload: int  # open assignments now
    conflicts: tuple[Conflict, ...] = ()
    is_assigned: bool = False  # already on (or declined) this application
    standing: tuple[str, ...] = ()  # reasons the body's own rules give (e.g. calibration_due)


@dataclass(frozen=True)
class Need:
    """What the application asks of its assessors."""

    rule: Assessors
    country_code: str
    technology_area: str
    languages: frozenset[str]
    assigned_countries: tuple[str, ...] = ()  # of the assessors already assigned


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    fit: int
    strengths: tuple[str, ...]  # codes: technology_area, language, same_country, other_country


@dataclass(frozen=True)
class Excluded:
    candidate: Candidate
    reasons: tuple[str, ...]  # codes, see EXCLUSION_MESSAGES


def composition_problem(rule: Assessors, home_country: str, countries: list[str]) -> str | None:
    """Why this set of assessor countries cannot (any longer) satisfy the rule, or None.

    Checked as the team is built: a partial team is fine as long as the remaining places
    can still bring the required number from the home country and from elsewhere.
    """
    if len(countries) > rule.count:
        return "too_many"
    same = sum(1 for country in countries if country == home_country)
    other = len(countries) - same
    remaining = rule.count - len(countries)
    need_same = max(0, rule.same_country - same)
    need_other = max(0, rule.other_country - other)
    if need_same + need_other <= remaining:
        return None
    return "same_country_needed" if need_same else "other_country_needed"


def is_team_complete(rule: Assessors, home_country: str, countries: list[str]) -> bool:
    return (
        len(countries) == rule.count and composition_problem(rule, home_country, countries) is None
    )


def exclusion_reasons(candidate: Candidate, need: Need) -> tuple[str, ...]:
    reasons = []
    if candidate.is_assigned:
        reasons.append("already_assigned")
    if need.rule.role not in candidate.active_roles:
        reasons.append("no_accreditation")
    if candidate.conflicts:
        reasons.append("conflict")
    reasons.extend(candidate.standing)
    countries = [*need.assigned_countries, candidate.country_code]
    problem = composition_problem(need.rule, need.country_code, countries)
    if problem is not None:
        reasons.append(problem)
    return tuple(reasons)


def fit_of(candidate: Candidate, need: Need) -> tuple[int, tuple[str, ...]]:
    strengths = []
    if need.technology_area in candidate.technology_areas:
        strengths.append("technology_area")
    if need.languages & candidate.languages:
        strengths.append("language")
    weights = {"technology_area": 2, "language": 1}
    return sum(weights[s] for s in strengths), tuple(strengths)


def rank_candidates(candidates: list[Candidate], need: Need) -> tuple[list[Ranked], list[Excluded]]:
    """Eligible candidates best first (fit, then lighter workload, then name), and the
    excluded ones with every reason."""
    ranked, excluded = [], []
    for candidate in candidates:
        reasons = exclusion_reasons(candidate, need)
        if reasons:
            excluded.append(Excluded(candidate, reasons))
            continue
        fit, strengths = fit_of(candidate, need)
        home = candidate.country_code == need.country_code
        strengths += ("same_country",) if home else ("other_country",)
        ranked.append(Ranked(candidate, fit, strengths))
    ranked.sort(key=lambda r: (-r.fit, r.candidate.workload, r.candidate.name.casefold()))
    excluded.sort(key=lambda e: e.candidate.name.casefold())
    return ranked, excluded


def reason_message(code: str) -> str:
    messages = {
        "already_assigned": _("Already assigned to this application, or declined it."),
        "no_accreditation": _("No active accreditation for the role this level needs."),
        "conflict": _("Conflict of interest."),
        "calibration_due": _(
            "No calibration exercise completed in the last twelve months, which the body "
            "requires of its assessors."
        ),
        "too_many": _("The application has all the assessors it needs."),
        "same_country_needed": _(
            "The remaining place needs an assessor from the cluster's country."
        ),
        "other_country_needed": _("The remaining place needs an assessor from another country."),
        "technology_area": _("Knows the technology area"),
        "language": _("Speaks the cluster's language"),
        "same_country": _("From the cluster's country"),
        "other_country": _("From another country"),
    }
    return messages.get(code, code)
