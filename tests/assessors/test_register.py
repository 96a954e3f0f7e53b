"""The accreditation register (secretariat) and the assessor's declarations page."""

from __future__ import annotations

from datetime import date, timedelta

from labelling.accounts.models import Role
from labelling.assessors.models import Accreditation, AssessorProfile, ConflictDeclaration
from labelling.core.audit import events_for
from labelling.extensions import db
from tests.factories import create_assessor, create_org, create_user, sign_in


def profile_of(user) -> AssessorProfile:
    db.session.expire_all()
    return db.session.scalar(db.select(AssessorProfile).filter_by(user_id=user.id))


def test_the_register_is_for_the_secretariat_only(client, manager):
    assessor = create_assessor("anna@assessors.example.net", "Anna")
    assert client.get("/assessors/").status_code == 302  # sign in first
    for user in (manager, assessor):
        client.post("/logout")
        sign_in(client, user.email)
        assert client.get("/assessors/").status_code == 403
        assert client.get(f"/assessors/{profile_of(assessor).id}").status_code == 403
        assert (
            client.post(
                f"/assessors/{profile_of(assessor).id}/accreditations",
                data={
                    "acc-role": "auditor",
                    "acc-issued_on": "2026-01-01",
                    "acc-expires_on": "2028-01-01",
                },
            ).status_code
            == 403
        )
    assert len(profile_of(assessor).accreditations) == 1


def test_add_an_existing_user_to_the_register(client, secretariat):
    person = create_user("klaus@assessors.example.net", "Klaus Weber")
    sign_in(client, secretariat.email)
    unknown = client.post(
        "/assessors/new",
        data={"email": "nobody@example.net", "country_code": "DE", "languages": ["de", "en"]},
    )
    assert unknown.status_code == 422
    assert "No account with this e-mail" in unknown.text
    assert db.session.scalar(db.select(db.func.count()).select_from(AssessorProfile)) == 0
    no_language = client.post("/assessors/new", data={"email": person.email, "country_code": "DE"})
    assert no_language.status_code == 422 and "Choose at least one language" in no_language.text
    added = client.post(
        "/assessors/new",
        data={
            "email": person.email,
            "country_code": "DE",
            "languages": ["en", "de"],
            "technology_areas": ["ict", "food"],
        },
    )
    assert added.status_code == 303
    profile = profile_of(person)
    assert profile.languages == ["de", "en"] and profile.technology_areas == ["food", "ict"]
    assert person.has_role(Role.ASSESSOR)
    twice = client.post(
        "/assessors/new", data={"email": person.email, "country_code": "DE", "languages": ["de"]}
    )
    assert twice.status_code == 422 and "in the register already" in twice.text
    page = client.get("/assessors/").text
    assert "Klaus Weber" in page


def test_grant_suspend_and_restore_an_accreditation(client, secretariat):
    person = create_assessor("anna@assessors.example.net", "Anna", roles=())
    profile = profile_of(person)
    sign_in(client, secretariat.email)
    backwards = client.post(
        f"/assessors/{profile.id}/accreditations",
        data={"acc-role": "auditor", "acc-issued_on": "2026-01-01", "acc-expires_on": "2025-01-01"},
    )
    assert backwards.status_code == 422 and "must be after the issue date" in backwards.text
    granted = client.post(
        f"/assessors/{profile.id}/accreditations",
        data={"acc-role": "auditor", "acc-issued_on": "2026-01-01", "acc-expires_on": "2028-01-01"},
    )
    assert granted.status_code == 303
    accreditation = profile_of(person).accreditations[0]
    assert profile_of(person).active_roles(date(2026, 6, 1)) == {"auditor"}

    no_reason = client.post(f"/assessors/accreditations/{accreditation.id}/suspend", data={})
    assert no_reason.status_code == 422 and "Please give the reason" in no_reason.text
    assert db.session.get(Accreditation, accreditation.id).suspended_at is None

    suspended = client.post(
        f"/assessors/accreditations/{accreditation.id}/suspend",
        data={f"suspend-{accreditation.id}-reason": "Training not renewed"},
    )
    assert suspended.status_code == 303
    assert profile_of(person).active_roles(date(2026, 6, 1)) == set()
    assert "Training not renewed" in client.get("/assessors/?status=suspended").text
    assert "Anna" not in client.get("/assessors/?status=active").text

    assert client.post(f"/assessors/accreditations/{accreditation.id}/restore").status_code == 303
    assert profile_of(person).active_roles(date(2026, 6, 1)) == {"auditor"}
    actions = [e.action for e in events_for("assessor_profile", profile.id)]
    assert actions[-3:] == [
        "assessor.accreditation_granted",
        "assessor.accreditation_suspended",
        "assessor.accreditation_restored",
    ]


def test_expired_accreditations_are_filtered_and_shown(client, secretariat):
    person = create_assessor("old@assessors.example.net", "Olaf Old", roles=())
    profile = profile_of(person)
    profile.accreditations.append(
        Accreditation(role="auditor", issued_on=date(2020, 1, 1), expires_on=date(2022, 1, 1))
    )
    db.session.commit()
    sign_in(client, secretariat.email)
    assert "Olaf Old" in client.get("/assessors/?status=expired").text
    assert "Olaf Old" not in client.get("/assessors/?status=active&role=auditor").text


def test_an_assessor_declares_a_conflict(client, manager):
    organisation = create_org(manager, legal_name="Baltic Maritime Cluster")
    person = create_assessor("anna@assessors.example.net", "Anna")
    sign_in(client, person.email)
    page = client.get("/assessors/me")
    assert page.status_code == 200 and "Baltic Maritime Cluster" not in page.text  # found first
    found = client.get("/assessors/me?q=maritime")
    assert found.status_code == 200 and "Baltic Maritime Cluster" in found.text
    assert f'value="{organisation.id}"' in found.text
    assert "No organisation" in client.get("/assessors/me?q=zzzz").text
    # A search far longer than a name (SQLite refuses LIKE patterns over 50,000 bytes).
    assert client.get("/assessors/me?q=" + "a" * 60_000).status_code == 200
    huge = client.post("/assessors/me", data={"q": "a" * 60_000, "relation": "advised"})
    assert huge.status_code == 422
    future = client.post(
        "/assessors/me",
        data={
            "organisation_id": organisation.id,
            "relation": "advised",
            "ended_on": (date.today() + timedelta(days=3)).isoformat(),
        },
    )
    assert future.status_code == 422 and "cannot be in the future" in future.text
    nowhere = client.post("/assessors/me", data={"organisation_id": 999999, "relation": "advised"})
    assert nowhere.status_code == 422 and "Find the organisation, then choose it." in nowhere.text
    assert db.session.scalar(db.select(db.func.count()).select_from(ConflictDeclaration)) == 0
    declared = client.post(
        "/assessors/me",
        data={"organisation_id": organisation.id, "relation": "advised", "ended_on": "2025-03-01"},
    )
    assert declared.status_code == 303
    declaration = profile_of(person).conflicts[0]
    assert (declaration.organisation_id, declaration.relation) == (organisation.id, "advised")
    assert declaration.ended_on == date(2025, 3, 1)
    # Assessors see only their own entry: another profile's page is the secretariat's.
    other = create_assessor("omar@assessors.example.net", "Omar")
    assert client.get(f"/assessors/{profile_of(other).id}").status_code == 403


def test_a_user_outside_the_register_gets_a_clear_answer(client, manager):
    sign_in(client, manager.email)
    response = client.get("/assessors/me")
    assert response.status_code == 404
    assert "not in the accreditation register" in response.text


def test_the_register_pages_by_name_and_finds_by_name_or_address(client, monkeypatch):
    """Issue 27: the register loaded every profile and filtered them one by one."""
    import html
    import re

    from labelling.assessors import listing

    monkeypatch.setattr(listing, "PER_PAGE", 2)
    for name, country in (("Berta", "DE"), ("Anna", "PL"), ("Carl", "DE"), ("Dora", "FR")):
        create_assessor(f"{name.lower()}@assessors.example.net", name, country)
    secretariat = create_user("sec@example.org", roles=(Role.SECRETARIAT,))
    sign_in(client, secretariat.email)

    def names(url: str) -> list[str]:
        return re.findall(r'/assessors/\d+">([^<]+)</a>', client.get(url).text)

    first = client.get("/assessors/").text
    assert "4 of 4 assessors" in first and names("/assessors/") == ["Anna", "Berta"]
    following = html.unescape(re.search(r'<a rel="next" href="([^"]+)"', first).group(1))
    assert names(following) == ["Carl", "Dora"]
    assert names("/assessors/?country=DE") == ["Berta", "Carl"]
    assert names("/assessors/?q=dora%40") == ["Dora"]
    assert client.get("/assessors/?status=royal").status_code == 400
    assert client.get("/assessors/?after=nope").status_code == 400
