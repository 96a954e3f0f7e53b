"""Complaints about a labelled organisation: from anyone, read only once the e-mail is
confirmed, reviewed and closed by the secretariat with an outcome the complainant is told."""

from __future__ import annotations

import html
import re

import pytest

from labelling.accounts.models import Role
from labelling.complaints.models import Complaint
from labelling.extensions import db
from tests.factories import create_org, create_user, labelled_organisation, last_email, sign_in

TEXT = "The cluster claims 200 members; its own member list shows 35."


@pytest.fixture
def listed(app, manager):
    return labelled_organisation(manager, "gold").organisation


def complain(client, organisation, **data):
    return client.post(
        f"/registry/organisations/{organisation.id}/complaint",
        data={"name": "Clara Concerned", "email": "clara@example.net", "text": TEXT, **data},
    )


def confirmation_link(email: str) -> str:
    return re.search(r"https?://\S+/complaints/confirm/\S+", last_email(email).body_text).group(0)


def test_anyone_complains_and_confirms_then_the_secretariat_sees_it(client, listed):
    page = client.get(f"/registry/organisations/{listed.id}")
    assert f"/registry/organisations/{listed.id}/complaint" in page.text
    assert complain(client, listed, text="short").status_code == 422
    sent = complain(client, listed)
    assert sent.status_code == 200 and "Confirm your e-mail address" in sent.text
    secretariat = create_user("sec@example.org", roles=(Role.SECRETARIAT,))
    sign_in(client, secretariat.email)
    (complaint,) = db.session.scalars(db.select(Complaint)).all()
    # Not confirmed: never shown to staff.
    assert "Clara Concerned" not in client.get("/secretariat/complaints").text
    assert client.get(f"/secretariat/complaints/{complaint.id}").status_code == 404
    client.post("/logout")
    link = confirmation_link("clara@example.net")
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert "Complaint received" in client.get(path).text
    assert client.get(path).status_code == 200  # a second click changes nothing
    assert client.get(path[:-3] + "xyz").status_code == 404
    assert "A confirmed complaint" in last_email(secretariat.email).body_text
    sign_in(client, secretariat.email)
    assert "Clara Concerned" in client.get("/secretariat/complaints").text
    detail = f"/secretariat/complaints/{complaint.id}"
    assert TEXT in client.get(detail).text
    assert client.post(f"{detail}/review").status_code == 303
    assert client.post(f"{detail}/close", data={"outcome": ""}).status_code == 422
    closed = client.post(f"{detail}/close", data={"outcome": "The register was checked."})
    assert closed.status_code == 303
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).state == "closed"
    assert "The register was checked." in last_email("clara@example.net").body_text
    assert client.post(f"{detail}/review").status_code == 409  # closed: nothing more


def test_only_staff_handle_complaints(client, listed, manager):
    sign_in(client, manager.email)
    assert client.get("/secretariat/complaints").status_code == 403


def test_unlisted_organisations_take_no_complaints(client, manager):
    from tests.factories import create_org

    unlisted = create_org(manager)
    assert client.get(f"/registry/organisations/{unlisted.id}/complaint").status_code == 404


class TestRateLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "COMPLAINT_RATE_LIMIT": "2 per hour"}

    def test_complaints_are_rate_limited(self, client, listed):
        for _ in range(2):
            assert complain(client, listed).status_code == 200
        assert complain(client, listed).status_code == 429


def test_the_complainant_is_answered_in_the_language_they_wrote_in(client, listed):
    from labelling.complaints import services

    client.post(
        f"/registry/organisations/{listed.id}/complaint?lang=it",
        data={"name": "Carla", "email": "carla@example.net", "text": TEXT},
    )
    (complaint,) = db.session.scalars(db.select(Complaint)).all()
    assert complaint.language == "it"
    assert "Conferma" in last_email("carla@example.net").subject
    secretariat = create_user("sec@example.org", roles=(Role.SECRETARIAT,))
    services.confirm_complaint(services.confirmation_token(complaint))
    services.review_complaint(complaint, secretariat)
    # The secretariat closes it from an English page: Carla reads the outcome in Italian.
    with client.application.test_request_context("/?lang=en"):
        services.close_complaint(complaint, secretariat, "Il registro è stato verificato.")
    db.session.commit()
    told = last_email("carla@example.net")
    assert told.subject.startswith("L'esito del tuo reclamo")


def test_a_complaint_reaches_only_the_body_that_labelled_the_organisation(client, listed):
    """Found by the permission table: any body's secretariat read any complaint (and the
    complainant's name and address) and was mailed about it."""
    from labelling.bodies.models import BodyMember, LabellingBody
    from labelling.notifications.models import OutboxMessage

    european = LabellingBody(name="European body", kind="european", countries=[], levels=[])
    polish = LabellingBody(name="Polish body", kind="national", countries=["PL"], levels=[])
    db.session.add_all([european, polish])
    db.session.flush()
    ours = create_user("eu@example.org", roles=(Role.SECRETARIAT,))
    theirs = create_user("pl@example.org", roles=(Role.SECRETARIAT,))
    db.session.add_all(
        [
            BodyMember(body_id=european.id, user_id=ours.id),
            BodyMember(body_id=polish.id, user_id=theirs.id),
        ]
    )
    db.session.commit()
    complain(client, listed)
    link = confirmation_link("clara@example.net")
    client.get("/" + link.split("://", 1)[1].split("/", 1)[1])
    (complaint,) = db.session.scalars(db.select(Complaint)).all()
    mailed = set(
        db.session.scalars(
            db.select(OutboxMessage.recipient).filter_by(template="complaint_received")
        )
    )
    assert mailed == {ours.email}
    sign_in(client, theirs.email)
    assert "Clara Concerned" not in client.get("/secretariat/complaints").text
    assert client.get(f"/secretariat/complaints/{complaint.id}").status_code == 403
    client.post("/logout")
    sign_in(client, ours.email)
    assert "Clara Concerned" in client.get("/secretariat/complaints").text
    assert client.get(f"/secretariat/complaints/{complaint.id}").status_code == 200


def test_the_complaints_page_latest_first_open_and_closed_apart(client, monkeypatch):
    """Issue 27: the list loaded every complaint and asked each which body handles it."""
    from labelling.complaints import services
    from labelling.db import utcnow

    monkeypatch.setattr(services, "COMPLAINTS_PER_PAGE", 2)
    organisation = create_org(create_user("manager@example.org"), legal_name="Listed Cluster")
    made = []
    for n, state in enumerate(["received", "under_review", "received", "closed", "unconfirmed"]):
        complaint = Complaint(
            organisation_id=organisation.id,
            name=f"Person {n}",
            email=f"person{n}@example.net",
            text="The cluster claims a label it does not hold.",
            state=state,
            confirmed_at=None if state == "unconfirmed" else utcnow(),
        )
        if state == "closed":
            complaint.outcome, complaint.closed_at = "Checked: the claim was right.", utcnow()
        db.session.add(complaint)
        made.append(complaint)
    db.session.commit()
    staff = create_user("sec@example.org", roles=(Role.SECRETARIAT,))
    sign_in(client, staff.email)

    def people(url: str) -> list[str]:
        return re.findall(r"<td>(Person \d)</td>", client.get(url).text)

    first = client.get("/secretariat/complaints").text
    assert "3 complaints" in first and people("/secretariat/complaints") == ["Person 2", "Person 1"]
    following = html.unescape(re.search(r'<a rel="next" href="([^"]+)"', first).group(1))
    assert people(following) == ["Person 0"]
    assert people("/secretariat/complaints?show=closed") == ["Person 3"]  # never the unconfirmed
    assert client.get("/secretariat/complaints?after=x").status_code == 400
