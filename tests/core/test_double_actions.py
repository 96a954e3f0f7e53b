"""Every state change once: a second click finds the first one's result, and a request
that loses a race to another changes nothing and is answered 409, never 500."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from labelling.assessments.models import Application
from labelling.extensions import db
from tests.factories import create_org, labelled_organisation, sign_in


def test_a_double_click_on_start_application_makes_one_draft(client, manager):
    """Finding 11: a double click on "Start application" created two drafts."""
    organisation = create_org(manager)
    sign_in(client, manager.email)
    url = f"/organisations/{organisation.id}/applications/new"
    first = client.post(url, data={"level": "gold", "kind": "new"})
    second = client.post(url, data={"level": "gold", "kind": "new"})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count(Application.id))) == 1
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "A draft for this level is already open" in page
    # Another level is another application.
    client.post(url, data={"level": "silver", "kind": "new"})
    assert db.session.scalar(select(func.count(Application.id))) == 2


def test_the_database_allows_one_draft_per_organisation_and_level(manager):
    organisation = create_org(manager)
    for _ in range(2):
        db.session.add(
            Application(
                organisation_id=organisation.id,
                level="gold",
                kind="new",
                framework_id="ecei-2013",
                framework_version="x",
                framework_digest="x",
                state="draft",
            )
        )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize(
    ("raised", "status"),
    [
        (StaleDataError("UPDATE statement on table 'label' expected to update 1 row(s)"), 409),
        (IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: x.y")), 409),
        (IntegrityError("INSERT", {}, Exception("NOT NULL constraint failed: x.y")), 500),
    ],
)
def test_losing_a_race_is_409_and_changes_nothing(
    app, client, secretariat, manager, monkeypatch, raised, status
):
    from labelling.certificates import services

    label = labelled_organisation(manager, "gold")

    def lose(label, action, actor, reason=""):
        label.status = "suspended"  # what it had begun to write...
        raise raised

    monkeypatch.setattr(services, "change_label_status", lose)
    sign_in(client, secretariat.email)
    response = client.post(
        f"/secretariat/labels/{label.id}", data={"action": "suspend", "comment": "Audit"}
    )
    assert response.status_code == status
    if status == 409:
        assert "Nothing was changed by this request" in response.get_data(as_text=True)
    db.session.expire_all()
    assert label.status == "active"  # ...is rolled back
