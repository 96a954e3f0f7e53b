"""Twinning as the managers use it: opting in, suggestions with reasons, a request, the
answer, the plan; and who may see and do what."""

from __future__ import annotations

import re

from labelling.accounts.models import Role
from labelling.extensions import db
from labelling.twinning.models import Partnership, TwinningProfile
from tests.core.test_form_markup import repeated_ids
from tests.factories import create_user, last_email, sign_in
from tests.twinning.conftest import opt_in
from tests.twinning.helpers import LEARNER, TEACHER, decided


def suggestions_of(client, organisation):
    return client.get(f"/organisations/{organisation.id}/twinning/suggestions")


def ask(client, requester, partner, message="We would like to learn how you commit members."):
    return client.post(
        f"/organisations/{requester.id}/twinning/ask/{partner.id}", data={"message": message}
    )


def test_the_settings_start_from_the_benchmarking(client):
    manager = create_user("north@example.org")
    north = decided(manager, LEARNER, legal_name="North Cluster")
    sign_in(client, "north@example.org")
    html = client.get(f"/organisations/{north.id}/twinning/settings").text
    checked = re.findall(
        r'<input checked id="(wants|offers)-\d+" name="\w+" type="checkbox" value="([\d.]+)"', html
    )
    assert sorted(checked) == [
        ("offers", "1.2"),
        ("offers", "2.1"),
        ("wants", "1.1"),
        ("wants", "2.2"),
    ]
    assert "1.1 Committed share (below the baseline minimum)" in html
    # Only strong indicators can be offered: 1.1 is not among the choices.
    assert 'name="offers" type="checkbox" value="1.1"' not in html
    assert 'id="is_active" name="is_active" type="checkbox" value="y">' in html  # off by default
    refused = client.post(
        f"/organisations/{north.id}/twinning/settings",
        data={
            "is_active": "y",
            "offers": ["1.1"],
            "languages": ["en"],
            "country_choice": "anywhere",
            "capacity": "2",
        },
    )
    assert refused.status_code == 422 and "is not a valid choice" in refused.text
    assert (
        client.post(
            f"/organisations/{north.id}/twinning/settings",
            data={
                "is_active": "y",
                "wants": ["1.1"],
                "country_choice": "anywhere",
                "capacity": "2",
            },
        ).status_code
        == 422
    )  # no language


def test_twinning_opens_only_after_a_decided_benchmarking(client, manager):
    from tests.factories import create_org

    organisation = create_org(manager)
    sign_in(client, manager.email)
    page = client.get(f"/organisations/{organisation.id}/twinning/settings")
    assert "it opens once a benchmarking of yours has been decided" in page.text
    client.post(
        f"/organisations/{organisation.id}/twinning/settings",
        data={
            "is_active": "y",
            "wants": ["1.1"],
            "languages": ["en"],
            "country_choice": "anywhere",
            "capacity": "2",
        },
    )
    assert db.session.scalar(db.select(db.func.count()).select_from(TwinningProfile)) == 0


def test_a_suggestion_says_why_and_shows_no_figure_of_the_partner(client, twins):
    sign_in(client, "north@example.org")
    html = suggestions_of(client, twins.north).text
    assert "South Cluster" in html
    assert "Strong on 1.1 Committed share, where you are below the baseline minimum." in html
    assert "Strong on 2.2 Strategy, where you are below the baseline minimum." in html
    assert "You are strong on 1.2 Regional share, which they want to improve." in html
    assert "In another country: a cross-border partnership." in html
    card = html[html.index('<li class="card">') : html.index("</ol>")]
    text = re.sub(r"<[^>]+>", " ", card)
    # South's figures (75 % committed, 12.5 % regional, 50 % turnover, band 4, 40
    # members): no number at all is shown but the indicator codes.
    assert not re.findall(r"\d", re.sub(r"\b\d\.\d\b", "", text)), text


def test_the_whole_request_accepted_with_plan_and_contacts(client, twins):
    sign_in(client, "north@example.org")
    response = ask(client, twins.north, twins.south)
    assert response.status_code == 303
    partnership = db.session.scalar(db.select(Partnership))
    assert partnership.targets == ["1.1", "1.2", "2.2"]
    mail = last_email("south@example.org")
    assert mail.subject == "North Cluster asks South Cluster to twin"
    assert "how you commit members" in mail.body_text
    # Waiting: no contact yet, and South is no longer suggested to North.
    plan = client.get(f"/twinning/{partnership.id}").text
    assert "Contact persons" not in plan and "Withdraw the request" in plan
    assert "South Cluster" not in suggestions_of(client, twins.north).text
    assert ask(client, twins.north, twins.south).status_code == 422  # one at a time
    client.post("/logout")

    sign_in(client, "south@example.org")
    assert "North Cluster" in client.get(f"/organisations/{twins.south.id}/twinning").text
    assert client.post(f"/twinning/{partnership.id}/accept").status_code == 303
    plan = client.get(f"/twinning/{partnership.id}").text
    assert "Nora North" in plan and "north@example.org" in plan
    # The plan's form and the activity's form each have an end date (Nu checker, issue 28).
    assert repeated_ids(plan) == []
    assert '<label for="activity-ends_on">' in plan
    assert "Sam South" in plan
    assert "1.1 Committed share" in plan
    assert last_email("north@example.org").subject == "South Cluster accepted your twinning request"
    added = client.post(
        f"/twinning/{partnership.id}/activities",
        data={
            "kind": "visit",
            "title": "Visit to Lyon",
            "starts_on": "2027-03-01",
            "ends_on": "2027-03-02",
        },
    )
    assert added.status_code == 303
    saved = client.post(
        f"/twinning/{partnership.id}/plan",
        data={"targets": ["1.1"], "notes": "Member commitment first.", "ends_on": "2027-12-31"},
    )
    assert saved.status_code == 303
    client.post("/logout")

    sign_in(client, "north@example.org")
    plan = client.get(f"/twinning/{partnership.id}").text
    assert "Visit to Lyon" in plan and "Member commitment first." in plan
    assert "Sam South" in plan and "south@example.org" in plan
    history = plan[plan.index("History") :] if "History" in plan else plan
    assert "Twinning request accepted" in history and "Activity added to the plan" in history


def test_a_declined_request_tells_the_reason_and_leaves_the_pair_out(client, twins):
    sign_in(client, "north@example.org")
    ask(client, twins.north, twins.south)
    partnership = db.session.scalar(db.select(Partnership))
    client.post("/logout")
    sign_in(client, "south@example.org")
    response = client.post(
        f"/twinning/{partnership.id}/decline", data={"reason": "We are full this year."}
    )
    assert response.status_code == 303
    assert "We are full this year." in last_email("north@example.org").body_text
    client.post("/logout")
    sign_in(client, "north@example.org")
    assert "South Cluster" not in suggestions_of(client, twins.north).text
    assert "We are full this year." in client.get(f"/twinning/{partnership.id}").text
    assert ask(client, twins.north, twins.south).status_code == 422


def test_switching_off_hides_at_once_and_refuses_requests(client, twins):
    opt_in(client, "south@example.org", twins.south, is_active=None, wants=["1.2"], offers=["1.1"])
    client.post("/logout")
    sign_in(client, "north@example.org")
    assert "South Cluster" not in suggestions_of(client, twins.north).text
    page = client.get(f"/organisations/{twins.north.id}/twinning/ask/{twins.south.id}")
    assert page.status_code == 409
    assert "does not take part in twinning at the moment" in page.text
    refused = ask(client, twins.north, twins.south)
    assert refused.status_code == 409
    assert db.session.scalar(db.select(db.func.count()).select_from(Partnership)) == 0


def test_a_partner_without_a_shared_language_is_not_suggested(client, twins):
    opt_in(
        client, "south@example.org", twins.south, languages=["fr"], wants=["1.2"], offers=["1.1"]
    )
    client.post("/logout")
    sign_in(client, "north@example.org")
    assert "South Cluster" not in suggestions_of(client, twins.north).text


def test_others_cannot_see_or_act_and_the_secretariat_only_reads(client, twins):
    sign_in(client, "north@example.org")
    ask(client, twins.north, twins.south)
    partnership = db.session.scalar(db.select(Partnership))
    client.post("/logout")
    outsider = create_user("outsider@example.org")
    decided(outsider, TEACHER, legal_name="Outside Cluster")
    sign_in(client, "outsider@example.org")
    assert client.get(f"/twinning/{partnership.id}").status_code == 403
    assert client.post(f"/twinning/{partnership.id}/accept").status_code == 403
    assert client.get(f"/organisations/{twins.north.id}/twinning").status_code == 403
    assert client.get(f"/organisations/{twins.north.id}/twinning/suggestions").status_code == 403
    client.post("/logout")
    create_user("staff@example.org", roles=(Role.SECRETARIAT,))
    sign_in(client, "staff@example.org")
    page = client.get(f"/twinning/{partnership.id}")
    assert page.status_code == 200 and "Accept" not in page.text
    assert "how you commit members" not in page.text  # the message is the teams' own
    assert client.post(f"/twinning/{partnership.id}/accept").status_code == 403
    assert client.post(f"/twinning/{partnership.id}/decline", data={}).status_code == 403
    assert client.get(f"/organisations/{twins.north.id}/twinning/settings").status_code == 403
    client.post("/logout")
    sign_in(client, "north@example.org")  # the requester cannot accept its own request
    assert client.post(f"/twinning/{partnership.id}/accept").status_code == 403
    assert db.session.get(Partnership, partnership.id).state == "requested"


def test_kept_suggestions_follow_every_change_that_must_show_at_once(client, twins):
    sign_in(client, "north@example.org")
    assert "South Cluster" in suggestions_of(client, twins.north).text  # now kept
    opt_in(client, "south@example.org", twins.south, is_active=None, wants=["1.2"], offers=["1.1"])
    client.post("/logout")
    sign_in(client, "north@example.org")
    assert "South Cluster" not in suggestions_of(client, twins.north).text  # off: at once
    opt_in(client, "south@example.org", twins.south, wants=["1.2"], offers=["1.1", "2.2"])
    opt_in(client, "north@example.org", twins.north, wants=["2.1"], offers=["1.2"])
    # North's own change shows at once: South offers nothing North now wants.
    assert "South Cluster" not in suggestions_of(client, twins.north).text
