"""Demo history for the agreement pages: six Portuguese Gold applications that Ana (lead) and
Lars scored independently and the secretariat refused, each through the services the pages
call. Both read most indicators alike (as the answers say); on the first rubric indicator
Lars gives a band or two below Ana on most applications, and on the first indicator with a
threshold they disagree on the verdict twice: the agreement page flags them. Safe to run
twice: every application is keyed by its organisation's name."""

from __future__ import annotations

import random
from datetime import date, timedelta

from labelling.accounts.services import find_user_by_email
from labelling.assessments import consolidation, decisions, rating, recommendation, services
from labelling.criteria.framework import Framework
from labelling.demo.cases import (
    PEERS_MANAGER,
    demo_people,
    new_organisation,
    organisation_named,
    secretariat_for,
    submitted,
    team_up,
)
from labelling.frameworks.services import current_framework

# Portuguese (Ana's country: the Gold team has one assessor from it), in areas no demo
# manager's organisation is in, so that their benchmarking reports keep their peer groups.
HISTORY = [
    ("Coimbra Health Technologies Cluster", "Coimbra", "health_medical"),
    ("Porto Digital Cluster", "Porto", "ict"),
    ("Cluster Energia Alentejo", "Évora", "energy_environment"),
    ("Braga Mobility Cluster", "Braga", "transport_logistics"),
    ("Algarve Blue Energy Network", "Faro", "energy_environment"),
    ("Aveiro Smart Logistics Cluster", "Aveiro", "transport_logistics"),
]
# Lars's band on the first rubric indicator, against Ana's, per application.
BAND_GAPS = [-1, -2, 0, -1, -2, -1]
# Whether Lars turns Ana's verdict on the first threshold indicator, per application.
VERDICT_TURNED = [False, True, False, False, True, False]


def load_demo_agreement(today: date | None = None) -> None:
    today = today or date.today()
    framework = current_framework()
    rng = random.Random(2027)  # noqa: S311 - the same demo on every machine, not a secret
    manager = find_user_by_email(PEERS_MANAGER[0])
    for index, (name, city, area) in enumerate(HISTORY):
        if organisation_named(name) is not None:
            continue
        organisation = new_organisation(name, "PT", city, area, rng)
        application = submitted(organisation, "gold", manager, framework, rng, 0.8)
        _assess_in_pairs(application, index, rng, today)


def _ratings(framework: Framework, index: int, rng) -> tuple[dict, dict]:
    """Ana's and Lars's own ratings: as the answers say, but for the two read apart."""
    rubric = next(i for i in framework.indicators if i.is_rubric)
    threshold = next(i for i in framework.indicators if not i.is_rubric)
    bands = sorted(band.band for band in rubric.rubric)
    ana_band = rng.choice(bands[2:])
    lars_band = max(bands[0], ana_band + BAND_GAPS[index])
    verdict = rng.choice(["met", "not_met"])
    turned = {"met": "not_met", "not_met": "met"}[verdict]
    ana = {
        rubric.code: rating.RatingInput(verified_value=ana_band),
        threshold.code: rating.RatingInput(status=verdict),
    }
    lars = {
        rubric.code: rating.RatingInput(verified_value=lars_band),
        threshold.code: rating.RatingInput(status=turned if VERDICT_TURNED[index] else verdict),
    }
    return ana, lars


def _assess_in_pairs(application, index: int, rng, today: date) -> None:
    people = demo_people()
    ana, lars = people["ana"], people["lars"]
    asked = services.framework_of(application)
    team_up(application, [ana, lars], today)
    own = dict(zip((ana, lars), _ratings(asked, index, rng), strict=True))
    for assessor, chosen in own.items():
        for indicator in asked.indicators:
            given = chosen.get(indicator.code, rating.RatingInput())
            rating.record_score(application, asked, assessor, indicator.code, given)
    # Ana, the lead, settles every indicator the two did not rate alike with her own rating.
    agreed = consolidation.agreed_ratings(application, asked)
    for indicator in asked.indicators:
        if indicator.code not in agreed:
            given = own[ana].get(indicator.code, rating.RatingInput())
            rating.record_consolidated_score(application, asked, ana, indicator.code, given)
    # No level recommended and the label refused, all six: the demo's register keeps the
    # labels the other cases show.
    recommendation.save_recommendation(
        application,
        asked,
        ana,
        None,
        "A committed membership and services members use.",
        "The results of the services are not measured yet: measure what they change.",
        today - timedelta(days=10),
    )
    recommendation.complete_assessment(application, asked, ana)
    decisions.refuse_label(
        application,
        secretariat_for(application),
        "The results of the services are not measured yet, as the assessors found.",
    )
