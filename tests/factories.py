"""Plain-callable factories and sign-in helpers shared by the tests."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal
from pathlib import Path

import pytest

from labelling.accounts.models import Role
from labelling.accounts.services import register_user
from labelling.extensions import db
from labelling.frameworks.services import current_framework
from labelling.notifications.models import OutboxMessage
from labelling.organisations.services import create_organisation

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def create_user(email=None, name="Test User", roles=(Role.CLUSTER_MANAGER,), password=PASSWORD):
    user = register_user(email or f"user{next(_counter)}@example.org", name, password, roles)
    db.session.commit()
    return user


def organisation_data(**overrides) -> dict:
    data = {
        "legal_name": f"Test Cluster {next(_counter)} e.V.",
        "short_name": None,
        "country_code": "DE",
        "region": "Bayern",
        "city": "München",
        "website": "https://cluster.example.org",
        "is_website_in_english": True,
        "technology_area": "ict",
        "founding_year": 2010,
        "legal_form": "e.V.",
        "management_fte": Decimal("2.5"),
        "members_sme": 30,
        "members_large": 5,
        "members_rnd": 3,
        "members_university": 2,
        "members_education": 0,
        "members_finance": 0,
        "members_consultant": 0,
        "members_public": 1,
        "members_other": 0,
        "committed_members": 25,
    }
    data.update(overrides)
    return data


def create_org(manager, **overrides):
    organisation = create_organisation(organisation_data(**overrides), manager)
    db.session.commit()
    return organisation


def form_data(data: dict) -> dict:
    """Organisation data as a browser would post it."""
    posted = {}
    for key, value in data.items():
        if value is None:
            posted[key] = ""
        elif isinstance(value, bool):
            if value:
                posted[key] = "y"
        else:
            posted[key] = str(value)
    return posted


def sign_in(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def last_email(to: str) -> OutboxMessage:
    message = db.session.scalars(
        db.select(OutboxMessage)
        .where(OutboxMessage.recipient == to)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None, f"no e-mail to {to}"
    return message


def link_in(message: OutboxMessage) -> str:
    match = re.search(r"https?://[^\s]+", message.body_text)
    assert match, message.body_text
    return match.group(0)


@pytest.fixture
def manager(app):
    return create_user("manager@example.org", "Maria Manager")


@pytest.fixture
def secretariat(app):
    return create_user("secretariat@example.org", "Sam Secretariat", roles=(Role.SECRETARIAT,))


MINI_DIRECTORY = Path(__file__).parent / "criteria" / "data"
MINI_ANSWERS = {
    "s1": {"members": "40", "committed": "20", "regional": "10"},
    "s2": {"turnover": "20", "strategy": "3"},
}


def with_mini_framework(config: dict) -> dict:
    """App configuration whose default framework is the small test framework `mini`."""
    return {
        **config,
        "CRITERIA_DIRECTORY": str(MINI_DIRECTORY),
        "CRITERIA_DEFAULT_FRAMEWORK": "mini",
    }


def answer_mini_questionnaire(client, application) -> None:
    for section, data in MINI_ANSWERS.items():
        client.post(f"/applications/{application.id}/questionnaire/{section}", data=data)


def force_state(application, state, decider=None) -> None:
    """Put an application straight into `state` (bypassing the workflow), with what the
    database requires of that state: a decided one has a decider, an awarded one a level."""
    from datetime import date

    from sqlalchemy import update

    from labelling.assessments.models import Application
    from labelling.db import utcnow

    values = {"state": getattr(state, "value", state)}
    if values["state"] in ("awarded", "refused"):
        values |= {"decided_at": utcnow(), "decided_by_id": (decider or application.created_by).id}
    if values["state"] == "awarded":
        values |= {"awarded_level": application.level, "assessment_date": date.today()}
    db.session.execute(update(Application).where(Application.id == application.id).values(values))
    db.session.commit()


def create_assessor(
    email, name="Assessor", country="DE", roles=("auditor",), areas=("ict",), languages=("en",)
):
    """A user with the assessor role, a register profile and active accreditations."""
    from datetime import date, timedelta

    from labelling.assessors.models import Accreditation, AssessorProfile

    user = create_user(email, name, roles=(Role.ASSESSOR,))
    profile = AssessorProfile(
        user=user, country_code=country, languages=list(languages), technology_areas=list(areas)
    )
    today = date.today()
    for role in roles:
        profile.accreditations.append(
            Accreditation(
                role=role,
                issued_on=today - timedelta(days=365),
                expires_on=today + timedelta(days=365),
            )
        )
    db.session.add(profile)
    db.session.commit()
    return user


# Mini answers that meet every Gold rule once the assessors verify the regional share.
MINI_GOLD_ANSWERS = {"members": 40, "committed": 20, "regional": 10, "turnover": 20, "strategy": 3}


def submitted_application(manager, level="gold", answers=None, **org_overrides):
    """A submitted application on the `mini` framework (needs with_mini_framework)."""
    from labelling.assessments import services
    from labelling.assessments.models import Answer

    organisation = create_org(manager, **org_overrides)
    framework = current_framework()
    application = services.start_application(organisation, level, "new", manager, framework)
    for question_id, value in (answers or MINI_GOLD_ANSWERS).items():
        application.answers.append(Answer(question_id=question_id, value=value))
    db.session.flush()
    services.submit_application(application, framework, manager, "Maria Manager", "Manager")
    db.session.commit()
    return application


def application_with_team(state) -> tuple:
    """A Gold `mini` application in `state` with an accepted team of two (a German lead and
    a French co-assessor), every indicator consolidated (Gold allowed), a Gold
    recommendation, confirmed eligibility, and a secretariat member who was an assessor."""
    from datetime import date

    from labelling.assessments.models import Assignment, ConsolidatedScore, Recommendation
    from labelling.db import utcnow

    manager = create_user("applicant@example.org", "Maria Manager")
    application = submitted_application(manager)
    people = {
        "applicant": manager,
        "outsider": create_user("outsider@example.org"),
        "other_assessor": create_assessor("other@assessors.example.net", "Olga", "IT"),
        "lead": create_assessor("lead@assessors.example.net", "Lena Lead", "DE"),
        "assessor": create_assessor("co@assessors.example.net", "Colin Co", "FR"),
        "secretariat": create_user("sec@example.org", roles=(Role.SECRETARIAT,)),
        "secretariat_assessor": create_assessor("secass@example.org", "Sasha", "NL"),
    }
    people["secretariat_assessor"].grant(Role.SECRETARIAT)
    now = utcnow()
    for name, is_lead in (("lead", True), ("assessor", False)):
        application.assignments.append(
            Assignment(
                assessor_id=people[name].id,
                is_lead=is_lead,
                status="accepted",
                responded_at=now,
                no_conflict_declared_at=now,
            )
        )
    # Staff who assessed this application (here: then taken off it) never act as its
    # secretariat.
    application.assignments.append(
        Assignment(assessor_id=people["secretariat_assessor"].id, status="removed")
    )
    application.eligibility_confirmed_at = now
    for code, value, status in (("1.1", None, None), ("1.2", 60, "met"), ("2.1", None, None)):
        db.session.add(
            ConsolidatedScore(
                application_id=application.id,
                indicator_code=code,
                verified_value=value,
                status=status,
            )
        )
    db.session.add(
        ConsolidatedScore(application_id=application.id, indicator_code="2.2", verified_value=3)
    )
    application.recommendation = Recommendation(
        level="gold", strengths="s", improvements="i", assessment_date=date(2026, 1, 5)
    )
    db.session.commit()
    force_state(application, state, decider=people["secretariat"])
    return application, people


def labelled_organisation(
    manager,
    level="gold",
    assessed=None,
    status="active",
    reason=None,
    with_certificate=False,
    **org_overrides,
):
    """An organisation holding a label of `level` assessed on `assessed` (default: 30 days
    ago), recorded as an import on the current framework; `status` suspended or revoked
    sets it with `reason`."""
    from datetime import date, timedelta

    from labelling.certificates.imports import import_label
    from labelling.db import utcnow

    organisation = create_org(manager, **org_overrides)
    label = import_label(
        organisation,
        level,
        assessed or date.today() - timedelta(days=30),
        current_framework(),
        manager,
        "Test register",
        with_certificate=with_certificate,
    )
    if status != "active":
        label.status, label.status_reason, label.status_changed_at = status, reason, utcnow()
    db.session.commit()
    return label


def invented_case(body_id=None):
    """A published, invented calibration case of the `mini` framework (Gold)."""
    from labelling.calibration.models import CalibrationCase
    from labelling.db import utcnow

    case = CalibrationCase(
        title="An invented cluster",
        origin="invented",
        framework_id="mini",
        framework_version="1.0",
        level="gold",
        body_id=body_id,
        as_of=utcnow().date(),
        answers=dict(MINI_GOLD_ANSWERS),
        references={"1.2": {"verified_value": 60, "status": "met", "explanation": ""}},
        status="published",
        published_at=utcnow(),
    )
    db.session.add(case)
    db.session.flush()
    return case
