"""Labelling bodies: applications routed by country and level, each body's secretariat
acting on its own applications (administrators on all), its assessor pool, and its name
on the certificate and in the registry."""

from __future__ import annotations

import re

import pytest

from labelling.accounts.models import Role
from labelling.assessments import assignment, review
from labelling.bodies.models import BodyAssessor, BodyMember, LabellingBody
from labelling.bodies.services import route
from labelling.extensions import db
from tests.factories import (
    create_assessor,
    create_user,
    sign_in,
    submitted_application,
    with_mini_framework,
)


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


@pytest.fixture
def bodies(app):
    european = LabellingBody(name="European Secretariat", kind="european", countries=[], levels=[])
    danish = LabellingBody(
        name="Danish Labelling Body", kind="national", countries=["DK"], levels=["bronze"]
    )
    db.session.add_all([european, danish])
    db.session.flush()
    people = {
        "european": create_user("eu@example.org", "Eva Europe", roles=(Role.SECRETARIAT,)),
        "danish": create_user("dk@example.org", "Dan Dane", roles=(Role.SECRETARIAT,)),
        "unassigned": create_user("un@example.org", "Una Free", roles=(Role.SECRETARIAT,)),
        "admin": create_user("ad@example.org", "Ada Admin", roles=(Role.ADMIN,)),
    }
    db.session.add_all(
        [
            BodyMember(body_id=european.id, user_id=people["european"].id),
            BodyMember(body_id=danish.id, user_id=people["danish"].id),
        ]
    )
    db.session.commit()
    return european, danish, people


def test_applications_go_to_the_body_that_covers_country_and_level(bodies, manager):
    european, danish, _people = bodies
    assert route("DK", "bronze") == danish
    assert route("DK", "gold") == european  # Silver and Gold stay European
    assert route("DE", "bronze") == european
    danish_bronze = submitted_application(manager, "bronze", country_code="DK")
    assert danish_bronze.body_id == danish.id


def test_each_secretariat_acts_on_its_own_applications(client, bodies, manager):
    _european, _danish, people = bodies
    danish_bronze = submitted_application(manager, "bronze", country_code="DK", legal_name="DK B")
    german_gold = submitted_application(manager, "gold", country_code="DE", legal_name="DE G")
    cases = {
        "danish": {danish_bronze.id},
        "european": {german_gold.id},
        "unassigned": {german_gold.id},  # staff in no body act for the European body
        "admin": {danish_bronze.id, german_gold.id},
    }
    for who, expected in cases.items():
        client.post("/logout")
        sign_in(client, people[who].email)
        queue = client.get("/secretariat/applications?queue=screening").text
        for application in (danish_bronze, german_gold):
            shown = f'/secretariat/applications/{application.id}"' in queue
            assert shown == (application.id in expected), (who, application.id)
            status = client.get(f"/secretariat/applications/{application.id}").status_code
            assert status == (200 if application.id in expected else 403), (who, application.id)
    deciders = {user.email for user in review.deciders_for(danish_bronze)}
    assert "dk@example.org" in deciders and "eu@example.org" not in deciders


def test_a_body_assigns_from_its_own_pool(bodies, manager):
    _european, danish, _people = bodies
    insider = create_assessor(
        "in@assessors.example.net", "In Pool", "DK", roles=("benchmarking_expert",)
    )
    create_assessor("out@assessors.example.net", "Out Pool", "SE", roles=("benchmarking_expert",))
    db.session.add(BodyAssessor(body_id=danish.id, user_id=insider.id))
    db.session.commit()
    application = submitted_application(manager, "bronze", country_code="DK")
    from datetime import date

    ranked, excluded = assignment.candidates_for(application, date.today())
    names = {c.candidate.name for c in ranked} | {c.candidate.name for c in excluded}
    assert names == {"In Pool"}


def test_the_certificate_and_the_registry_name_the_body(client, bodies, manager):
    from datetime import date

    from labelling.assessments import decisions, services
    from labelling.assessments.workflow import State
    from labelling.certificates.models import Label
    from tests.factories import force_state

    _european, _danish, people = bodies
    application = submitted_application(manager, "bronze", country_code="DK")
    force_state(application, State.ASSESSED)
    framework = services.framework_of(application)
    decisions.award_label(application, framework, people["danish"], "bronze", date.today(), "x")
    db.session.commit()
    label = db.session.scalar(db.select(Label).filter_by(application_id=application.id))
    from labelling.certificates.services import current_certificate

    assert current_certificate(label).context["body_name"] == "Danish Labelling Body"
    page = client.get(f"/registry/organisations/{application.organisation_id}").text
    assert "Danish Labelling Body" in page
    bodies_page = client.get("/bodies").text
    assert "Danish Labelling Body" in bodies_page and "Denmark" in bodies_page


def test_bodies_are_recorded_from_the_command_line(app):
    create_user("cli@example.org", roles=(Role.SECRETARIAT,))
    runner = app.test_cli_runner()
    added = runner.invoke(
        args=["body-add", "Swedish Body", "--countries", "SE,FI", "--levels", "bronze"]
    )
    assert added.exit_code == 0, added.output
    body = db.session.scalar(db.select(LabellingBody).filter_by(name="Swedish Body"))
    assert body.countries == ["SE", "FI"] and body.kind == "national"
    member = runner.invoke(args=["body-member", str(body.id), "cli@example.org"])
    assert member.exit_code == 0, member.output
    refused = runner.invoke(args=["body-add", "Nowhere", "--levels", "bronze"])
    assert refused.exit_code != 0 and "at least one country" in refused.output


def test_labels_and_appeals_stay_with_their_body(client, bodies, manager):
    from datetime import date

    from labelling.assessments import decisions, services
    from labelling.assessments.workflow import State
    from labelling.certificates.models import Label
    from tests.factories import force_state

    _european, _danish, people = bodies
    application = submitted_application(manager, "bronze", country_code="DK")
    force_state(application, State.ASSESSED)
    framework = services.framework_of(application)
    decisions.award_label(application, framework, people["danish"], "bronze", date.today(), "x")
    db.session.commit()
    label = db.session.scalar(db.select(Label).filter_by(application_id=application.id))
    for who, sees in (("danish", True), ("european", False), ("admin", True)):
        client.post("/logout")
        sign_in(client, people[who].email)
        listed = f"/secretariat/labels/{label.id}" in client.get("/secretariat/labels/").text
        assert listed == sees, who
        assert client.get(f"/secretariat/labels/{label.id}").status_code == (
            200 if sees else 403
        ), who


def test_the_secretariat_sees_the_figures_per_body(client, bodies):
    _european, _danish, people = bodies
    sign_in(client, people["admin"].email)
    page = client.get("/secretariat/accountability").text
    assert "European Secretariat" in page and "Danish Labelling Body" in page


def test_another_bodys_staff_cannot_reach_an_organisation_or_join_its_team(client, bodies, manager):
    """Seen: a national body's secretariat could edit an organisation of another country,
    invite itself to its team, accept, and then open the application as its team."""
    from labelling.organisations.models import Invitation
    from tests.factories import create_org

    _european, _danish, people = bodies
    german = create_org(manager, legal_name="Kept Apart Cluster", country_code="DE")
    danish_org = create_org(manager, legal_name="Danish Cluster", country_code="DK")
    db.session.commit()
    sign_in(client, people["danish"].email)
    assert client.get(f"/organisations/{german.id}").status_code == 403
    assert client.get(f"/organisations/{german.id}/edit").status_code == 403
    invited = client.post(
        f"/organisations/{german.id}/team",
        data={"email": people["danish"].email, "role": "member"},
    )
    assert invited.status_code == 403
    assert db.session.scalar(db.select(Invitation)) is None
    listed = client.get("/organisations/").text
    assert "Danish Cluster" in listed and "Kept Apart Cluster" not in listed
    assert client.get(f"/organisations/{danish_org.id}").status_code == 200  # its own country
    client.post("/logout")
    for who in ("european", "unassigned", "admin"):  # the European body's staff, and admins
        sign_in(client, people[who].email)
        assert client.get(f"/organisations/{german.id}").status_code == 200
        client.post("/logout")


def test_the_staff_of_several_bodies_narrow_labels_and_queues_to_one(client, bodies, manager):
    """Issue 27: the lists narrow by the body that decided (the European body's own
    include what no body was recorded for)."""
    from labelling.assessments.workflow import State
    from tests.factories import force_state, labelled_organisation

    european, danish, people = bodies
    danish_label = labelled_organisation(manager, legal_name="Dansk Klynge", country_code="DK")
    danish_label.application.body_id = danish.id
    labelled_organisation(manager, legal_name="Unrecorded Cluster")  # no body: the European
    waiting = submitted_application(manager, "bronze", country_code="DK", legal_name="Venter")
    force_state(waiting, State.SCREENING)
    db.session.commit()

    def names(url: str) -> list[str]:
        return sorted(
            re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', client.get(url).text)
        )

    sign_in(client, people["admin"].email)
    labels = "/secretariat/labels/"
    assert 'name="body"' in client.get(labels).text
    assert names(f"{labels}?body={danish.id}") == ["Dansk Klynge"]
    assert names(f"{labels}?body={european.id}") == ["Unrecorded Cluster"]
    queue = "/secretariat/applications?queue=screening"
    assert names(f"{queue}&body={danish.id}") == ["Venter"]
    assert names(f"{queue}&body={european.id}") == []
    client.post("/logout")
    sign_in(client, people["danish"].email)  # one body: nothing to choose
    assert 'name="body"' not in client.get(labels).text
    assert client.get(f"{labels}?body={european.id}").status_code == 422
