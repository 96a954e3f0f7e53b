"""`labelling send-reminders`: answers due soon or late, overdue assessments, each once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from labelling.assessments.models import InformationRequest
from labelling.assessments.workflow import State
from labelling.core.http import site_request_context
from labelling.extensions import db
from labelling.notifications.models import OutboxMessage
from labelling.notifications.reminders import reminder_providers, send_reminders
from tests.factories import application_with_team, last_email, with_mini_framework

TODAY = date(2026, 11, 25)


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def mails_to(email: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.recipient == email)
    )


def asked(due_on: date, state=State.MORE_INFORMATION):
    application, people = application_with_team(state)
    application.information_requests.append(
        InformationRequest(
            indicator_code="2.1",
            question_ids=["turnover"],
            text="How is turnover counted?",
            asked_by_id=people["assessor"].id,
            due_on=due_on,
        )
    )
    db.session.commit()
    return application, people


def run(today=TODAY) -> int:
    queued = send_reminders(reminder_providers(), today)
    db.session.commit()
    return queued


def test_answers_due_in_three_days_remind_each_manager_once(app):
    application, people = asked(TODAY + timedelta(days=3))
    manager = people["applicant"]
    assert run() == 1
    message = last_email(manager.email)
    assert "28 Nov 2026" in message.subject
    assert application.organisation.legal_name in message.body_text
    assert f"/applications/{application.id}" in message.body_text
    assert run() == 0  # safe to run twice
    assert mails_to(manager.email) == 1


def test_answers_due_later_are_not_reminded_yet(app):
    asked(TODAY + timedelta(days=4))
    assert run() == 0


def test_overdue_answers_remind_once_more_and_a_new_deadline_again(app):
    application, people = asked(TODAY + timedelta(days=2))
    manager = people["applicant"]
    assert run() == 1
    assert run(TODAY + timedelta(days=3)) == 1  # now overdue: one more reminder
    assert "Overdue" in last_email(manager.email).subject
    assert run(TODAY + timedelta(days=4)) == 0
    application.information_requests[0].due_on = TODAY + timedelta(days=10)
    db.session.commit()
    assert run(TODAY + timedelta(days=8)) == 1  # a new deadline is a new occasion
    assert mails_to(manager.email) == 3


def test_no_reminder_once_the_application_is_back_in_assessment(app):
    _application, _people = asked(TODAY + timedelta(days=1), state=State.IN_ASSESSMENT)
    assert run() == 0


def test_overdue_assessment_reminds_the_assessor_once(app):
    application, people = application_with_team(State.IN_ASSESSMENT)
    lead = application.lead_assignment
    lead.due_on = TODAY - timedelta(days=1)
    db.session.commit()
    assert run() == 1
    message = last_email(people["lead"].email)
    assert "Overdue assessment" in message.subject
    assert f"/applications/{application.id}/review" in message.body_text
    assert run() == 0
    assert mails_to(people["assessor"].email) == 0  # not due yet: no due date set


def test_finished_applications_send_no_assessment_reminders(app):
    application, _people = application_with_team(State.AWARDED)
    application.lead_assignment.due_on = TODAY - timedelta(days=30)
    db.session.commit()
    assert run() == 0


def test_the_command_queues_and_reports(app):
    asked(TODAY + timedelta(days=1))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["send-reminders", "--today", TODAY.isoformat()])
    assert first.exit_code == 0 and "1 reminder(s) queued for 2026-11-25" in first.output
    again = runner.invoke(args=["send-reminders", "--today", TODAY.isoformat()])
    assert "0 reminder(s) queued" in again.output


def test_the_daily_run_sends_them_with_the_other_duties(app):
    """The scheduler's daily task runs every registered duty: the reminders among them."""
    from labelling.jobs.scheduler import run_daily_tasks

    _application, people = asked(TODAY + timedelta(days=3))
    with site_request_context(app):
        run_daily_tasks(TODAY.isoformat())
        run_daily_tasks(TODAY.isoformat())  # a retried job: nothing twice
    assert mails_to(people["applicant"].email) == 1
