"""Steps the review tests share: the people of a two-assessor review and the clicks that
take an application through screening and assignment."""

from __future__ import annotations

from labelling.assessments.models import Application, Assignment
from labelling.extensions import db
from tests.factories import create_assessor, sign_in


def review_people(manager, secretariat) -> dict:
    return {
        "manager": manager,
        "secretariat": secretariat,
        "anna": create_assessor("anna@assessors.example.net", "Anna Auditor", "DE"),
        "omar": create_assessor("omar@assessors.example.net", "Omar Other", "FR"),
        "bernd": create_assessor("bernd@assessors.example.net", "Bernd Same", "DE"),
        "expert": create_assessor(
            "expert@assessors.example.net", "Eve Expert", "AT", roles=("benchmarking_expert",)
        ),
    }


def refreshed(application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


def as_user(client, user):
    client.post("/logout")
    sign_in(client, user.email)
    return client


def screen_and_assign(client, people, application):
    as_user(client, people["secretariat"])
    base = f"/secretariat/applications/{application.id}"
    assert client.post(f"{base}/start-screening").status_code == 303
    assert client.post(f"{base}/confirm-eligibility").status_code == 303
    for name in ("anna", "omar"):
        response = client.post(f"{base}/assign", data={"assessor_id": people[name].id})
        assert response.status_code == 303, response.text


def accept(client, user, application):
    assignment = db.session.scalar(
        db.select(Assignment).filter_by(application_id=application.id, assessor_id=user.id)
    )
    as_user(client, user)
    return client.post(
        f"/assignments/{assignment.id}",
        data={"answer": "accept", f"accept-{assignment.id}-declaration": "y"},
    )


def in_assessment(client, people, **org_overrides) -> Application:
    """A Gold application screened, assessed by Anna (lead) and Omar, assessment started;
    Anna is signed in."""
    from tests.factories import submitted_application

    return start_assessment(
        client, people, submitted_application(people["manager"], **org_overrides)
    )


def start_assessment(client, people, application) -> Application:
    """A submitted Gold `application` screened, assessed by Anna (lead) and Omar,
    assessment started; Anna is signed in."""
    screen_and_assign(client, people, application)
    accept(client, people["anna"], application)
    accept(client, people["omar"], application)
    as_user(client, people["secretariat"])
    client.post(f"/secretariat/applications/{application.id}/start-assessment")
    as_user(client, people["anna"])
    return application
