"""The staff's list of appeals pages, open ones by due date and decided ones newest
first, and shows each body's staff the appeals against its own decisions (issue 27: it
loaded every appeal and asked each one who may see it)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from labelling.accounts.models import Role
from labelling.appeals import listing
from labelling.appeals.models import Appeal, AppealPanelMember
from labelling.bodies.models import BodyMember, LabellingBody
from labelling.db import utcnow
from labelling.extensions import db
from tests.factories import create_user, labelled_organisation, sign_in

QUEUE = "/secretariat/appeals"


@pytest.fixture
def people(app):
    european = LabellingBody(name="European Secretariat", kind="european", countries=[], levels=[])
    danish = LabellingBody(name="Danish Body", kind="national", countries=["DK"], levels=["gold"])
    db.session.add_all([european, danish])
    db.session.flush()
    found = {
        "european": create_user("eu@example.org", roles=(Role.SECRETARIAT,)),
        "danish": create_user("dk@example.org", roles=(Role.SECRETARIAT,)),
        "panel": create_user("panel@example.org", roles=(Role.SECRETARIAT,)),
        "manager": create_user("manager@example.org"),
    }
    db.session.add_all(
        [
            BodyMember(body_id=european.id, user_id=found["european"].id),
            BodyMember(body_id=danish.id, user_id=found["danish"].id),
            BodyMember(body_id=danish.id, user_id=found["panel"].id),
        ]
    )
    db.session.commit()
    return european, danish, found


def appeal_against(label, state: str, due_in_days: int, decider=None) -> Appeal:
    appeal = Appeal(
        organisation_id=label.organisation_id,
        label_id=label.id,
        subject="revocation",
        decision_key=f"label-{label.id}-{state}-{due_in_days}",
        decision_made_at=utcnow(),
        state=state,
        grounds="The revocation misread our accounts.",
        lodged_at=utcnow(),
        due_on=date.today() + timedelta(days=due_in_days),
    )
    if state == "upheld":
        appeal.outcome_reason, appeal.decided_at = "The accounts were read right.", utcnow()
        appeal.decided_by_id = decider.id
    db.session.add(appeal)
    db.session.commit()
    return appeal


def listed(client, query: str = "") -> list[int]:
    page = client.get(f"{QUEUE}{query}").get_data(as_text=True)
    return [int(n) for n in re.findall(r'href="/appeals/(\d+)"', page)]


def test_appeals_page_by_urgency_and_stay_with_their_body(client, people, monkeypatch):
    monkeypatch.setattr(listing, "PER_PAGE", 2)
    european, danish, found = people
    european_label = labelled_organisation(found["manager"], legal_name="Euro Cluster")
    danish_label = labelled_organisation(found["manager"], legal_name="Dansk", country_code="DK")
    danish_label.application.body_id = danish.id
    european_label.application.body_id = european.id
    db.session.commit()
    later = appeal_against(danish_label, "lodged", 30)
    sooner = appeal_against(danish_label, "under_review", 5)
    soonest = appeal_against(danish_label, "lodged", 1)
    decided = appeal_against(danish_label, "upheld", -10, found["panel"])
    elsewhere = appeal_against(european_label, "lodged", 2)

    sign_in(client, found["danish"].email)
    first = client.get(QUEUE).get_data(as_text=True)
    assert "3 appeals" in first
    assert listed(client) == [soonest.id, sooner.id]
    following = re.search(r'<a rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert listed(client, following.removeprefix(QUEUE)) == [later.id]
    assert listed(client, "?show=decided") == [decided.id]
    assert elsewhere.id not in listed(client) and client.get(f"{QUEUE}?show=all").status_code == 404

    client.post("/logout")
    sign_in(client, found["european"].email)
    assert listed(client) == [elsewhere.id]  # not the Danish body's appeals

    # A seat on the panel shows the appeal, whatever the body.
    db.session.add(AppealPanelMember(appeal_id=elsewhere.id, user_id=found["panel"].id))
    db.session.commit()
    client.post("/logout")
    sign_in(client, found["panel"].email)
    assert elsewhere.id in listed(client)
    assert client.get(f"{QUEUE}?after=bad").status_code == 400
