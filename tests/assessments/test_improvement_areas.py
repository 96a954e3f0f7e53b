"""Silver: exactly the framework's number of improvement areas, each tied to indicators."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from labelling.assessments.models import Application
from labelling.extensions import db
from tests.factories import create_org, sign_in


def start(client, org, level):
    client.post(f"/organisations/{org.id}/applications/new", data={"level": level, "kind": "new"})
    return db.session.scalars(select(Application).order_by(Application.id.desc())).first()


def area(n, **overrides):
    data = {
        f"area{n}_title": f"Area {n}",
        f"area{n}_indicators": ["2.5", "4.4"],
        f"area{n}_improvement": "Monthly member visits.",
        f"area{n}_effect": "Contact share rose from 55 to 80 %.",
    }
    data.update({f"area{n}_{k}": v for k, v in overrides.items()})
    return data


@pytest.fixture
def silver(client, manager):
    org = create_org(manager)
    sign_in(client, manager.email)
    return start(client, org, "silver")


def test_three_areas_are_saved_and_count_for_submission(client, silver):
    url = f"/applications/{silver.id}/improvement-areas"
    page = client.get(url).get_data(as_text=True)
    assert page.count("<legend>Improvement area") == 3
    assert "improvement areas are not all documented yet" in client.get(
        f"/applications/{silver.id}/submit"
    ).get_data(as_text=True)
    response = client.post(url, data={**area(1), **area(2), **area(3)})
    assert response.status_code == 303
    db.session.refresh(silver)
    assert [a.title for a in silver.improvement_areas] == ["Area 1", "Area 2", "Area 3"]
    assert silver.improvement_areas[0].indicator_codes == ["2.5", "4.4"]
    assert "improvement areas are not all documented yet" not in client.get(
        f"/applications/{silver.id}/submit"
    ).get_data(as_text=True)


def test_a_started_area_must_be_complete_and_nothing_is_lost(client, silver):
    url = f"/applications/{silver.id}/improvement-areas"
    response = client.post(url, data={**area(1), **area(2, effect="")})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="area2_effect-error"' in html
    assert "Monthly member visits." in html  # what was typed is shown again
    db.session.refresh(silver)
    assert silver.improvement_areas == []


def test_unknown_indicators_are_refused(client, silver):
    response = client.post(
        f"/applications/{silver.id}/improvement-areas", data=area(1, indicators=["9.9"])
    )
    assert response.status_code == 422
    assert "is not a valid choice for this field" in response.get_data(as_text=True)


def test_other_levels_have_no_improvement_areas(client, manager):
    org = create_org(manager)
    sign_in(client, manager.email)
    gold = start(client, org, "gold")
    assert client.get(f"/applications/{gold.id}/improvement-areas").status_code == 404
