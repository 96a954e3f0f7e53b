"""Scoring by area: one page per area of the framework, each indicator saved on its own,
and "confirm the applicant's value" for every indicator ticked, in one step."""

from __future__ import annotations

import pytest

from labelling.assessments import consolidation
from labelling.assessments.models import IndicatorScore
from labelling.assessments.rating import RatingInput, rating_to_save
from labelling.assessments.review import NothingToConfirm
from labelling.core.audit import events_for
from labelling.extensions import db
from tests.assessments.review_steps import as_user, refreshed
from tests.assessments.review_steps import in_assessment as started_assessment
from tests.factories import with_mini_framework


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


@pytest.fixture
def in_assessment(client, people):
    return started_assessment(client, people)


def area_url(application, area):
    return f"/applications/{application.id}/review/areas/{area}"


def own_scores(application, user) -> dict[str, IndicatorScore]:
    db.session.expire_all()
    return consolidation.scores_by_assessor(refreshed(application)).get(user.id, {})


def test_area_page_shows_each_indicator_with_answers_and_fields(client, in_assessment):
    page = client.get(area_url(in_assessment, "1"))
    assert page.status_code == 200
    assert "1.1 Committed share" in page.text and "1.2 Regional share" in page.text
    assert "2.1 Staff turnover" not in page.text  # another area
    assert 'name="1.1-verified_value"' in page.text and 'name="1.2-confirm"' in page.text
    assert "The evidence supports the applicant" in page.text
    # The workspace leads to every area page.
    workspace = client.get(f"/applications/{in_assessment.id}/review").text
    assert area_url(in_assessment, "2") in workspace


def test_confirm_and_verify_a_whole_area_in_one_step(client, people, in_assessment):
    saved = client.post(
        area_url(in_assessment, "1"),
        data={"1.1-confirm": "y", "1.2-verified_value": "60", "go": "next"},
    )
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith(area_url(in_assessment, "2"))
    scores = own_scores(in_assessment, people["anna"])
    # Confirmed: the applicant's own value (20 of 40 members committed) becomes the verified one.
    assert scores["1.1"].verified_value == 50
    assert scores["1.2"].verified_value == 60
    # The second area: confirm the rubric band the applicant gave, and the last "next"
    # returns to the overview.
    done = client.post(
        area_url(in_assessment, "2"),
        data={"2.1-confirm": "y", "2.2-confirm": "y", "go": "next"},
    )
    assert done.headers["Location"].endswith(f"/applications/{in_assessment.id}/review")
    scores = own_scores(in_assessment, people["anna"])
    assert scores["2.2"].verified_value == 3 and set(scores) == {"1.1", "1.2", "2.1", "2.2"}
    overview = client.get(f"/applications/{in_assessment.id}/review").text
    assert "4 of 4 indicators rated" in overview


def test_a_mistake_in_one_indicator_keeps_the_others(client, people, in_assessment):
    response = client.post(
        area_url(in_assessment, "1"),
        data={"1.1-verified_value": "a lot", "1.2-verified_value": "55", "go": "next"},
    )
    assert response.status_code == 422
    assert "1 indicator saved." in response.text
    assert 'value="a lot"' in response.text  # what was typed stays to be corrected
    assert "Every other indicator of this area was saved." in response.text
    scores = own_scores(in_assessment, people["anna"])
    assert set(scores) == {"1.2"} and scores["1.2"].verified_value == 55


def test_saving_an_unchanged_area_writes_nothing(client, people, in_assessment):
    client.post(area_url(in_assessment, "1"), data={"1.2-verified_value": "60"})
    before = len(events_for("application", in_assessment.id))
    version = own_scores(in_assessment, people["anna"])["1.2"].row_version
    again = client.post(
        area_url(in_assessment, "1"),
        data={"1.2-verified_value": "60", "1.2-row_version": str(version)},
    )
    assert again.status_code == 303
    assert len(events_for("application", in_assessment.id)) == before
    assert own_scores(in_assessment, people["anna"])["1.2"].row_version == version


def test_a_rating_saved_elsewhere_meanwhile_is_not_overwritten(client, people, in_assessment):
    client.post(area_url(in_assessment, "1"), data={"1.2-verified_value": "60"})
    version = own_scores(in_assessment, people["anna"])["1.2"].row_version
    client.post(
        area_url(in_assessment, "1"),
        data={"1.2-verified_value": "61", "1.2-row_version": str(version)},
    )  # another tab
    stale = client.post(
        area_url(in_assessment, "1"),
        data={
            "1.1-verified_value": "45",
            "1.2-verified_value": "70",
            "1.2-row_version": str(version),
        },
    )
    assert stale.status_code == 409
    assert "saved by someone else" in stale.text and 'value="70"' in stale.text
    scores = own_scores(in_assessment, people["anna"])
    assert scores["1.2"].verified_value == 61 and scores["1.1"].verified_value == 45


def test_only_assigned_assessors_and_known_areas(client, people, in_assessment):
    as_user(client, people["manager"])
    assert client.get(area_url(in_assessment, "1")).status_code == 403
    assert client.post(area_url(in_assessment, "1"), data={}).status_code == 403
    as_user(client, people["bernd"])
    assert client.get(area_url(in_assessment, "1")).status_code == 403
    as_user(client, people["anna"])
    assert client.get(area_url(in_assessment, "9")).status_code == 404


def test_rating_to_save_reads_the_entries_of_one_indicator():
    empty = RatingInput()
    assert rating_to_save(None, empty, False, 12) is None
    assert rating_to_save(None, empty, True, 12) == RatingInput(12)
    typed = RatingInput(15, "met", "checked")
    assert rating_to_save(None, typed, True, 12) == typed  # a typed value wins over confirm
    with pytest.raises(NothingToConfirm):
        rating_to_save(None, empty, True, None)
    row = IndicatorScore(verified_value=15, status="met", comment="checked")
    assert rating_to_save(row, typed, False, 12) is None  # unchanged
    assert rating_to_save(row, RatingInput(15, "met", "other"), False, 12) is not None
