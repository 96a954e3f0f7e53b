"""The benchmarking report as its readers get it: page, peer groups, PDF, permissions."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from labelling.assessments import decisions, services
from labelling.assessments.workflow import State
from labelling.extensions import db
from labelling.frameworks.services import current_framework
from tests.benchmarking.test_peers import MEMBERS, answers
from tests.factories import (
    application_with_team,
    create_user,
    sign_in,
    submitted_application,
    with_mini_framework,
)


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


@pytest.fixture
def own(app):
    """One organisation's application among seven peers from other managers."""
    mine = submitted_application(
        create_user("mine@example.org"), "bronze", answers(40), legal_name="Mine Cluster"
    )
    others = create_user("others@example.org")
    for i, members in enumerate(MEMBERS[1:]):
        submitted_application(
            others,
            "bronze",
            answers(members),
            legal_name=f"Peer Cluster {i}",
            technology_area="food" if i < 2 else "ict",
        )
    return mine


def page(client, application, group="all"):
    return client.get(f"/applications/{application.id}/benchmarking?group={group}")


def test_the_report_places_the_organisation_among_its_peers(client, own):
    sign_in(client, "mine@example.org")
    response = page(client, own)
    assert response.status_code == 200
    html = response.text
    assert "Compared with 8 organisations (All benchmarked organisations)" in html
    for name in ("Committed share", "Regional share", "Staff turnover", "Strategy", "Members"):
        assert name in html
    assert html.count('<svg class="boxplot"') >= 5
    assert "self-assessed" in html and "percentile 38" in html  # 40 of 25..120: 37.5
    assert "Peer data as of today." in html
    # The summary the request built is kept for the next reader, not rolled back.
    db.session.rollback()
    from labelling.benchmarking.models import PeerSummary

    assert db.session.scalar(db.select(db.func.count()).select_from(PeerSummary)) == 1
    # Only the organisation's own figures are attributed: never a peer's name.
    assert "Peer Cluster" not in html


def test_switching_to_a_small_group_shows_only_its_size(client, own):
    sign_in(client, "mine@example.org")
    html = page(client, own, "technology_area").text
    assert "This peer group has 6 organisations" not in html  # six ICT: shown
    assert "Compared with 6 organisations (Same technology area)" in html
    food_manager = "others@example.org"
    client.post("/logout")
    sign_in(client, food_manager)
    from labelling.assessments.models import Application

    food = db.session.scalar(
        db.select(Application)
        .join(Application.organisation)
        .where(db.text("organisation.technology_area = 'food'"))
    )
    small = page(client, food, "technology_area").text
    assert "This peer group has 2 organisations: fewer than 5" in small
    assert '<svg class="boxplot"' not in small
    assert "Same technology area: Food (2)" in small


def test_the_report_opens_on_the_most_specific_group_large_enough(client, own):
    sign_in(client, "mine@example.org")
    # Own: ICT (6), Germany (8), 1-49 members (4, too few), all (8): technology area.
    html = client.get(f"/applications/{own.id}/benchmarking").text
    assert "Compared with 6 organisations (Same technology area)" in html
    client.post("/logout")
    sign_in(client, "others@example.org")
    from labelling.assessments.models import Application

    food = db.session.scalar(
        db.select(Application)
        .join(Application.organisation)
        .where(db.text("organisation.technology_area = 'food'"))
    )
    # Food (2) and 50-99 members (3) are too small; Germany (8) comes before all (8).
    html = client.get(f"/applications/{food.id}/benchmarking").text
    assert "Compared with 8 organisations (Same country)" in html
    assert "This peer group has" not in html


def test_a_group_too_small_says_so_in_every_cell_and_in_good_english(client, own):
    sign_in(client, "mine@example.org")
    from labelling.benchmarking import peers
    from labelling.benchmarking.models import BenchmarkEntry, BenchmarkValue

    # Only the organisation itself in the band of 500 members and more.
    entry = db.session.scalar(db.select(BenchmarkEntry).filter_by(application_id=own.id))
    entry.size_band = "500+"
    db.session.execute(
        db.update(BenchmarkValue)
        .where(BenchmarkValue.entry_id == entry.id)
        .values(size_band="500+")
    )
    peers.data_changed()
    db.session.commit()
    html = page(client, own, "size").text
    assert "This peer group has 1 organisation: fewer than 5" in html
    assert "1 organisations" not in html
    assert html.count("Not shown: the peer group is too small") >= 5


def test_no_gaps_heading_when_every_threshold_is_met(client, app):
    from tests.factories import MINI_GOLD_ANSWERS

    manager = create_user("gold@example.org")
    gold = submitted_application(manager, "gold", MINI_GOLD_ANSWERS | {"regional": 30})
    sign_in(client, manager.email)
    html = page(client, gold).text
    assert "Every Gold threshold is met." in html
    assert "Gaps: the Gold threshold is not met yet" not in html


def test_the_pdf_has_the_indicators_and_the_peer_count(client, own):
    sign_in(client, "mine@example.org")
    response = client.get(f"/applications/{own.id}/benchmarking.pdf?group=all")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(BytesIO(response.data))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Benchmarking report: Mine Cluster" in text
    assert "Compared with 8 organisations" in text
    for name in ("Committed share", "Staff turnover", "Strategy"):
        assert name in text
    assert len(reader.pages) >= 1


def test_only_the_team_assessors_and_staff_may_read_it(client, own):
    sign_in(client, create_user("nosy@example.org").email)
    assert page(client, own).status_code == 403
    assert client.get(f"/applications/{own.id}/benchmarking.pdf").status_code == 403
    assert client.get("/applications/99999/benchmarking").status_code == 404


def test_an_unsubmitted_application_has_no_report_yet(client, app):
    manager = create_user("draft@example.org")
    from tests.factories import create_org

    organisation = create_org(manager)
    draft = services.start_application(organisation, "bronze", "new", manager, current_framework())
    db.session.commit()
    sign_in(client, manager.email)
    response = page(client, draft)
    assert response.status_code == 404 and "benchmarked when submitted" in response.text


def test_a_decided_report_shows_the_recommendations_and_the_snapshot(client, app):
    application, people = application_with_team(State.ASSESSED)
    others = create_user("others@example.org")
    for members in (30, 45, 60, 80):
        submitted_application(others, "bronze", answers(members))
    sign_in(client, people["applicant"].email)
    before = page(client, application).text
    assert 'id="recommendations-heading"' not in before  # not before the decision
    client.post("/logout")
    decisions.award_label(
        application,
        services.framework_of(application),
        people["secretariat"],
        "gold",
        date.today(),
    )
    db.session.commit()
    sign_in(client, people["applicant"].email)
    html = page(client, application).text
    assert 'id="recommendations-heading"' in html
    assert application.recommendation.strengths[:20] in html
    assert "Peer data as of the decision" in html and "verified" in html
    # The lead assessor reads the same report.
    client.post("/logout")
    sign_in(client, people["lead"].email)
    assert page(client, application).status_code == 200


def test_the_report_speaks_german(client, own):
    sign_in(client, "mine@example.org")
    html = client.get(
        f"/applications/{own.id}/benchmarking?group=all", headers={"Accept-Language": "de"}
    ).text
    assert "Benchmarking-Bericht" in html and "Verglichen mit 8 Organisationen" in html
