"""After the answer: did it help, reminders of unanswered requests, capacity, and a
request or an answer given twice at once."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from labelling.db import utcnow
from labelling.extensions import db
from labelling.notifications.models import OutboxMessage
from labelling.notifications.reminders import reminder_providers, send_reminders
from labelling.twinning.models import Partnership
from tests.factories import create_user, last_email, sign_in
from tests.twinning.conftest import opt_in
from tests.twinning.helpers import LEARNER, TEACHER, benchmark_again, decided


def north_asks_south(client, twins):
    return client.post(
        f"/organisations/{twins.north.id}/twinning/ask/{twins.south.id}",
        data={"message": "Shall we?"},
    )


def start(client, twins) -> Partnership:
    sign_in(client, "north@example.org")
    north_asks_south(client, twins)
    client.post("/logout")
    partnership = db.session.scalar(db.select(Partnership))
    sign_in(client, "south@example.org")
    assert client.post(f"/twinning/{partnership.id}/accept").status_code == 303
    client.post("/logout")
    return partnership


def test_the_plan_shows_what_moved_since_it_began(client, twins):
    partnership = start(client, twins)
    sign_in(client, "north@example.org")
    page = client.get(f"/twinning/{partnership.id}").text
    assert "Your next decided benchmarking will show here" in page
    # North benchmarks again: committed share 8/40 = 20 % -> 24/40 = 60 %, strategy 1 -> 1.
    benchmark_again(twins.north, twins.north_manager, {**LEARNER, "committed": 24})
    page = client.get(f"/twinning/{partnership.id}").text
    table = page[page.index("Your figures on the target indicators") :]
    assert "1.1" in table and "20" in table and "60" in table and "better" in table
    client.post("/logout")
    sign_in(client, "south@example.org")
    page = client.get(f"/twinning/{partnership.id}").text
    # South learns only which way North moved, never North's figures.
    assert "North Cluster has benchmarked again: better on 1" in page, page[
        page.find("Did it help") :
    ][:1500]
    assert ">20<" not in page and ">60<" not in page


def test_an_unanswered_request_reminds_the_partner_once(client, twins, app):
    sign_in(client, "north@example.org")
    north_asks_south(client, twins)
    partnership = db.session.scalar(db.select(Partnership))
    today = date.today()
    assert send_reminders(reminder_providers(), today) == 0  # not yet 14 days
    db.session.execute(
        update(Partnership)
        .where(Partnership.id == partnership.id)
        .values(created_at=utcnow() - timedelta(days=15))
    )
    assert send_reminders(reminder_providers(), today) == 1
    assert send_reminders(reminder_providers(), today) == 0  # once
    db.session.commit()
    mail = last_email("south@example.org")
    assert mail.subject == "Reminder: North Cluster is waiting for your answer"
    assert f"/twinning/{partnership.id}" in mail.body_text


def test_a_full_organisation_is_suggested_to_nobody(client, twins):
    opt_in(
        client, "south@example.org", twins.south, wants=["1.2"], offers=["1.1", "2.2"], capacity="1"
    )
    client.post("/logout")
    west_manager = create_user("west@example.org")
    west = decided(west_manager, LEARNER, legal_name="West Cluster", country_code="ES")
    opt_in(client, "west@example.org", west, wants=["1.1"], offers=["1.2"])
    assert "South Cluster" in client.get(f"/organisations/{west.id}/twinning/suggestions").text
    client.post("/logout")
    start(client, twins)  # South's one partnership
    sign_in(client, "west@example.org")
    assert "South Cluster" not in client.get(f"/organisations/{west.id}/twinning/suggestions").text
    refused = client.post(
        f"/organisations/{west.id}/twinning/ask/{twins.south.id}", data={"message": "Hello"}
    )
    assert refused.status_code == 422
    assert "as many partnerships as it can take" in refused.text


def test_an_answer_given_twice_counts_once(client, twins, app):
    sign_in(client, "north@example.org")
    north_asks_south(client, twins)
    client.post("/logout")
    partnership = db.session.scalar(db.select(Partnership))
    sign_in(client, "south@example.org")
    assert client.post(f"/twinning/{partnership.id}/accept").status_code == 303
    again = client.post(f"/twinning/{partnership.id}/accept")
    assert again.status_code == 409
    assert client.post(f"/twinning/{partnership.id}/decline", data={}).status_code == 409
    mails = db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.recipient == "north@example.org")
    ).all()
    assert [m.subject for m in mails].count("South Cluster accepted your twinning request") == 1


def test_a_manager_reads_the_e_mail_in_their_language(client, twins):
    twins.south_manager.locale = "de"
    db.session.commit()
    sign_in(client, "north@example.org")
    north_asks_south(client, twins)
    mail = last_email("south@example.org")
    assert mail.subject == "North Cluster bittet South Cluster um ein Twinning"


def test_a_team_member_of_neither_side_cannot_change_the_plan(client, twins):
    partnership = start(client, twins)
    decided(create_user("other@example.org"), TEACHER, legal_name="Other Cluster")
    sign_in(client, "other@example.org")
    assert (
        client.post(
            f"/twinning/{partnership.id}/activities",
            data={"kind": "visit", "title": "x", "starts_on": "2027-01-01"},
        ).status_code
        == 403
    )
    assert client.post(f"/twinning/{partnership.id}/end").status_code == 403
    assert db.session.get(Partnership, partnership.id).state == "active"
