"""Calibration as the secretariat and the assessors use it, on the `mini` framework: a case
made from a decided application, explained and published; practice on pages like the
scoring pages; the differences with their explanation; the record on the profile; and a
body's rule that only assessors who practised in the last year can be assigned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from labelling.assessments.assignment import candidates_for
from labelling.assessments.workflow import State
from labelling.assessors.models import AssessorProfile
from labelling.bodies.models import LabellingBody
from labelling.calibration.models import CalibrationAttempt, CalibrationCase
from labelling.core.audit import events_for
from labelling.db import utcnow
from labelling.extensions import db
from tests.factories import (
    MINI_GOLD_ANSWERS,
    application_with_team,
    create_assessor,
    invented_case,
    sign_in,
    submitted_application,
    with_mini_framework,
)

EXPLANATION = "The strategy is written and shared, but nobody monitors it: band 3."
REFERENCE_FORM = {
    "title": "A young regional cluster",
    "summary": "Founded six years ago, forty members.",
    "1.1-verified_value": "",
    "1.2-verified_value": "60",
    "1.2-status": "met",
    "2.1-verified_value": "",
    "2.2-verified_value": "3",
    "2.2-comment": EXPLANATION,
}


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


@pytest.fixture
def decided(app):
    return application_with_team(State.AWARDED)


def make_case(client, application) -> CalibrationCase:
    sign_in(client, "sec@example.org")
    page = client.get("/secretariat/calibration")
    assert f"#{application.id} " in page.text
    made = client.post(
        "/secretariat/calibration",
        data={"application_id": str(application.id), "title": "A young regional cluster"},
    )
    assert made.status_code == 303
    return db.session.scalars(select(CalibrationCase)).one()


def publish_case(client, case) -> None:
    saved = client.post(f"/secretariat/calibration/{case.id}", data=REFERENCE_FORM)
    assert saved.status_code == 303
    assert client.post(f"/secretariat/calibration/{case.id}/publish").status_code == 303
    db.session.refresh(case)
    assert case.status == "published"


def practise(client, case, first_area: dict, second_area: dict) -> CalibrationAttempt:
    started = client.post(f"/assessor/calibration/{case.id}/start")
    assert started.status_code == 303
    attempt = db.session.scalars(select(CalibrationAttempt)).one()
    base = f"/assessor/calibration/practice/{attempt.id}"
    assert started.headers["Location"].endswith(f"{base}/areas/1")
    assert client.post(f"{base}/areas/1", data={**first_area, "go": "next"}).status_code == 303
    finished = client.post(f"{base}/areas/2", data={**second_area, "go": "next"})
    assert finished.headers["Location"].endswith(base)
    assert client.post(base).status_code == 303
    return attempt


def test_a_case_is_made_explained_practised_and_recorded(client, decided):
    application, people = decided
    case = make_case(client, application)
    # The first reference is the decision's own final ratings; the name stays behind.
    assert case.references["1.2"]["verified_value"] == 60
    assert case.references["2.2"]["verified_value"] == 3
    assert case.answers == MINI_GOLD_ANSWERS
    publish_case(client, case)
    assert [e.action for e in events_for("calibration_case", case.id)] == [
        "calibration.case_created",
        "calibration.case_published",
    ]

    client.post("/logout")
    sign_in(client, people["other_assessor"].email)
    listed = client.get("/assessor/calibration").text
    assert "A young regional cluster" in listed
    attempt = practise(
        client,
        case,
        {"1.1-status": "not_met", "1.2-status": "met"},  # 1.1 differs: the share is 50 %
        {"2.2-verified_value": "2"},  # differs: the reference says band 3
    )
    area = client.get(f"/assessor/calibration/practice/{attempt.id}/areas/2")
    assert area.status_code == 303  # a completed practice is not rated again
    result = client.get(f"/assessor/calibration/practice/{attempt.id}").text
    assert "You matched the reference on 2 of 4 indicators." in result
    differ = result[result.index("Where you differ") : result.index("Where you match")]
    assert "1.1 Committed share" in differ and "2.2 Strategy" in differ
    assert "1.2 Regional share" not in differ and "2.1 Staff turnover" not in differ
    assert EXPLANATION in differ and "Band 3" in differ and "Band 2" in differ
    db.session.refresh(attempt)
    assert (attempt.compared, attempt.matched) == (4, 2)

    own = client.get("/assessors/me").text
    assert "Calibration exercises completed" in own and "A young regional cluster" in own
    client.post("/logout")
    sign_in(client, "sec@example.org")
    profile_id = db.session.scalar(
        select(AssessorProfile.id).filter_by(user_id=people["other_assessor"].id)
    )
    on_profile = client.get(f"/assessors/{profile_id}").text
    assert "Calibration exercises completed" in on_profile and "2 of 4" in on_profile


def published_to(client, decided, who: str) -> CalibrationCase:
    """The case made from the decided application and published, `who` signed in."""
    application, people = decided
    case = make_case(client, application)
    publish_case(client, case)
    client.post("/logout")
    sign_in(client, people[who].email)
    return case


def started_by_olga(client, decided) -> CalibrationAttempt:
    case = published_to(client, decided, "other_assessor")
    client.post(f"/assessor/calibration/{case.id}/start")
    return db.session.scalars(select(CalibrationAttempt)).one()


def test_practice_shows_nothing_that_names_the_cluster(client, decided):
    application, _people = decided
    attempt = started_by_olga(client, decided)
    for area in ("1", "2"):
        page = client.get(f"/assessor/calibration/practice/{attempt.id}/areas/{area}").text
        organisation = application.organisation
        for trace in (organisation.legal_name, organisation.display_name, "Germany"):
            assert trace not in page
        assert f"/applications/{application.id}" not in page
    assert "Members" in page or "Staff turnover" in page  # the answers are there


def test_who_assessed_the_source_is_not_offered_it(client, decided):
    case = published_to(client, decided, "lead")
    assert "A young regional cluster" not in client.get("/assessor/calibration").text
    assert client.post(f"/assessor/calibration/{case.id}/start").status_code == 404


def test_a_practice_is_its_assessors_alone(client, decided):
    attempt = started_by_olga(client, decided)
    client.post("/logout")
    create_assessor("peer@assessors.example.net", "Pia Peer", "AT")
    sign_in(client, "peer@assessors.example.net")
    assert client.get(f"/assessor/calibration/practice/{attempt.id}").status_code == 404
    assert client.get(f"/assessor/calibration/practice/{attempt.id}/areas/1").status_code == 404


def test_a_case_is_published_only_with_a_reference_for_every_indicator(client, decided):
    application, _people = decided
    case = make_case(client, application)
    blank = {**REFERENCE_FORM, "1.2-verified_value": "", "1.2-status": ""}
    db.session.execute(
        db.update(CalibrationCase).values(answers={**MINI_GOLD_ANSWERS, "regional": None})
    )
    db.session.commit()
    assert client.post(f"/secretariat/calibration/{case.id}", data=blank).status_code == 303
    refused = client.post(f"/secretariat/calibration/{case.id}/publish")
    assert refused.status_code == 409
    assert "1 indicator has no reference rating yet." in refused.text
    assert "1.2: no reference rating" in refused.text
    db.session.refresh(case)
    assert case.status == "draft"


def test_a_published_case_is_not_changed_and_can_be_withdrawn(client, decided):
    application, _people = decided
    case = make_case(client, application)
    publish_case(client, case)
    changed = client.post(
        f"/secretariat/calibration/{case.id}", data={**REFERENCE_FORM, "2.2-verified_value": "1"}
    )
    assert changed.status_code == 409
    assert "A published case is no longer changed" in changed.text
    db.session.refresh(case)
    assert case.references["2.2"]["verified_value"] == 3
    assert client.post(f"/secretariat/calibration/{case.id}/withdraw").status_code == 303
    db.session.refresh(case)
    assert case.status == "withdrawn"


def test_a_case_is_made_only_from_a_decided_application(client, app):
    application, _people = application_with_team(State.IN_ASSESSMENT)
    sign_in(client, "sec@example.org")
    page = client.get("/secretariat/calibration")
    assert f"#{application.id} " not in page.text
    refused = client.post(
        "/secretariat/calibration",
        data={"application_id": str(application.id), "title": "Too early"},
    )
    assert refused.status_code == 422
    assert db.session.scalars(select(CalibrationCase)).first() is None


def test_a_body_that_requires_calibration_keeps_others_from_assignments(client, app):
    _decided, people = application_with_team(State.AWARDED)
    application = submitted_application(people["applicant"])
    european = LabellingBody(name="European body", kind="european", countries=[], levels=[])
    db.session.add(european)
    db.session.commit()
    olga = people["other_assessor"]

    def reasons() -> tuple:
        _ranked, excluded = candidates_for(application, utcnow().date())
        return next((e.reasons for e in excluded if e.candidate.user_id == olga.id), ())

    assert "calibration_due" not in reasons()  # off by default
    sign_in(client, "sec@example.org")
    client.post(f"/secretariat/calibration/bodies/{european.id}", data={"required": "yes"})
    db.session.refresh(european)
    assert european.calibration_required
    assert "calibration_due" in reasons()
    client.post(f"/secretariat/applications/{application.id}/start-screening")
    client.post(f"/secretariat/applications/{application.id}/confirm-eligibility")
    page = client.get(f"/secretariat/applications/{application.id}").text
    excluded = page[page.index("Excluded assessors") :]
    assert "No calibration exercise completed in the last twelve months" in excluded

    case = invented_case()
    db.session.add(
        CalibrationAttempt(
            case_id=case.id,
            assessor_id=olga.id,
            ratings={},
            completed_at=utcnow() - timedelta(days=366),  # more than a year ago
        )
    )
    db.session.commit()
    assert "calibration_due" in reasons()
    client.post("/logout")
    sign_in(client, olga.email)
    client.post(f"/assessor/calibration/{case.id}/start")
    attempt = db.session.scalars(
        select(CalibrationAttempt).where(CalibrationAttempt.completed_at.is_(None))
    ).one()
    client.post(f"/assessor/calibration/practice/{attempt.id}")
    assert "calibration_due" not in reasons()

    client.post("/logout")
    sign_in(client, "sec@example.org")
    client.post(f"/secretariat/calibration/bodies/{european.id}", data={"required": "no"})
    db.session.refresh(european)
    assert not european.calibration_required


def test_bad_input_on_a_case_keeps_what_was_typed(client, decided):
    application, _people = decided
    case = make_case(client, application)
    typed = {**REFERENCE_FORM, "1.2-verified_value": "sixty", "2.2-comment": "Kept as typed."}
    refused = client.post(f"/secretariat/calibration/{case.id}", data=typed)
    assert refused.status_code == 422
    assert "1.2 Verified value" in refused.text and "Kept as typed." in refused.text
    db.session.refresh(case)
    assert case.references["2.2"].get("explanation", "") == ""  # nothing half-saved
    untitled = client.post(
        "/secretariat/calibration", data={"application_id": str(application.id), "title": ""}
    )
    assert untitled.status_code == 422 and "Please give a title." in untitled.text


def test_an_invented_case_is_typed_explained_and_published(client, decided):
    _application, people = decided
    sign_in(client, "sec@example.org")
    made = client.post(
        "/secretariat/calibration/invent",
        data={"invent-title": "A cluster that never was", "invent-level": "gold"},
    )
    assert made.status_code == 303 and made.headers["Location"].endswith("/answers/s1")
    case = db.session.scalars(select(CalibrationCase)).one()
    assert (case.origin, case.answers, case.source_application_id) == ("invented", {}, None)
    base = f"/secretariat/calibration/{case.id}/answers"
    too_many = client.post(
        f"{base}/s1", data={"members": "40", "committed": "50", "regional": "10", "go": "next"}
    )
    assert too_many.status_code == 422
    assert "This cannot be more than Members (40)." in too_many.text
    assert 'value="50"' in too_many.text  # what was typed stays
    db.session.refresh(case)
    assert case.answers == {}  # and nothing of the page is saved
    typed = {"members": "40", "committed": "20", "regional": "10", "go": "next"}
    assert client.post(f"{base}/s1", data=typed).headers["Location"].endswith(f"{base}/s2")
    client.post(f"{base}/s2", data={"turnover": "20", "strategy": "3"})
    db.session.refresh(case)
    assert case.answers == {
        "members": 40,
        "committed": 20,
        "regional": 10,
        "turnover": 20.0,
        "strategy": 3,
    }
    publish_case(client, case)  # which gives it the title of REFERENCE_FORM
    client.post("/logout")
    sign_in(client, people["lead"].email)  # nobody assessed an invented case
    assert "A young regional cluster" in client.get("/assessor/calibration").text
