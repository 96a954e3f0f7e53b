"""Silver's previous-label rule, as data: an earlier label at the minimum level *or higher*,
of an age counted in whole months to the assessment date. The start page says it, the
submission is blocked by it, and the recommendation and the award agree with both."""

from __future__ import annotations

from datetime import date

import pytest

from labelling.assessments import consolidation, decisions, recommendation, services
from labelling.assessments.models import Answer, Application, ImprovementArea
from labelling.assessments.workflow import State
from labelling.extensions import db
from labelling.frameworks.services import current_framework
from tests.factories import (
    MINI_GOLD_ANSWERS,
    create_org,
    create_user,
    labelled_organisation,
    sign_in,
    with_mini_framework,
)

LEVELS = ("bronze", "silver", "gold")


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def months_ago(months: int, today: date | None = None) -> date:
    """The same day of the month `months` whole months before today (day 28 at most)."""
    today = today or date.today()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, min(today.day, 28))


def prepared(organisation, level: str, manager, validated: bool = True) -> Application:
    """A draft for `level` with answers that meet every other rule (Gold's score included),
    and, for Silver, three documented (and, for the assessment, validated) improvement areas."""
    framework = current_framework()
    application = services.start_application(organisation, level, "new", manager, framework)
    known = {answer.question_id for answer in application.answers}
    for question_id, value in (MINI_GOLD_ANSWERS | {"regional": 30}).items():
        if question_id not in known:
            application.answers.append(Answer(question_id=question_id, value=value))
    for position in range(1, framework.level(level).rules.improvement_areas + 1):
        application.improvement_areas.append(
            ImprovementArea(
                position=position,
                title=f"Area {position}",
                indicator_codes=["1.1"],
                improvement="Monthly member visits.",
                effect="More committed members.",
                is_validated=validated,
            )
        )
    db.session.flush()
    return application


def submit(client, application):
    return client.post(
        f"/applications/{application.id}/submit",
        data={"full_name": "Maria Manager", "role": "Manager", "declaration": "y"},
    )


def test_silver_without_any_label_is_told_at_the_start_and_cannot_be_submitted(client, manager):
    organisation = create_org(manager)
    sign_in(client, manager.email)
    start = client.get(f"/organisations/{organisation.id}/applications/new").text
    assert "A Bronze label or higher, 18 to 24 months old at the assessment" in start
    assert "this organisation does not meet it today" in start
    silver = prepared(organisation, "silver", manager, validated=False)
    db.session.commit()
    response = submit(client, silver)
    assert response.status_code == 409
    assert "an earlier label of the required level or higher" in response.text
    db.session.expire_all()
    assert db.session.get(Application, silver.id).status == State.DRAFT


def test_a_silver_holder_renews_silver(client, manager):
    organisation = labelled_organisation(manager, "silver", assessed=months_ago(20)).organisation
    sign_in(client, manager.email)
    start = client.get(f"/organisations/{organisation.id}/applications/new").text
    assert "this organisation meets it today" in start
    renewal = prepared(organisation, "silver", manager, validated=False)
    db.session.commit()
    assert submit(client, renewal).status_code == 303
    db.session.expire_all()
    assert db.session.get(Application, renewal.id).status == State.SUBMITTED


def test_the_age_is_counted_to_the_assessment_date_not_to_today(app, manager):
    # Bronze assessed 19 months ago: 19 today, but 17 at an assessment two months back.
    organisation = labelled_organisation(manager, "bronze", assessed=months_ago(19)).organisation
    silver = prepared(organisation, "silver", manager)
    framework = services.framework_of(silver)
    today = date.today()
    assert "silver" in decisions.awardable_levels(silver, framework, today)
    assert "silver" not in decisions.awardable_levels(silver, framework, months_ago(2))
    assert decisions.award_problem(silver, framework, "silver", months_ago(2), "x") == (
        "level_not_allowed"
    )


def expected(level: str, earlier: str | None, age: int) -> bool:
    """The rule of the mini framework, written out: only Silver has one."""
    if level != "silver":
        return True
    return earlier is not None and 18 <= age <= 24


def verdicts(application, organisation) -> dict[str, bool]:
    """What each step says of the previous-label rule for this application, today."""
    framework = services.framework_of(application)
    level, today = application.level, date.today()
    standing = services.previous_label_standing(organisation.id, framework, level)
    result = consolidation.assessed_result(application, framework, as_of=today)
    return {
        "start page": standing is not False,
        "submission": "previous_label" not in services.submission_blockers(application, framework),
        "recommendation": level
        in recommendation.recommendable_levels(application, framework, result),
        "award": decisions.award_problem(application, framework, level, today, "x") is None,
    }


def test_start_submission_recommendation_and_award_agree_for_every_case(app):
    """Every previous label (none, each level, each age 0-40 months) against every level
    applied for: the four steps give the same answer, and the rule's."""
    manager = create_user("property@example.org")
    cases = [(None, 0)] + [(level, age) for level in LEVELS for age in range(41)]
    disagreements = []
    for earlier, age in cases:
        if earlier is None:
            organisation = create_org(manager)
        else:
            label = labelled_organisation(manager, earlier, assessed=months_ago(age))
            organisation = label.organisation
        for level in LEVELS:
            application = prepared(organisation, level, manager)
            said = verdicts(application, organisation)
            rule = expected(level, earlier, age)
            if set(said.values()) != {rule}:
                disagreements.append((earlier, age, level, said))
        db.session.commit()
    assert disagreements == []
