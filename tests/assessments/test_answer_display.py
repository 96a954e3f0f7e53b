"""How answers read on the assessor's pages of the real framework (issue 28)."""

from __future__ import annotations

import random

import pytest

from labelling.assessments import services
from labelling.assessments.models import Answer
from labelling.demo.cases import plausible_answers
from labelling.extensions import db
from labelling.frameworks.services import current_framework
from tests.assessments.review_steps import start_assessment
from tests.factories import create_org, with_mini_framework


def submitted_on_the_real_framework(manager, **known):
    """A Gold application on the shipped framework, every question answered."""
    framework = current_framework()
    application = services.start_application(create_org(manager), "gold", "new", manager, framework)
    db.session.flush()
    given = {answer.question_id for answer in application.answers}
    answers = plausible_answers(framework, known, random.Random(28), 0.9)  # noqa: S311
    for question_id, value in answers.items():
        if question_id not in given:  # the profile's prefilled answers are there already
            application.answers.append(Answer(question_id=question_id, value=value))
    db.session.flush()
    services.submit_application(application, framework, manager, "Maria Manager", "Manager")
    db.session.commit()
    return application


def test_a_year_reads_as_written_on_the_area_and_indicator_pages(client, people):
    """Issue 28, finding 1: "Year the cluster management started operating: 2,012"."""
    application = submitted_on_the_real_framework(people["manager"], management_start_year=2012)
    start_assessment(client, people, application)
    for page in ("review/2.1", "review/areas/2"):
        html = client.get(f"/applications/{application.id}/{page}").text
        assert "Year the cluster management started operating" in html, page
        assert "2012" in html and "2,012" not in html, page


class TestOnTheMiniFramework:
    @pytest.fixture
    def app_config(self, app_config):
        return with_mini_framework(app_config)

    def test_the_report_names_whose_comment_each_is(self, client):
        """Issue 28, finding 5: the report joined both assessors' comments on an indicator
        they rated alike, without their names ("1.1.0: ... 1.1.0: ...")."""
        from sqlalchemy import delete

        from labelling.assessments.models import ConsolidatedScore, IndicatorScore
        from labelling.assessments.workflow import State
        from tests.factories import application_with_team, sign_in

        application, people = application_with_team(State.ASSESSED)
        db.session.execute(
            delete(ConsolidatedScore).where(
                ConsolidatedScore.application_id == application.id,
                ConsolidatedScore.indicator_code == "1.2",
            )
        )
        for name, comment in (("lead", "Counted from the member list."), ("assessor", "Checked.")):
            db.session.add(
                IndicatorScore(
                    application_id=application.id,
                    assessor_id=people[name].id,
                    indicator_code="1.2",
                    verified_value=60,
                    status="met",
                    comment=comment,
                )
            )
        db.session.commit()
        sign_in(client, people["lead"].email)
        page = client.get(f"/applications/{application.id}/report").text
        assert "Lena Lead: Counted from the member list.<br>Colin Co: Checked." in page
