"""Agreement as the secretariat and the assessors read it, on decided Gold applications of
the `mini` framework that two assessors scored."""

from __future__ import annotations

import re

import krippendorff
import pytest
from sqlalchemy import select

from labelling.accounts.models import Role
from labelling.agreement.capture import rebuild, record_pairs
from labelling.agreement.models import PairedRating
from labelling.assessments import services
from labelling.assessments.models import IndicatorScore
from labelling.assessments.workflow import State
from labelling.extensions import db
from tests.agreement.helpers import Scored, add_ratings, award_gold, scored_application
from tests.factories import (
    application_with_team,
    create_assessor,
    create_user,
    sign_in,
    with_mini_framework,
)

# Six applications. The strategy band (2.2, a rubric): the lead gives the consolidated band,
# the co-assessor one band lower on every other application. The regional share (1.2):
# the co-assessor says "not met" where the lead said "met" on four of six.
BANDS = [1, 2, 3, 4, 2, 3]
REGIONAL_CO = ["not_met", "met", "not_met", "not_met", "met", "not_met"]


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


@pytest.fixture
def scored(app):
    manager = create_user("maria@example.org", "Maria Manager")
    lead = create_assessor("lena@assessors.example.net", "Lena Lead", "DE")
    co = create_assessor("colin@assessors.example.net", "Colin Co", "FR")
    for i, (band, regional) in enumerate(zip(BANDS, REGIONAL_CO, strict=True)):
        co_band = band - 1 if i % 2 == 0 else band
        scored_application(
            manager,
            lead,
            co,
            Scored(
                lead={"2.2": (band, None), "1.2": (None, "met")},
                co={"2.2": (co_band, None), "1.2": (None, regional)},
                consolidated={"2.2": (band, None), "1.2": (None, "met")},
            ),
            f"Cluster {i}",
        )
    assert rebuild() == len(BANDS)
    db.session.commit()
    return lead, co


def row_of(html: str, code: str) -> str:
    match = re.search(rf'<tr id="indicator-{re.escape(code)}">(.*?)</tr>', html, re.S)
    assert match, html
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def test_a_decision_keeps_both_assessors_own_outcomes_beside_the_consolidated_one(app):
    application, people = application_with_team(State.ASSESSED)
    for person, band, regional in ((people["lead"], 3, "met"), (people["assessor"], 2, "not_met")):
        own = {"2.2": (band, None), "1.2": (None, regional)}
        add_ratings(IndicatorScore, application.id, own, assessor_id=person.id)
    db.session.commit()
    award_gold(application, people)
    rows = {
        row.indicator_code: row
        for row in db.session.scalars(select(PairedRating).filter_by(application_id=application.id))
    }
    assert set(rows) == {"1.1", "1.2", "2.1", "2.2"}
    strategy, regional = rows["2.2"], rows["1.2"]
    assert (strategy.metric, strategy.first_value, strategy.second_value) == ("ordinal", 3, 2)
    assert strategy.consolidated_value == 3  # the lead consolidated band 3
    assert (regional.metric, regional.first_value, regional.second_value) == ("nominal", 1, 0)
    assert regional.first_assessor_id == people["lead"].id


def test_the_secretariat_sees_the_coefficient_of_each_indicator_and_the_flag(client, scored):
    create_user("sam@example.org", "Sam Secretariat", roles=(Role.SECRETARIAT,))
    sign_in(client, "sam@example.org")
    html = client.get("/secretariat/agreement").text
    assert "6 applications scored by two assessors." in html

    co_bands = [b - 1 if i % 2 == 0 else b for i, b in enumerate(BANDS)]
    expected = krippendorff.alpha(
        reliability_data=[BANDS, co_bands], level_of_measurement="ordinal"
    )
    strategy = row_of(html, "2.2")
    assert f"{expected:.2f}" in strategy and "50%" in strategy  # 3 of 6 alike

    regional = row_of(html, "1.2")
    assert "33%" in regional and "read differently" in regional
    assert "no variation" in row_of(html, "1.1")  # both always "met" on the answers
    flagged = html.split('id="flagged-heading"')[1].split("</ul>")[0]
    assert "1.2" in flagged and "2.1" not in flagged


def test_groups_below_the_minimum_are_withheld(client, scored, app):
    app.config["STATISTICS_MIN_GROUP"] = 7
    create_user("sam@example.org", "Sam Secretariat", roles=(Role.SECRETARIAT,))
    sign_in(client, "sam@example.org")
    html = client.get("/secretariat/agreement?level=gold").text
    assert "fewer than 7 pairs" in row_of(html, "2.2")
    assert "read differently" not in row_of(html, "1.2")


def test_an_assessor_sees_their_own_mirror_and_never_the_colleague(client, scored):
    lead, co = scored
    sign_in(client, co.email)
    html = client.get("/assessor/agreement").text
    assert "6 applications scored with a colleague." in html
    strategy = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("2.2")[1].split("</tr>")[0]))
    assert "50%" in strategy  # half of the co-assessor's bands stood
    assert "0.50 bands harsher on average" in strategy
    assert lead.full_name not in html and lead.email not in html


def test_the_secretariat_sees_each_assessor_and_nobody_else_does(client, scored):
    lead, co = scored
    create_user("sam@example.org", "Sam Secretariat", roles=(Role.SECRETARIAT,))
    sign_in(client, "sam@example.org")
    listing = client.get("/secretariat/agreement/assessors").text
    assert lead.full_name in listing and co.full_name in listing
    page = client.get(f"/secretariat/agreement/assessors/{lead.id}").text
    assert "Ratings of Lena Lead compared" in page and co.full_name not in page
    manager = create_user("other@example.org")
    assert client.get(f"/secretariat/agreement/assessors/{manager.id}").status_code == 404

    client.post("/logout")
    sign_in(client, lead.email)
    assert client.get("/secretariat/agreement").status_code == 403
    assert client.get(f"/secretariat/agreement/assessors/{co.id}").status_code == 403


def test_a_national_body_sees_only_its_own_applications(client, scored):
    from labelling.bodies.models import BodyMember, LabellingBody

    polish = LabellingBody(name="Polish body", kind="national", countries=["PL"], levels=[])
    european = LabellingBody(name="European body", kind="european", countries=[], levels=[])
    db.session.add_all([polish, european])
    db.session.flush()
    piotr = create_user("piotr@example.org", "Piotr", roles=(Role.SECRETARIAT,))
    db.session.add(BodyMember(body_id=polish.id, user_id=piotr.id))
    db.session.commit()
    sign_in(client, "piotr@example.org")
    assert "No application scored by two assessors" in client.get("/secretariat/agreement").text


def kept_summaries():
    from labelling.agreement.models import AgreementSummary

    db.session.expire_all()
    return db.session.scalars(select(AgreementSummary)).all()


def test_a_decision_brings_the_kept_figures_up_to_date(client, scored):
    from labelling.agreement import summary

    create_user("sam@example.org", "Sam Secretariat", roles=(Role.SECRETARIAT,))
    sign_in(client, "sam@example.org")
    client.get("/secretariat/agreement")
    (kept,) = kept_summaries()
    assert kept.applications == 6

    award_gold(*application_with_team(State.ASSESSED))  # the job runs after the commit
    (kept,) = kept_summaries()
    assert kept.applications == 7
    group = summary.Group(kept.framework_id, kept.framework_version)
    assert kept.stamp == summary.stamp(group)


def test_a_large_group_is_computed_by_a_job_while_the_page_says_so(client, scored, monkeypatch):
    from labelling.agreement import summary

    monkeypatch.setattr(summary, "SPOT_LIMIT", 0)
    queued = []

    def enqueue(task, *args, key=None):  # as a queue takes it: no worker runs here
        queued.append((task, args))

    monkeypatch.setattr(summary, "enqueue", enqueue)
    monkeypatch.setattr("labelling.jobs.queue.enqueue", enqueue)
    create_user("sam@example.org", "Sam Secretariat", roles=(Role.SECRETARIAT,))
    sign_in(client, "sam@example.org")
    html = client.get("/secretariat/agreement").text
    assert "being computed for the first time" in html and not kept_summaries()
    assert queued == [("agreement.refresh", ("mini", "1.0", "", 0))]

    from labelling.jobs.queue import perform

    perform(*queued[0][0:1], *queued[0][1])  # the worker's turn
    html = client.get("/secretariat/agreement").text
    assert "6 applications scored by two assessors." in html
    assert "read differently" in row_of(html, "1.2")
    lead, co = scored
    late = scored_application(
        create_user("late@example.org"),
        lead,
        co,
        Scored(lead={"2.2": (3, None)}, co={"2.2": (3, None)}, consolidated={"2.2": (3, None)}),
        "Late Cluster",
    )
    record_pairs(late, services.framework_of(late))  # as its decision does
    db.session.commit()
    html = client.get("/secretariat/agreement").text
    assert "the decisions since are being counted" in html
    assert "6 applications scored by two assessors." in html  # the kept ones, meanwhile
    assert queued[1:] == [
        ("agreement.refresh-version", ("mini", "1.0")),  # after the decision's commit
        ("agreement.refresh", ("mini", "1.0", "", 0)),  # the page finds its figures stale
    ]
