"""Demo data: accounts of every role, the demo organisations, an imported registry, and
(demo.cases) benchmarked peers and an application in every state. Safe to run twice."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from labelling.accounts.models import Role, User
from labelling.accounts.services import find_user_by_email
from labelling.assessors.models import Accreditation, AssessorProfile
from labelling.demo.agreement import load_demo_agreement
from labelling.demo.calibration import load_demo_calibration
from labelling.demo.cases import load_demo_cases
from labelling.demo.drafts import load_demo_draft
from labelling.demo.people import ensure_user
from labelling.demo.twinning import load_demo_twinning
from labelling.extensions import db
from labelling.organisations.models import Organisation
from labelling.organisations.services import create_organisation

DEMO_USERS = [
    ("manager@example.org", "Mette Sørensen", (Role.CLUSTER_MANAGER,)),
    ("manager2@example.org", "Jan Nowak", (Role.CLUSTER_MANAGER,)),
    ("assessor@example.org", "Ana Ribeiro", (Role.ASSESSOR,)),
    ("assessor2@example.org", "Klaus Weber", (Role.ASSESSOR,)),
    ("assessor3@example.org", "Lars Jensen", (Role.ASSESSOR,)),
    ("secretariat@example.org", "Sofia Papadopoulou", (Role.SECRETARIAT,)),
    ("admin@example.org", "Ada Admin", (Role.ADMIN, Role.SECRETARIAT)),
    ("register@example.org", "Rita Register", (Role.CLUSTER_MANAGER,)),
    ("secretariat-dk@example.org", "Freja Holm", (Role.SECRETARIAT,)),
    ("secretariat-pl@example.org", "Tomasz Lis", (Role.SECRETARIAT,)),
]

# The labelling bodies: (name, national?, countries, levels, secretariat members).
DEMO_BODIES = [
    ("European Cluster Labelling Secretariat", False, [], [], ["secretariat@example.org"]),
    ("Danish Cluster Labelling Body", True, ["DK"], ["bronze"], ["secretariat-dk@example.org"]),
    ("Polish Cluster Labelling Body", True, ["PL"], ["bronze"], ["secretariat-pl@example.org"]),
]

DEMO_ORGANISATIONS = [
    (
        "manager@example.org",
        {
            "legal_name": "Nordic Food Innovation Cluster ApS",
            "short_name": "NordicFood",
            "country_code": "DK",
            "region": "Midtjylland",
            "city": "Aarhus",
            "website": "https://nordicfood.example.org",
            "is_website_in_english": True,
            "technology_area": "food",
            "founding_year": 2012,
            "legal_form": "ApS",
            "management_fte": Decimal("3.5"),
            "members_sme": 62,
            "members_large": 9,
            "members_rnd": 6,
            "members_university": 3,
            "members_education": 2,
            "members_finance": 1,
            "members_consultant": 4,
            "members_public": 5,
            "members_other": 2,
            "committed_members": 71,
            "contact_name": "Mette Sørensen",
            "contact_email": "manager@example.org",
        },
    ),
    (
        "manager2@example.org",
        {
            "legal_name": "Klaster Technologii Kosmicznych",
            "short_name": "SpaceTech PL",
            "country_code": "PL",
            "region": "Mazowieckie",
            "city": "Warszawa",
            "website": "https://spacetech.example.org",
            "is_website_in_english": True,
            "technology_area": "aviation_space",
            "founding_year": 2018,
            "legal_form": "Stowarzyszenie",
            "management_fte": Decimal("1.5"),
            "members_sme": 18,
            "members_large": 2,
            "members_rnd": 4,
            "members_university": 2,
            "committed_members": 21,
        },
    ),
]


# The public registry: labels awarded before the platform, imported from the existing
# register (level, days since the assessment, status and reason). One has expired and one
# is suspended, so the registry, verification and statistics show every case.
DEMO_LABELLED = [
    ("Øresund Robotics Cluster", "DK", "Odense", "production_engineering", "gold", 120, None),
    ("Pôle Véhicule du Futur", "FR", "Mulhouse", "transport_logistics", "silver", 300, None),
    ("BioCluster Wien", "AT", "Wien", "biotechnology", "gold", 500, None),
    ("Clúster de Energía de Euskadi", "ES", "Bilbao", "energy_environment", "bronze", 60, None),
    (
        "Σύμπλεγμα Καινοτομίας Αθήνας",
        "GR",
        "Athina",
        "ict",
        "silver",
        200,
        "The annual report is overdue.",
    ),
    ("Klaster Lotniczy Podkarpacie", "PL", "Rzeszów", "aviation_space", "gold", 900, None),
]


# The accreditation register: country, languages, technology areas, accredited roles.
DEMO_ASSESSORS = [
    (
        "assessor@example.org",
        "PT",
        ["pt", "en", "es"],
        ["food", "health_medical"],
        ["auditor", "benchmarking_expert"],
    ),
    (
        "assessor2@example.org",
        "DE",
        ["de", "en"],
        ["aviation_space", "production_engineering"],
        ["auditor"],
    ),
    ("assessor3@example.org", "DK", ["da", "en"], ["food", "energy_environment"], ["auditor"]),
]


def _ensure_assessor(email, country, languages, areas, roles) -> None:
    user = find_user_by_email(email)
    exists = db.session.scalar(db.select(AssessorProfile).where(AssessorProfile.user_id == user.id))
    if exists is not None:
        return
    today = date.today()
    profile = AssessorProfile(
        user=user, country_code=country, languages=languages, technology_areas=areas
    )
    for role in roles:
        profile.accreditations.append(
            Accreditation(
                role=role,
                issued_on=today - timedelta(days=200),
                expires_on=today + timedelta(days=900),
            )
        )
    db.session.add(profile)


def load_demo_data() -> list[User]:
    """Create the demo accounts and organisations that do not exist yet; return the accounts."""
    users = [ensure_user(email, name, roles) for email, name, roles in DEMO_USERS]
    db.session.flush()
    for body in DEMO_BODIES:
        _ensure_body(*body)
    db.session.flush()
    for manager_email, profile in DEMO_ORGANISATIONS:
        exists = db.session.scalar(
            db.select(Organisation).where(Organisation.legal_name == profile["legal_name"])
        )
        if exists is None:
            create_organisation(profile, find_user_by_email(manager_email))
    db.session.flush()
    for assessor in DEMO_ASSESSORS:
        _ensure_assessor(*assessor)
    db.session.flush()
    for entry in DEMO_LABELLED:
        _ensure_labelled(*entry)
    db.session.flush()
    load_demo_cases()
    db.session.flush()
    load_demo_twinning()
    db.session.flush()
    load_demo_agreement()
    db.session.flush()
    load_demo_calibration()
    db.session.flush()
    load_demo_draft(find_user_by_email("admin@example.org"))
    db.session.flush()
    return users


def _ensure_labelled(name, country, city, area, level, days_ago, suspension) -> None:
    from labelling.certificates.imports import import_label
    from labelling.certificates.services import change_label_status
    from labelling.frameworks.services import current_framework

    exists = db.session.scalar(db.select(Organisation).where(Organisation.legal_name == name))
    if exists is not None:
        return
    importer = find_user_by_email("register@example.org")
    profile = {
        "legal_name": name,
        "country_code": country,
        "city": city,
        "technology_area": area,
        "website": f"https://{area.replace('_', '-')}.example.org",
        "management_fte": Decimal("2"),
        "members_sme": 40,
        "committed_members": 30,
    }
    organisation = create_organisation(profile, importer)
    label = import_label(
        organisation,
        level,
        date.today() - timedelta(days=days_ago),
        current_framework(),
        find_user_by_email("secretariat@example.org"),
        "Demo: the existing register",
    )
    if suspension:
        change_label_status(
            label, "suspend", find_user_by_email("secretariat@example.org"), suspension
        )


def _ensure_body(name, national, countries, levels, members) -> None:
    from labelling.bodies.models import BodyKind, BodyMember, LabellingBody

    if db.session.scalar(db.select(LabellingBody.id).where(LabellingBody.name == name)):
        return
    body = LabellingBody(
        name=name,
        kind=(BodyKind.NATIONAL if national else BodyKind.EUROPEAN).value,
        countries=countries,
        levels=levels,
    )
    body.members = [BodyMember(user_id=find_user_by_email(email).id) for email in members]
    db.session.add(body)
