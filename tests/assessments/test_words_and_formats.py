"""Words and formats people read: one name per organisation, frameworks by their name,
dates in the locale's form, reasons beside every "not allowed", names that link."""

from __future__ import annotations

import re

import pytest

from labelling.organisations.models import Organisation
from tests.assessments.review_steps import as_user
from tests.assessments.review_steps import in_assessment as started_assessment
from tests.factories import create_org, sign_in, with_mini_framework


def test_one_display_name_legal_name_first_short_name_after():
    assert Organisation(legal_name="Nordic Food Cluster AB").display_name == (
        "Nordic Food Cluster AB"
    )
    both = Organisation(legal_name="Nordic Food Cluster AB", short_name="NordicFood")
    assert both.display_name == "Nordic Food Cluster AB (NordicFood)"
    same = Organisation(legal_name="Cluster X", short_name="cluster x")
    assert same.display_name == "Cluster X"


def test_the_start_page_names_the_criteria_as_people_read_them(client, manager):
    org = create_org(manager, legal_name="Nordic Food Cluster AB", short_name="NordicFood")
    sign_in(client, manager.email)
    page = client.get(f"/organisations/{org.id}/applications/new").text
    assert "ECEI criteria 2013, version 2013.1" in page
    assert "ecei-2013" not in page
    dashboard = client.get("/dashboard").text
    assert "Nordic Food Cluster AB (NordicFood)" in dashboard


class TestReview:
    @pytest.fixture
    def app_config(self, app_config):
        return with_mini_framework(app_config)

    @pytest.fixture
    def in_assessment(self, client, people):
        application = started_assessment(
            client, people, legal_name="Nordic Food Cluster AB", short_name="NordicFood"
        )
        as_user(client, people["secretariat"])
        return application

    def test_screening_and_workspace_use_names_not_keys(self, client, people, in_assessment):
        screening = client.get(f"/secretariat/applications/{in_assessment.id}").text
        assert "mini@1.0" not in screening and ", version 1.0" in screening
        assert "Nordic Food Cluster AB (NordicFood)" in screening
        as_user(client, people["anna"])
        workspace = client.get(f"/applications/{in_assessment.id}/review").text
        assert "mini@1.0" not in workspace
        # Every "not allowed" says why.
        assert "not allowed (" in workspace
        assert "not allowed</li>" not in workspace

    def test_my_assignments_link_the_organisation(self, client, people, in_assessment):
        as_user(client, people["anna"])
        page = client.get("/assignments").text
        assert f'href="/applications/{in_assessment.id}">Nordic Food Cluster AB' in page

    def test_dates_read_in_the_locale(self, client, people, in_assessment):
        as_user(client, people["anna"])
        client.post(
            f"/applications/{in_assessment.id}/review/1.1/question",
            data={"q-question": "How do you count?"},
        )
        page = client.get(f"/applications/{in_assessment.id}/review").text
        assert "due " in page
        assert not re.search(r"due \d{4}-\d{2}-\d{2}", page)
        client.post("/language", data={"locale": "de"})
        german = client.get(f"/applications/{in_assessment.id}/review").text
        assert re.search(r"\d{2}\.\d{2}\.\d{4}", german)

    def test_the_history_says_each_thing_once_with_times_to_the_second(
        self, client, people, in_assessment
    ):
        """Issue 28: "More information requested: More information requested. How..." and
        `<time datetime>` with six-digit fractions of a second (the Nu checker's errors)."""
        as_user(client, people["anna"])
        client.post(
            f"/applications/{in_assessment.id}/review/1.1/question",
            data={"q-question": "How do you count?"},
        )
        as_user(client, people["secretariat"])
        page = client.get(f"/applications/{in_assessment.id}").text
        text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
        assert "More information requested. How do you count?" in text
        assert "More information requested: More information requested" not in text
        stamps = re.findall(r'<time datetime="([^"]+)"', page)
        assert stamps and not [s for s in stamps if re.search(r"\.\d", s)], stamps

    def test_my_assignments_say_when_the_eligibility_is_confirmed(self, client, people):
        """Issue 28: "My assignments" said "Eligibility screening" after the secretariat
        had confirmed the eligibility."""
        from tests.assessments.review_steps import screen_and_assign
        from tests.factories import submitted_application

        application = submitted_application(people["manager"])
        screen_and_assign(client, people, application)
        as_user(client, people["anna"])
        page = client.get("/assignments").text
        assert "Eligibility confirmed" in page and "Eligibility screening" not in page


def test_saving_no_not_applicable_claims_writes_no_history(client, manager):
    """Issue 28: "Not-applicable indicators saved" in the history when nothing was marked."""
    from labelling.assessments import services
    from labelling.core.audit import events_for
    from labelling.extensions import db
    from labelling.frameworks.services import current_framework

    org = create_org(manager)
    framework = current_framework()
    application = services.start_application(org, "gold", "new", manager, framework)
    services.save_not_applicable(application, framework, {}, manager)
    db.session.commit()
    actions = [event.action for event in events_for("application", application.id)]
    assert "application.not_applicable_saved" not in actions
    code = next(i.code for i in framework.indicators if i.allows_not_applicable)
    services.save_not_applicable(application, framework, {code: "No region."}, manager)
    services.save_not_applicable(application, framework, {code: " No region. "}, manager)
    db.session.commit()
    actions = [event.action for event in events_for("application", application.id)]
    assert actions.count("application.not_applicable_saved") == 1
