"""Questions to the applicant about an indicator: the answers behind it re-open until the
applicant replies."""

from __future__ import annotations

from datetime import date

from flask import current_app

from labelling.accounts.models import User
from labelling.assessments import deadlines
from labelling.assessments.models import Application, InformationRequest
from labelling.assessments.review import (
    SCORING_STATES,
    ReviewError,
    audit_step,
    require_actor,
    require_state,
)
from labelling.assessments.services import apply_transition
from labelling.assessments.workflow import Action, Actor, State
from labelling.core.http import external_url
from labelling.criteria.framework import Framework
from labelling.db import utcnow
from labelling.extensions import db
from labelling.notifications.services import mail_people
from labelling.organisations.services import managers_of


def raise_question(
    application: Application,
    framework: Framework,
    assessor: User,
    code: str,
    text: str,
    today: date,
) -> InformationRequest:
    """Ask the applicant about one indicator; re-opens only the answers behind it.

    From "in assessment" this moves the application to "more information requested" with
    a deadline in working days; while a round is open the question joins it (same
    deadline). Raises NotAllowed, TransitionError or ReviewError.
    """
    require_actor(application, assessor, Actor.ASSESSOR)
    require_state(application, *SCORING_STATES)
    if not text.strip():
        raise ReviewError("question_required")
    questions = framework.questions_behind(code)
    open_round = application.open_requests
    if open_round:
        due_on = open_round[0].due_on
    else:
        due_on = deadlines.add_working_days(
            today, current_app.config["INFORMATION_DEADLINE_WORKING_DAYS"]
        )
    request = InformationRequest(
        indicator_code=code,
        question_ids=questions,
        text=text.strip(),
        asked_by_id=assessor.id,
        due_on=due_on,
    )
    application.information_requests.append(request)
    reopened = set(application.reopened_questions or []) | set(questions)
    application.reopened_questions = sorted(reopened)
    if application.status == State.IN_ASSESSMENT:
        apply_transition(application, Action.REQUEST_INFORMATION, assessor, text)
    else:
        db.session.flush()
        audit_step(application, "question_added", assessor, comment=text.strip(), indicator=code)
    mail_people(
        managers_of(application.organisation),
        "information_requested",
        application=application,
        request=request,
        indicator=framework.indicator(code),
        link=external_url("assessments.detail", app_id=application.id),
    )
    return request


def answer_information(application: Application, actor: User, replies: dict[int, str]) -> None:
    """The applicant sends the re-opened answers back, with a reply to each question.

    Freezes the answers again and returns the application to the assessors.
    """
    apply_transition(application, Action.ANSWER_INFORMATION, actor)
    now = utcnow()
    for request in application.open_requests:
        request.reply = (replies.get(request.id) or "").strip() or None
        request.replied_at, request.replied_by_id = now, actor.id
    db.session.flush()
    mail_people(
        [a.assessor for a in application.accepted_assignments],
        "information_provided",
        application=application,
        link=external_url("review.workspace", app_id=application.id),
    )
