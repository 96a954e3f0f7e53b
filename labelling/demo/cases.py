"""Demo data worth exploring: 40 benchmarked peers across Europe, so that a benchmarking
report compares with real groups, and an application in every state of the workflow (draft,
submitted, in assessment with a question pending, assessed awaiting the decision, awarded,
refused), each taken there through the same services the pages call. Safe to run twice:
every case is keyed by its organisation's name."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from labelling.accounts.models import Role, User
from labelling.accounts.services import find_user_by_email
from labelling.assessments import (
    consolidation,
    decisions,
    questions,
    rating,
    recommendation,
    screening,
    services,
)
from labelling.assessments.assignment import accept_assignment, assign_assessor
from labelling.assessments.models import Answer, Application
from labelling.bodies.services import acts_for
from labelling.criteria.framework import Framework, Question
from labelling.demo.people import ensure_user
from labelling.extensions import db
from labelling.frameworks.services import current_framework
from labelling.organisations.models import Organisation
from labelling.organisations.services import create_organisation

PEERS_MANAGER = ("peers@example.org", "Petra Lindqvist")

# Forty peers: (name, country, city, technology area). Several per country and per area,
# so that the report's groups by country, area and size reach the anonymity minimum.
PEERS = [
    ("Bavarian Mechatronics Network e.V.", "DE", "Nürnberg", "production_engineering"),
    ("Cluster Ernährung Baden-Württemberg", "DE", "Stuttgart", "food"),
    ("Hamburg Aviation Cluster", "DE", "Hamburg", "aviation_space"),
    ("Energieagentur Cluster NRW", "DE", "Düsseldorf", "energy_environment"),
    ("Medical Valley Erlangen", "DE", "Erlangen", "health_medical"),
    ("Digital Hub Saxony", "DE", "Dresden", "ict"),
    ("Pôle Agri Sud-Ouest", "FR", "Toulouse", "food"),
    ("Aerospace Valley Occitanie", "FR", "Toulouse", "aviation_space"),
    ("Pôle Mer Bretagne Atlantique", "FR", "Brest", "transport_logistics"),
    ("Lyonbiopôle Cluster Santé", "FR", "Lyon", "health_medical"),
    ("Cap Digital Paris Région", "FR", "Paris", "ict"),
    ("Tenerrdis Énergies", "FR", "Grenoble", "energy_environment"),
    ("Clúster Alimentario de Galicia", "ES", "Santiago de Compostela", "food"),
    ("Hegan Basque Aerospace", "ES", "Zamudio", "aviation_space"),
    ("Clúster de Salud de Cataluña", "ES", "Barcelona", "health_medical"),
    ("Clúster Logístico de Aragón", "ES", "Zaragoza", "transport_logistics"),
    ("Cluster Agrifood Nazionale", "IT", "Roma", "food"),
    ("Distretto Aerospaziale Campano", "IT", "Napoli", "aviation_space"),
    ("Lombardy Life Sciences Cluster", "IT", "Milano", "health_medical"),
    ("Cluster Fabbrica Intelligente", "IT", "Torino", "production_engineering"),
    ("Wielkopolski Klaster Spożywczy", "PL", "Poznań", "food"),
    ("Dolina Lotnicza", "PL", "Rzeszów", "aviation_space"),
    ("Klaster Medyczny Śląsk", "PL", "Katowice", "health_medical"),
    ("Klaster ICT Pomorze", "PL", "Gdańsk", "ict"),
    ("Food & Bio Cluster Denmark", "DK", "Foulum", "food"),
    ("Copenhagen Healthtech Cluster", "DK", "København", "health_medical"),
    ("Energy Cluster Denmark", "DK", "Odense", "energy_environment"),
    ("Stockholm ICT Cluster", "SE", "Stockholm", "ict"),
    ("Sjuhärad Textile Cluster", "SE", "Borås", "production_engineering"),
    ("Smart Housing Småland", "SE", "Växjö", "energy_environment"),
    ("Food Valley Wageningen", "NL", "Wageningen", "food"),
    ("Holland High Tech Cluster", "NL", "Eindhoven", "production_engineering"),
    ("Logistics Cluster Rotterdam", "NL", "Rotterdam", "transport_logistics"),
    ("Cluster Agrifood Flanders", "BE", "Gent", "food"),
    ("Wallonia Biotech Cluster", "BE", "Liège", "health_medical"),
    ("Mobility Cluster Austria", "AT", "Graz", "transport_logistics"),
    ("Lebensmittelcluster Niederösterreich", "AT", "Tulln", "food"),
    ("Portugal Foods Cluster", "PT", "Porto", "food"),
    ("Health Cluster Portugal", "PT", "Porto", "health_medical"),
    ("Czech Aerospace Cluster", "CZ", "Praha", "aviation_space"),
]

# One application in each state the secretariat, the assessors and the managers meet.
# (organisation, country, city, area, level, state the case is taken to)
CASES = [
    ("Lisbon Health Innovation Cluster", "PT", "Lisboa", "health_medical", "bronze", "assessed"),
    ("Clúster Agroalimentario de Navarra", "ES", "Pamplona", "food", "bronze", "awarded"),
    ("Baltic Food Network", "LT", "Vilnius", "food", "bronze", "refused"),
]


def load_demo_cases(today: date | None = None) -> None:
    """Peers, then each case not there yet; the demo's own organisations get theirs."""
    today = today or date.today()
    framework = current_framework()
    rng = random.Random(2026)  # noqa: S311 - the same demo on every machine, not a secret
    add_benchmarked_peers(PEERS, rng)
    peers_manager = _ensure_manager(*PEERS_MANAGER)
    for name, country, city, area, level, state in CASES:
        if _exists(name):
            continue
        organisation = new_organisation(name, country, city, area, rng)
        application = submitted(organisation, level, peers_manager, framework, rng, 0.7)
        decide(application, state, today)
    _own_organisations_cases(framework, rng, today)


def add_benchmarked_peers(peers=PEERS, rng: random.Random | None = None) -> None:
    """A submitted Bronze application, benchmarked, for each (name, country, city,
    technology area) not there yet; self-assessments from weak to strong along the list."""
    rng = rng or random.Random(2026)  # noqa: S311 - the same demo on every machine
    framework = current_framework()
    manager = _ensure_manager(*PEERS_MANAGER)
    for index, (name, country, city, area) in enumerate(peers):
        if _exists(name):
            continue
        organisation = new_organisation(name, country, city, area, rng)
        quality = index / max(len(peers), 1)
        submitted(organisation, "bronze", manager, framework, rng, quality)


def _exists(name: str) -> bool:
    return db.session.scalar(db.select(Organisation.id).where(Organisation.legal_name == name))


def _ensure_manager(email: str, name: str) -> User:
    return ensure_user(email, name, (Role.CLUSTER_MANAGER,))


def new_organisation(name, country, city, area, rng: random.Random) -> Organisation:
    members = {
        "members_sme": rng.randint(15, 160),
        "members_large": rng.randint(1, 20),
        "members_rnd": rng.randint(1, 12),
        "members_university": rng.randint(1, 6),
        "members_education": rng.randint(0, 4),
        "members_public": rng.randint(0, 6),
        "members_other": rng.randint(0, 5),
    }
    total = sum(members.values())
    profile = {
        "legal_name": name,
        "country_code": country,
        "city": city,
        "technology_area": area,
        "website": f"https://{area.replace('_', '-')}-{rng.randint(100, 999)}.example.org",
        "is_website_in_english": True,
        "founding_year": rng.randint(1998, 2018),
        "management_fte": Decimal(str(rng.choice([1, 1.5, 2, 2.5, 3, 4, 6]))),
        "committed_members": max(15, round(total * rng.uniform(0.4, 0.9))),
        **members,
    }
    return create_organisation(profile, _ensure_manager(*PEERS_MANAGER))


def plausible_answers(
    framework: Framework, known: dict, rng: random.Random, quality: float
) -> dict:
    """An answer for every question still open: within its bounds, below the value it may
    not exceed, better self-assessments where `quality` (0 to 1) is higher."""
    answers = dict(known)
    members = sum(v for k, v in known.items() if k.startswith("members_") and v is not None)
    answers.setdefault("total_members", members)
    for question in framework.questions:
        if question.id not in answers or answers[question.id] is None:
            value = _answer(question, answers, rng, quality)
            if value is not None:
                answers[question.id] = value
    answers.pop("total_members")
    return answers


def _answer(question: Question, answers: dict, rng: random.Random, quality: float):
    limit = answers.get(question.not_above) if question.not_above else None
    if question.type == "integer":
        if question.min and question.min >= 1900:  # a year
            return rng.randint(int(question.min) + 50, date.today().year - 2)
        if limit is not None:
            return round(limit * rng.uniform(0.2 + 0.5 * quality, 0.95))
        return rng.randint(int(question.min or 0) + 1, int(min(question.max or 40, 40)))
    if question.type in ("number", "percentage"):
        if question.unit == "EUR":
            return round(rng.lognormvariate(12.8, 0.5), -3)
        if limit is not None:
            return round(float(limit) * rng.uniform(0.2, 0.7), -2)
        top = min(question.max or 100, 100 if question.type == "percentage" else 12)
        return round(rng.uniform(max(question.min or 0, 0.5), top), 1)
    if question.type == "yes_no":
        return rng.random() < 0.7 + 0.3 * quality
    if question.type == "choice":
        return rng.choice(question.choices).value
    if question.type == "rating":
        return min(4, max(1, round(1 + 3 * quality + rng.uniform(-1, 1))))
    if question.type == "date":
        return (date.today() - timedelta(days=rng.randint(30, 500))).isoformat()
    if question.type == "text":
        return "Our members report new products and markets opened with the cluster's help."
    return None  # documents arrive as evidence, not as answers


def submitted(organisation, level, manager, framework, rng, quality) -> Application:
    application = services.start_application(organisation, level, "new", manager, framework)
    asked = services.framework_of(application)
    known = {answer.question_id: answer.value for answer in application.answers}
    for question_id, value in plausible_answers(asked, known, rng, quality).items():
        if question_id not in known:
            application.answers.append(Answer(question_id=question_id, value=value))
    db.session.flush()
    services.submit_application(application, asked, manager, manager.full_name, "Manager")
    return application


def demo_people() -> dict[str, User]:
    return {
        key: find_user_by_email(email)
        for key, email in (
            ("secretariat", "secretariat@example.org"),
            ("ana", "assessor@example.org"),
            ("klaus", "assessor2@example.org"),
            ("lars", "assessor3@example.org"),
        )
    }


def secretariat_for(application) -> User:
    """The secretariat of the body the application went to (a Danish or Polish Bronze
    application goes to its national body)."""
    for email in (
        "secretariat@example.org",
        "secretariat-dk@example.org",
        "secretariat-pl@example.org",
        "admin@example.org",
    ):
        user = find_user_by_email(email)
        if user is not None and acts_for(user, application.body_id):
            return user
    raise LookupError(f"no demo secretariat acts for body {application.body_id}")


def team_up(application, assessors, today) -> None:
    secretariat = secretariat_for(application)
    screening.start_screening(application, secretariat)
    screening.confirm_eligibility(application, secretariat)
    for assessor in assessors:
        assignment = assign_assessor(application, assessor, secretariat, today)
        accept_assignment(assignment, assessor, True, today)
    framework = services.framework_of(application)
    screening.start_assessment(application, framework, secretariat)


def _score_everything(application, assessor, framework) -> None:
    for indicator in framework.indicators:
        rating.record_score(application, framework, assessor, indicator.code, rating.RatingInput())


def decide(application: Application, state: str, today: date) -> None:
    """A single-assessor Bronze case from submission to `state` (assessed, awarded or
    refused), as of `today`."""
    people = demo_people()
    asked = services.framework_of(application)
    team_up(application, [people["ana"]], today)
    _score_everything(application, people["ana"], asked)
    allowed = recommendation.recommendable_levels(
        application, asked, consolidation.assessed_result(application, asked)
    )
    level = application.level if application.level in allowed else None
    recommendation.save_recommendation(
        application,
        asked,
        people["ana"],
        level,
        "A committed membership and a clear strategy.",
        "Measure the results of the services offered.",
        today - timedelta(days=5),
    )
    recommendation.complete_assessment(application, asked, people["ana"])
    secretariat = secretariat_for(application)
    if state == "awarded":
        decisions.award_label(application, asked, secretariat, level, today - timedelta(days=5))
    elif state == "refused":
        decisions.refuse_label(
            application,
            secretariat,
            "The membership figures could not be verified during the assessment.",
        )


def _own_organisations_cases(framework, rng, today) -> None:
    """The demo managers' own organisations: NordicFood's Gold application in assessment
    with a question waiting for Mette, and a SpaceTech draft Jan has begun; each decided a
    Bronze benchmarking before."""
    nordic = organisation_named("Nordic Food Innovation Cluster ApS")
    mette = find_user_by_email("manager@example.org")
    if nordic is not None and not _has_application(nordic):
        people = demo_people()
        earlier_benchmarking(nordic, mette, framework, rng, 0.9)
        application = submitted(nordic, "gold", mette, framework, rng, 0.85)
        asked = services.framework_of(application)
        team_up(application, [people["ana"], people["lars"]], today)
        for indicator in asked.indicators_in(asked.areas[0].code):
            rating.record_score(
                application, asked, people["ana"], indicator.code, rating.RatingInput()
            )
        code = asked.indicators_in(asked.areas[1].code)[0].code
        questions.raise_question(
            application,
            asked,
            people["ana"],
            code,
            "How do you count staff turnover: leavers over the average staff of the year?",
            today,
        )
    space = organisation_named("Klaster Technologii Kosmicznych")
    jan = find_user_by_email("manager2@example.org")
    if space is not None and not _has_application(space):
        earlier_benchmarking(space, jan, framework, rng, 0.15)
        services.start_application(space, "bronze", "new", jan, framework)


def earlier_benchmarking(organisation, manager, framework: Framework, rng, quality: float):
    """An earlier Bronze application, refused: its benchmarking is decided, so the
    organisation may take part in twinning."""
    application = submitted(organisation, "bronze", manager, framework, rng, quality)
    decide(application, "refused", date.today())
    return application


def organisation_named(name: str) -> Organisation | None:
    return db.session.scalar(db.select(Organisation).where(Organisation.legal_name == name))


def _has_application(organisation: Organisation) -> bool:
    found = db.select(Application.id).where(Application.organisation_id == organisation.id)
    return db.session.scalar(found.limit(1)) is not None
