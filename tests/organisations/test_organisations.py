"""Organisation profiles, object-level permissions and team invitations, via the test client."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from labelling.accounts.models import Role
from labelling.core.audit import AuditEvent
from labelling.extensions import db
from labelling.organisations.models import Membership, Organisation, TeamRole
from tests.factories import (
    create_org,
    create_user,
    form_data,
    last_email,
    link_in,
    organisation_data,
    sign_in,
)


def org_count() -> int:
    return db.session.scalar(select(func.count(Organisation.id)))


def test_manager_registers_an_organisation_and_sees_it(client, manager):
    sign_in(client, manager.email)
    data = organisation_data(legal_name="Cluster Ñandú Łódź Ελλάδα")
    response = client.post("/organisations/new", data=form_data(data))
    assert response.status_code == 303
    organisation = db.session.scalar(select(Organisation))
    assert response.headers["Location"] == f"/organisations/{organisation.id}"
    assert organisation.total_members == 41 and organisation.member_types == 5
    assert organisation.membership_of(manager).role == TeamRole.MANAGER
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cluster Ñandú Łódź Ελλάδα" in page and "Germany" in page
    assert "Organisation registered" in page  # the audit timeline
    assert "Cluster Ñandú Łódź Ελλάδα" in client.get("/dashboard").get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"committed_members": 99}, "committed_members", "cannot exceed all members"),
        ({"members_sme": -3}, "members_sme", "Number must be between 0 and 100000"),
        ({"members_sme": "many"}, "members_sme", "Not a valid integer value"),
        ({"management_fte": "-1"}, "management_fte", "Number must be between 0 and 1000"),
        ({"founding_year": 2999}, "founding_year", "cannot be in the future"),
        ({"website": "cluster.example.org"}, "website", "Enter a full web address"),
        ({"country_code": "XX"}, "country_code", "Not a valid choice"),
        ({"technology_area": "alchemy"}, "technology_area", "Not a valid choice"),
        ({"legal_name": ""}, "legal_name", "This field is required"),
        # Seen: a name with a line break was kept, and the invitation mailing it then failed.
        ({"city": "Lyon\r\nBcc: all@example.org"}, "city", "without line breaks"),
    ],
)
def test_bad_input_is_reported_next_to_the_field_and_nothing_is_saved(
    client, manager, overrides, field, message
):
    sign_in(client, manager.email)
    data = organisation_data(**{"legal_name": "Keep This Name", **overrides})
    response = client.post("/organisations/new", data=form_data(data))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(rf'id="{field}-error"[^>]*>.*?{message}', html, re.S), html[-3000:]
    assert f'href="#{field}"' in html  # the summary links to the field
    assert f'aria-describedby="{field}-error"' in html or f"{field}-help {field}-error" in html
    assert '="None"' not in html
    if field != "legal_name":
        assert 'value="Keep This Name"' in html  # what was typed stays
    assert org_count() == 0


def test_only_the_team_and_the_secretariat_see_an_organisation(client, manager, secretariat):
    organisation = create_org(manager)
    outsider = create_user("outsider@example.org")
    assessor = create_user("assessor@example.org", roles=(Role.ASSESSOR,))
    url = f"/organisations/{organisation.id}"
    for user in (outsider, assessor):
        sign_in(client, user.email)
        assert client.get(url).status_code == 403
        assert client.get(url + "/edit").status_code == 403
        assert client.post(url + "/edit", data=form_data(organisation_data())).status_code == 403
        assert client.get(url + "/team").status_code == 403
        assert organisation.legal_name not in client.get("/organisations/").get_data(as_text=True)
        client.post("/logout")
    sign_in(client, secretariat.email)
    assert client.get(url).status_code == 200
    assert organisation.legal_name in client.get("/organisations/").get_data(as_text=True)
    client.post("/logout")
    assert client.get(url).status_code == 302  # anonymous: sign in first
    assert client.get("/organisations/999999").status_code == 302


def test_edit_saves_and_audits_the_changed_fields(client, manager):
    organisation = create_org(manager)
    sign_in(client, manager.email)
    data = organisation_data(legal_name=organisation.legal_name, city="Nürnberg")
    response = client.post(f"/organisations/{organisation.id}/edit", data=form_data(data))
    assert response.status_code == 303
    db.session.refresh(organisation)
    assert organisation.city == "Nürnberg"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "organisation.updated")
    ).one()
    assert event.actor_id == manager.id and "city" in event.data["fields"]


def test_failed_edit_keeps_the_stored_profile(client, manager):
    organisation = create_org(manager, city="Augsburg")
    sign_in(client, manager.email)
    data = organisation_data(city="Passau", committed_members=10_000)
    response = client.post(f"/organisations/{organisation.id}/edit", data=form_data(data))
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Organisation, organisation.id).city == "Augsburg"


def test_invitation_admits_the_invited_person(client, manager):
    organisation = create_org(manager)
    sign_in(client, manager.email)
    response = client.post(
        f"/organisations/{organisation.id}/team",
        data={"email": "Colleague@Example.org", "role": "member"},
    )
    assert response.status_code == 303
    link = link_in(last_email("colleague@example.org"))
    path = link.split("localhost", 1)[1]
    client.post("/logout")

    # The colleague follows the link, is sent to register, comes back and joins.
    first = client.get(path)
    assert first.status_code == 302 and "/login" in first.headers["Location"]
    client.post(
        "/register",
        data={
            "full_name": "Carl Colleague",
            "email": "colleague@example.org",
            "password": "a long passphrase",
            "confirm": "a long passphrase",
        },
    )
    confirmation = link_in(last_email("colleague@example.org")).split("localhost", 1)[1]
    assert client.post(confirmation).status_code == 303
    assert "Join" in client.get(path).get_data(as_text=True)
    joined = client.post(path)
    assert joined.status_code == 303
    assert client.get(f"/organisations/{organisation.id}").status_code == 200
    # A team member edits but does not invite.
    assert (
        client.post(
            f"/organisations/{organisation.id}/team",
            data={"email": "x@example.org", "role": "member"},
        ).status_code
        == 403
    )
    # The link works once.
    again = client.post(path)
    assert again.status_code == 409
    assert "has been used already" in again.get_data(as_text=True)


def test_invitation_for_someone_else_is_refused(client, manager):
    organisation = create_org(manager)
    sign_in(client, manager.email)
    client.post(
        f"/organisations/{organisation.id}/team",
        data={"email": "invited@example.org", "role": "member"},
    )
    path = link_in(last_email("invited@example.org")).split("localhost", 1)[1]
    client.post("/logout")
    other = create_user("other@example.org")
    sign_in(client, other.email)
    response = client.post(path)
    assert response.status_code == 409
    assert "another e-mail address" in response.get_data(as_text=True)
    assert organisation.membership_of(other) is None


def test_the_last_manager_cannot_be_removed(client, manager):
    organisation = create_org(manager)
    sign_in(client, manager.email)
    membership = db.session.scalars(select(Membership)).one()
    response = client.post(f"/organisations/{organisation.id}/team/{membership.id}/remove")
    assert response.status_code == 409
    assert db.session.scalar(select(func.count(Membership.id))) == 1
