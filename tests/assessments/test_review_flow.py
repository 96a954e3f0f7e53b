"""The whole assessor side through the test client: screening, a Gold team of two,
independent scoring, a question and its answer, consolidation, recommendation, decision."""

from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from labelling.accounts.models import Role
from labelling.assessments import consolidation, recommendation
from labelling.assessments.models import IndicatorScore, InformationRequest
from labelling.assessments.services import framework_of
from labelling.assessments.signals import application_awarded
from labelling.assessments.workflow import State
from labelling.assessors.models import ConflictDeclaration
from labelling.core.audit import events_for
from labelling.extensions import db
from tests.assessments.review_steps import (
    accept,
    as_user,
    in_assessment,
    refreshed,
    screen_and_assign,
    start_assessment,
)
from tests.factories import (
    create_user,
    last_email,
    submitted_application,
    with_mini_framework,
)
from tests.html_forms import post_forms


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def score(client, application, code, **data):
    return client.post(f"/applications/{application.id}/review/{code}", data=data)


def test_screening_page_ranks_candidates_and_explains_exclusions(client, people):
    application = submitted_application(people["manager"])
    db.session.add(
        ConflictDeclaration(
            profile_id=_profile_id(people["bernd"]),
            organisation_id=application.organisation_id,
            relation="advised",
        )
    )
    db.session.commit()
    as_user(client, people["secretariat"])
    client.post(f"/secretariat/applications/{application.id}/start-screening")
    client.post(f"/secretariat/applications/{application.id}/confirm-eligibility")
    page = client.get(f"/secretariat/applications/{application.id}").text
    suggested = page[page.index("Suggested assessors") : page.index("Excluded assessors")]
    assert "Anna Auditor" in suggested and "Omar Other" in suggested
    excluded = page[page.index("Excluded assessors") :]
    assert "Bernd Same" in excluded and "Declared a tie to this organisation" in excluded
    assert "Eve Expert" in excluded and "No active accreditation" in excluded


def _profile_id(user) -> int:
    from labelling.assessors.models import AssessorProfile

    return db.session.scalar(db.select(AssessorProfile.id).filter_by(user_id=user.id))


def test_gold_needs_one_assessor_from_another_country(client, people):
    application = submitted_application(people["manager"])
    as_user(client, people["secretariat"])
    base = f"/secretariat/applications/{application.id}"
    client.post(f"{base}/start-screening")
    assert client.post(f"{base}/assign", data={"assessor_id": people["anna"].id}).status_code == 409
    client.post(f"{base}/confirm-eligibility")
    assert client.post(f"{base}/assign", data={"assessor_id": people["anna"].id}).status_code == 303
    refused = client.post(f"{base}/assign", data={"assessor_id": people["bernd"].id})
    assert refused.status_code == 409
    assert "needs an assessor from another country" in refused.text
    assert client.post(f"{base}/assign", data={"assessor_id": people["omar"].id}).status_code == 303
    assert "/assignments/" in last_email(people["anna"].email).body_text
    assignments = refreshed(application).active_assignments
    assert [(a.assessor_id, a.is_lead) for a in assignments] == [
        (people["anna"].id, True),
        (people["omar"].id, False),
    ]
    # The assessment cannot start until both have accepted.
    assert client.post(f"{base}/start-assessment").status_code == 409
    assert refreshed(application).status == State.SCREENING


def test_accepting_needs_the_declaration_and_declining_a_reason(client, people):
    application = submitted_application(people["manager"])
    screen_and_assign(client, people, application)
    assignment = refreshed(application).assignment_of(people["omar"])
    as_user(client, people["omar"])
    missing = client.post(f"/assignments/{assignment.id}", data={"answer": "accept"})
    assert missing.status_code == 422 and "Please confirm the declaration" in missing.text
    no_reason = client.post(f"/assignments/{assignment.id}", data={"answer": "decline"})
    assert no_reason.status_code == 422 and "Please give the reason" in no_reason.text
    declined = client.post(
        f"/assignments/{assignment.id}",
        data={"answer": "decline", "decline-reason": "On leave in March"},
    )
    assert declined.status_code == 303
    assignment = refreshed(application).assignment_of(people["omar"])
    assert assignment.status == "declined" and assignment.decline_reason == "On leave in March"
    assert "declined" in last_email(people["secretariat"].email).body_text
    # Someone else's assignment is not theirs to answer.
    anna_assignment = refreshed(application).assignment_of(people["anna"])
    assert client.get(f"/assignments/{anna_assignment.id}").status_code == 403


def test_an_assignment_is_accepted_where_it_waits_on_my_assignments(client, people):
    """Issue 28: accepting took a page of its own. Each waiting assignment now carries its
    declaration on My assignments, with ids of its own; declining keeps its page."""
    first = submitted_application(people["manager"], legal_name="Nordic Food Cluster")
    second = submitted_application(people["manager"], legal_name="Baltic Food Cluster")
    screen_and_assign(client, people, first)
    screen_and_assign(client, people, second)
    as_user(client, people["omar"])
    page = client.get("/assignments")
    forms = post_forms(page.text, "/assignments")
    ids = re.findall(r'\bid="([^"]+)"', page.text)
    assert len(ids) == len(set(ids))
    assert [f.action for f in forms if f.action.startswith("/assignments/")] == [
        f"/assignments/{refreshed(app).assignment_of(people['omar']).id}"
        for app in (second, first)  # the latest first
    ]
    declaration = "I declare that I have no conflict of interest with this organisation"
    assert page.text.count(declaration) == 2

    # Sent without the box ticked: the assignment's own page, the error by the box.
    by_action = {f.action: f for f in forms}
    first_assignment = refreshed(first).assignment_of(people["omar"])
    unticked = by_action[f"/assignments/{first_assignment.id}"]
    refused = client.post(unticked.action, data=MultiDict(unticked.data()))
    assert refused.status_code == 422
    assert "Please confirm the declaration, or decline." in refused.text
    assert "Decline the assignment" in refused.text

    ticked = [*unticked.data(), (f"accept-{first_assignment.id}-declaration", "y")]
    accepted = client.post(unticked.action, data=MultiDict(ticked))
    assert accepted.status_code == 303 and accepted.location.endswith("/assignments")
    assert refreshed(first).assignment_of(people["omar"]).status == "accepted"
    assert refreshed(second).assignment_of(people["omar"]).status == "proposed"
    after = client.get("/assignments").text
    assert "you accepted the assignment" in after and after.count(declaration) == 1


def test_a_conflict_found_in_the_data_refuses_acceptance(client, people):
    application = submitted_application(people["manager"])
    screen_and_assign(client, people, application)
    # After the assignment, Omar joins the organisation's team: the data now shows a conflict.
    from labelling.organisations.models import Membership

    db.session.add(
        Membership(organisation_id=application.organisation_id, user_id=people["omar"].id)
    )
    db.session.commit()
    response = accept(client, people["omar"], application)
    assert response.status_code == 409
    assert "member of this organisation" in response.text
    assert refreshed(application).assignment_of(people["omar"]).status == "proposed"


def test_gold_journey_from_screening_to_award(client, people):
    application = submitted_application(people["manager"])
    screen_and_assign(client, people, application)
    assert accept(client, people["anna"], application).status_code == 303
    assert accept(client, people["omar"], application).status_code == 303
    accepted = refreshed(application).assignment_of(people["anna"])
    assert accepted.no_conflict_declared_at is not None and accepted.due_on is not None

    as_user(client, people["secretariat"])
    assert (
        client.post(f"/secretariat/applications/{application.id}/start-assessment").status_code
        == 303
    )
    assert refreshed(application).status == State.IN_ASSESSMENT
    assert "/review" in last_email(people["omar"].email).body_text

    # Independent scoring: Anna verifies the regional share, Omar says it does not apply.
    as_user(client, people["anna"])
    assert client.get(f"/applications/{application.id}/review").status_code == 200
    assert score(client, application, "1.2", verified_value="60", status="").status_code == 303
    as_user(client, people["omar"])
    assert score(client, application, "1.2", status="not_applicable").status_code == 303
    workspace = client.get(f"/applications/{application.id}/review").text
    assert "rated by you" in workspace

    # Omar asks about staff turnover: only that answer re-opens, with a deadline.
    asked = client.post(
        f"/applications/{application.id}/review/2.1/question",
        data={"q-question": "How was turnover counted?"},
    )
    assert asked.status_code == 303
    application = refreshed(application)
    assert application.status == State.MORE_INFORMATION
    assert application.reopened_questions == ["turnover"]
    request_row = application.information_requests[0]
    assert (request_row.due_on - request_row.created_at.date()).days >= 14  # 10 working days
    assert "How was turnover counted?" in last_email(people["manager"].email).body_text

    # The manager changes the re-opened answer (only that one) and replies.
    as_user(client, people["manager"])
    changed = client.post(
        f"/applications/{application.id}/questionnaire/s2",
        data={"turnover": "15", "strategy": "1"},
    )
    assert changed.status_code in (200, 303)
    replied = client.post(
        f"/applications/{application.id}/answer_information",
        data={f"reply-{request_row.id}": "Leavers over average staff."},
    )
    assert replied.status_code == 303
    application = refreshed(application)
    assert application.status == State.IN_ASSESSMENT
    assert application.answer_values()["turnover"] == 15
    assert application.answer_values()["strategy"] == 3  # not re-opened, not changed
    assert db.session.get(InformationRequest, request_row.id).reply == "Leavers over average staff."

    # Consolidation flags the disagreement; what both rated alike stands without a click.
    as_user(client, people["anna"])
    page = client.get(f"/applications/{application.id}/consolidation").text
    assert "Disagreement" in page
    assert "1 indicator needs your decision" in page
    assert "Adopt every indicator" not in page
    assert page.count("as agreed") == 3  # 1.1, 2.1 and 2.2
    settled_now = consolidation.final_ratings(refreshed(application), framework_of(application))
    assert set(settled_now) == {"1.1", "2.1", "2.2"}
    assert "consolidation_incomplete" in recommendation.completion_problems(
        refreshed(application), framework_of(application)
    )
    settled = client.post(
        f"/applications/{application.id}/consolidation/1.2",
        data={"verified_value": "60", "status": "met", "comment": "Checked the member list."},
    )
    assert settled.status_code == 303
    # Omar is not the lead: he may not consolidate.
    as_user(client, people["omar"])
    assert client.get(f"/applications/{application.id}/consolidation/1.2").status_code == 403
    assert client.get(f"/applications/{application.id}/recommendation").status_code == 403

    as_user(client, people["anna"])
    recommended = client.post(
        f"/applications/{application.id}/recommendation",
        data={
            "level": "gold",
            "assessment_date": "2026-11-20",
            "strengths": "Committed members.",
            "improvements": "Regional anchoring.",
        },
    )
    assert recommended.status_code == 303, recommended.text
    assert client.post(f"/applications/{application.id}/complete").status_code == 303
    assert refreshed(application).status == State.ASSESSED
    assert "decision" in last_email(people["secretariat"].email).body_text

    # Four eyes: the lead assessor, even with a secretariat role, cannot decide.
    people["anna"].grant(Role.SECRETARIAT)
    db.session.commit()
    assert client.get(f"/secretariat/applications/{application.id}/decision").status_code == 403
    denied = client.post(
        f"/secretariat/applications/{application.id}/decision",
        data={"decision": "award", "award-level": "gold", "award-assessment_date": "2026-11-20"},
    )
    assert denied.status_code == 403

    awarded_events = []

    def on_award(sender, **extra):
        awarded_events.append((sender.id, extra["framework"].key))

    as_user(client, people["secretariat"])
    with application_awarded.connected_to(on_award):
        decided = client.post(
            f"/secretariat/applications/{application.id}/decision",
            data={
                "decision": "award",
                "award-level": "gold",
                "award-assessment_date": "2026-11-20",
                "confirmed": "yes",
            },
        )
        assert decided.status_code == 303
        again = client.post(
            f"/secretariat/applications/{application.id}/decision",
            data={
                "decision": "award",
                "award-level": "gold",
                "award-assessment_date": "2026-11-20",
                "confirmed": "yes",
            },
        )
        assert again.status_code == 409
    assert awarded_events == [(application.id, "mini@1.0")]
    application = refreshed(application)
    assert application.status == State.AWARDED and application.awarded_level == "gold"
    assert application.decided_by_id == people["secretariat"].id
    assert "awarded" in last_email(people["manager"].email).body_text.lower()
    actions = [event.action for event in events_for("application", application.id)]
    for expected in (
        "application.start_screening",
        "application.assessor_assigned",
        "application.assignment_accepted",
        "application.start_assessment",
        "application.request_information",
        "application.answer_information",
        "application.complete_assessment",
        "application.award",
    ):
        assert expected in actions
    # The report is the applicant's now the decision is made, as a page and a PDF.
    as_user(client, people["manager"])
    report = client.get(f"/applications/{application.id}/report")
    assert report.status_code == 200 and "Committed members." in report.text
    pdf = client.get(f"/applications/{application.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_scores_are_independent_and_stale_saves_are_refused(client, people):
    application = in_assessment(client, people)
    assert score(client, application, "2.1", verified_value="10", status="met").status_code == 303
    row = db.session.scalar(db.select(IndicatorScore).filter_by(assessor_id=people["anna"].id))
    # A second tab still showing version 1 saves after the first tab saved version 2.
    assert (
        score(client, application, "2.1", verified_value="12", row_version="1").status_code == 303
    )
    stale = score(client, application, "2.1", verified_value="99", row_version="1")
    assert stale.status_code == 409
    assert "saved by someone else" in stale.text and 'value="99"' in stale.text
    db.session.expire_all()
    assert db.session.get(IndicatorScore, row.id).verified_value == 12
    # Bad input: a band outside the rubric, a verdict that is not offered.
    assert score(client, application, "2.2", verified_value="7").status_code == 422
    # Issue 15: a blank band answered 500 (int(" ")); inf and 1e308 are no values.
    assert score(client, application, "2.2", verified_value=" ").status_code == 303
    for absurd in ("inf", "1e308", "nan"):
        refused = score(client, application, "2.1", verified_value=absurd)
        assert refused.status_code == 422 and "Enter a number below" in refused.text
    assert score(client, application, "2.1", status="not_applicable").status_code == 422
    assert score(client, application, "9.9").status_code == 404
    # Omar's scores are his own.
    as_user(client, people["omar"])
    assert score(client, application, "2.1", verified_value="40").status_code == 303
    values = {
        r.assessor_id: r.verified_value
        for r in db.session.scalars(db.select(IndicatorScore).filter_by(indicator_code="2.1"))
    }
    assert values == {people["anna"].id: 12, people["omar"].id: 40}
    # An outsider assessor sees nothing.
    as_user(client, create_user("other@example.net", roles=(Role.ASSESSOR,)))
    assert client.get(f"/applications/{application.id}/review").status_code == 403


def test_screening_can_return_the_application_with_a_reason(client, people):
    application = submitted_application(people["manager"])
    as_user(client, people["secretariat"])
    base = f"/secretariat/applications/{application.id}"
    client.post(f"{base}/start-screening")
    missing = client.post(f"{base}/return", data={})
    assert missing.status_code == 422 and "Please give the reason" in missing.text
    assert refreshed(application).status == State.SCREENING
    returned = client.post(
        f"{base}/return", data={"return-reason": "The website is not in English."}
    )
    assert returned.status_code == 303
    assert refreshed(application).status == State.DRAFT
    mail = last_email(people["manager"].email)
    assert "The website is not in English." in mail.body_text


def test_a_suspended_accreditation_takes_no_new_assignment(client, people):
    from labelling.assessors.models import Accreditation
    from labelling.db import utcnow

    accreditation = db.session.scalar(
        db.select(Accreditation).join(Accreditation.profile).filter_by(user_id=people["omar"].id)
    )
    accreditation.suspended_at, accreditation.suspension_reason = utcnow(), "Under review"
    db.session.commit()
    application = submitted_application(people["manager"])
    as_user(client, people["secretariat"])
    base = f"/secretariat/applications/{application.id}"
    client.post(f"{base}/start-screening")
    client.post(f"{base}/confirm-eligibility")
    refused = client.post(f"{base}/assign", data={"assessor_id": people["omar"].id})
    assert refused.status_code == 409
    assert "No active accreditation" in refused.text
    assert refreshed(application).assignments == []


def test_no_recommendation_above_the_rules_and_the_report_pdf_reads_back(client, people):
    from io import BytesIO

    from pypdf import PdfReader

    application = start_assessment(client, people, submitted_application(people["manager"]))
    client.post(f"/applications/{application.id}/consolidation")  # adopt: 1.2 stays not met
    data = {
        "level": "gold",
        "assessment_date": "2026-11-20",
        "strengths": "Members committed.",
        "improvements": "Regional share below the threshold.",
    }
    too_high = client.post(f"/applications/{application.id}/recommendation", data=data)
    assert too_high.status_code == 422  # Gold is not among the choices the rules allow
    assert refreshed(application).recommendation is None
    bronze = client.post(
        f"/applications/{application.id}/recommendation", data={**data, "level": "bronze"}
    )
    assert bronze.status_code == 303
    pdf = client.get(f"/applications/{application.id}/report.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf.data)).pages)
    assert "Assessment report" in text and application.organisation.legal_name in text
    assert "Regional share below the threshold." in text
    assert "1.2 Regional share" in text
    assert "Draft: the assessment is not complete yet." in text


def test_an_assessor_sees_answers_and_evidence_only_after_accepting(client, people):
    application = submitted_application(people["manager"])
    screen_and_assign(client, people, application)
    as_user(client, people["omar"])
    assert client.get(f"/applications/{application.id}").status_code == 403
    assert client.get(f"/applications/{application.id}/questionnaire").status_code == 403
    assignment = refreshed(application).assignment_of(people["omar"])
    facts = client.get(f"/assignments/{assignment.id}")
    assert facts.status_code == 200 and application.organisation.legal_name in facts.text
    accept(client, people["omar"], application)
    assert client.get(f"/applications/{application.id}").status_code == 200


def test_the_dashboard_counts_assignments_and_queues(client, people):
    application = submitted_application(people["manager"])
    screen_and_assign(client, people, application)
    page = client.get("/dashboard").text  # the secretariat, signed in last
    assert "To screen and assign: 1" in page and "Awaiting decision: 0" in page
    as_user(client, people["omar"])
    page = client.get("/dashboard").text
    assert "1 assignment waits for your answer" in page
    accept(client, people["omar"], application)
    assert "1 assessment in progress" in client.get("/dashboard").text


def test_bronze_has_one_benchmarking_expert_whose_ratings_are_final(client, people):
    application = submitted_application(people["manager"], level="bronze")
    as_user(client, people["secretariat"])
    base = f"/secretariat/applications/{application.id}"
    client.post(f"{base}/start-screening")
    client.post(f"{base}/confirm-eligibility")
    refused = client.post(f"{base}/assign", data={"assessor_id": people["anna"].id})
    assert refused.status_code == 409  # an auditor, not a benchmarking expert
    assert (
        client.post(f"{base}/assign", data={"assessor_id": people["expert"].id}).status_code == 303
    )
    second = client.post(f"{base}/assign", data={"assessor_id": people["omar"].id})
    assert second.status_code == 409  # Bronze has one assessor
    accept(client, people["expert"], application)
    as_user(client, people["secretariat"])
    client.post(f"{base}/start-assessment")
    as_user(client, people["expert"])
    assert client.get(f"/applications/{application.id}/consolidation").status_code == 404
    assert score(client, application, "2.1", verified_value="45").status_code == 303
    report = client.get(f"/applications/{application.id}/report").text
    assert "2.1 Staff turnover" in report and "verified" in report
    recommended = client.post(
        f"/applications/{application.id}/recommendation",
        data={
            "level": "bronze",
            "assessment_date": "2026-11-20",
            "strengths": "Clear structure.",
            "improvements": "Staff turnover.",
        },
    )
    assert recommended.status_code == 303
    assert client.post(f"/applications/{application.id}/complete").status_code == 303
    assert refreshed(application).status == State.ASSESSED
