"""Races on PostgreSQL: two assessors saving at once, two tabs saving one rating, and a
double-clicked decision. Each thread has its own app context, session and connection;
a barrier lets both read before either writes, so the second writer really collides."""

from __future__ import annotations

import os
import threading
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from labelling.accounts.models import Role, User
from labelling.assessments import assignment, decisions, rating, services
from labelling.assessments.models import Application, IndicatorScore
from labelling.assessments.rating import RatingInput
from labelling.assessments.review import StaleScore
from labelling.assessments.signals import application_awarded
from labelling.assessments.workflow import State, TransitionError
from labelling.core.audit import AuditEvent
from labelling.extensions import db
from labelling.frameworks.services import current_framework
from tests.factories import application_with_team as build_case
from tests.factories import with_mini_framework

pytestmark = pytest.mark.skipif(
    not os.environ.get("LABELLING_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="real concurrent transactions need PostgreSQL (LABELLING_TEST_DATABASE_URL)",
)


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def race(app, *jobs):
    """Run each job(session objects loaded in its own context) in its own thread; return
    what each returned or raised. `job(barrier)` must wait on the barrier before writing."""
    barrier = threading.Barrier(len(jobs), timeout=20)
    outcomes: list = [None] * len(jobs)

    def run(index, job):
        with app.app_context():
            try:
                outcomes[index] = job(barrier)
                db.session.commit()
            except Exception as exc:  # the outcome is what the test checks
                db.session.rollback()
                outcomes[index] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def _scoring(app_id: int, email: str, value, expected_version=None):
    def job(barrier):
        application = db.session.get(Application, app_id)
        assessor = db.session.scalar(select(User).filter_by(email=email))
        framework = services.framework_of(application)
        barrier.wait()
        return rating.record_score(
            application, framework, assessor, "2.1", RatingInput(value), expected_version
        ).verified_value

    return job


def test_two_assessors_saving_the_same_indicator_keep_both_ratings(app):
    application, people = build_case(State.IN_ASSESSMENT)
    outcomes = race(
        app,
        _scoring(application.id, people["lead"].email, 11),
        _scoring(application.id, people["assessor"].email, 22),
    )
    assert outcomes == [11, 22]
    db.session.expire_all()
    saved = {
        row.assessor_id: row.verified_value
        for row in db.session.scalars(select(IndicatorScore).filter_by(indicator_code="2.1"))
    }
    assert saved == {people["lead"].id: 11, people["assessor"].id: 22}


def test_two_tabs_creating_one_rating_at_once_lose_nothing_silently(app):
    application, people = build_case(State.IN_ASSESSMENT)
    email = people["lead"].email
    outcomes = race(app, _scoring(application.id, email, 1), _scoring(application.id, email, 2))
    winners = [o for o in outcomes if not isinstance(o, Exception)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0], StaleScore)
    db.session.expire_all()
    rows = db.session.scalars(select(IndicatorScore).filter_by(indicator_code="2.1")).all()
    assert [row.verified_value for row in rows] == winners  # the loser was told, not lost


def test_two_tabs_updating_one_rating_at_once_lose_nothing_silently(app):
    application, people = build_case(State.IN_ASSESSMENT)
    framework = services.framework_of(application)
    row = rating.record_score(application, framework, people["lead"], "2.1", RatingInput(5))
    db.session.commit()
    version = row.row_version
    email = people["lead"].email
    outcomes = race(
        app,
        _scoring(application.id, email, 6, version),
        _scoring(application.id, email, 7, version),
    )
    winners = [o for o in outcomes if not isinstance(o, Exception)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1 and isinstance(losers[0], StaleDataError | StaleScore)
    db.session.expire_all()
    saved = db.session.get(IndicatorScore, row.id)
    assert saved.verified_value == winners[0] and saved.row_version == version + 1


def test_a_double_clicked_decision_decides_once(app):
    application, people = build_case(State.ASSESSED)
    app_id, decider_email = application.id, people["secretariat"].email
    awarded = []

    def on_award(sender, **extra):
        awarded.append(sender.id)

    def deciding(barrier):
        # Only plain values cross into the thread: the test's own session stays in this one.
        current = db.session.get(Application, app_id)
        decider = db.session.scalar(select(User).filter_by(email=decider_email))
        framework = services.framework_of(current)
        barrier.wait()
        decisions.award_label(current, framework, decider, "gold", date(2026, 1, 5))
        return "awarded"

    with application_awarded.connected_to(on_award):
        outcomes = race(app, deciding, deciding)
    assert outcomes.count("awarded") == 1
    loser = next(o for o in outcomes if o != "awarded")
    assert isinstance(loser, StaleDataError | TransitionError)
    assert awarded == [app_id]  # the label hook ran once
    db.session.expire_all()
    assert db.session.get(Application, app_id).state == "awarded"
    awards = db.session.scalar(
        select(func.count()).select_from(AuditEvent).filter_by(action="application.award")
    )
    assert awards == 1


def test_a_double_clicked_suspension_runs_once(app):
    """Finding 11: two 303s, two audit events ("from active" both times), two e-mails."""
    from labelling.certificates import services as label_services
    from labelling.certificates.models import Label
    from labelling.notifications.models import OutboxMessage
    from tests.factories import create_user, labelled_organisation

    manager = create_user("m@example.org", "Maria Manager")
    label_id = labelled_organisation(manager, "gold").id
    secretariat = create_user("sec@example.org", roles=(Role.SECRETARIAT,))
    sec_email = secretariat.email
    db.session.commit()

    def suspending(barrier):
        label = db.session.get(Label, label_id)
        actor = db.session.scalar(select(User).filter_by(email=sec_email))
        label.status  # read before the other writes  # noqa: B018
        barrier.wait()
        label_services.change_label_status(label, "suspend", actor, "Audit pending")
        return "suspended"

    outcomes = race(app, suspending, suspending)
    assert outcomes.count("suspended") == 1
    assert isinstance(next(o for o in outcomes if o != "suspended"), StaleDataError)
    events = db.session.scalar(
        select(func.count()).select_from(AuditEvent).filter_by(action="label.suspend")
    )
    mails = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .filter_by(recipient="m@example.org", template="label_status_changed")
    )
    assert (events, mails) == (1, 1)


def test_a_double_clicked_start_makes_one_draft(app):
    from labelling.organisations.models import Organisation
    from tests.factories import create_org, create_user

    manager = create_user("m@example.org", "Maria Manager")
    org_id, email = create_org(manager).id, manager.email
    db.session.commit()

    def starting(barrier):
        organisation = db.session.get(Organisation, org_id)
        actor = db.session.scalar(select(User).filter_by(email=email))
        framework = current_framework()
        barrier.wait()
        return services.start_application(organisation, "gold", "new", actor, framework).id

    outcomes = race(app, starting, starting)
    winners = [o for o in outcomes if isinstance(o, int)]
    assert len(winners) == 1
    assert isinstance(next(o for o in outcomes if not isinstance(o, int)), IntegrityError)
    assert db.session.scalar(select(func.count(Application.id))) == 1


def test_two_simultaneous_assignments_to_the_last_place_make_one(app):
    """Two colleagues (or two tabs) filling the team's last place at once: each check saw
    room, and both assessors were assigned. The application's version lets one through."""
    from labelling.assessments.models import Assignment
    from tests.factories import create_assessor

    application, people = build_case(State.IN_ASSESSMENT)
    # Room for one more: the co-assessor was taken off.
    leaving = next(a for a in application.assignments if a.assessor_id == people["assessor"].id)
    leaving.status = "removed"
    third = create_assessor("third@example.org", "Third", country="IT", areas=("food",))
    fourth = create_assessor("fourth@example.org", "Fourth", country="ES", areas=("food",))
    app_id, sec_email = application.id, people["secretariat"].email
    db.session.commit()

    def assigning(email):
        def job(barrier):
            current = db.session.get(Application, app_id)
            actor = db.session.scalar(select(User).filter_by(email=sec_email))
            assessor = db.session.scalar(select(User).filter_by(email=email))
            current.assignments  # loaded before the other writes  # noqa: B018
            barrier.wait()
            assignment.assign_assessor(current, assessor, actor, date.today())
            return "assigned"

        return job

    outcomes = race(app, assigning(third.email), assigning(fourth.email))
    assert outcomes.count("assigned") == 1
    loser = next(o for o in outcomes if o != "assigned")
    assert isinstance(loser, StaleDataError), loser
    newcomers = select(func.count(Assignment.id)).where(
        Assignment.assessor_id.in_([third.id, fourth.id])
    )
    assert db.session.scalar(newcomers) == 1


def _proposed(people, application):
    """The other assessor asked to join the team, not yet answering."""
    from labelling.assessments.models import Assignment

    asked = Assignment(
        assessor_id=people["other_assessor"].id,
        status="proposed",
        assigned_by_id=people["secretariat"].id,
    )
    application.assignments.append(asked)
    db.session.commit()
    return asked.id, people["other_assessor"].email


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_a_double_clicked_answer_to_an_assignment_counts_once(app, answer):
    """Issue 26, finding 2: 20 of 20 double clicks on "Accept" gave (303, 303), two
    `application.assignment_accepted` events and two e-mails."""
    from labelling.assessments.models import Assignment
    from labelling.notifications.models import OutboxMessage

    application, people = build_case(State.IN_ASSESSMENT)
    assignment_id, email = _proposed(people, application)

    def answering(barrier):
        asked = db.session.get(Assignment, assignment_id)
        actor = db.session.scalar(select(User).filter_by(email=email))
        asked.status, asked.application.state  # read before the other writes  # noqa: B018
        barrier.wait()
        if answer == "accept":
            assignment.accept_assignment(asked, actor, True, date.today())
        else:
            assignment.decline_assignment(asked, actor, "Too busy this month")
        return "answered"

    outcomes = race(app, answering, answering)
    assert outcomes.count("answered") == 1
    assert isinstance(next(o for o in outcomes if o != "answered"), StaleDataError)
    action = (
        "application.assignment_accepted"
        if answer == "accept"
        else ("application.assignment_declined")
    )
    events = db.session.scalar(
        select(func.count()).select_from(AuditEvent).filter_by(action=action)
    )
    mails = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .filter_by(recipient=people["secretariat"].email, template="assignment_answered")
    )
    assert (events, mails) == (1, 1)
