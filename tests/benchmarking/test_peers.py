"""Peer statistics from the database against Python's, the lifecycle of entries, the
anonymity rule and the decision's snapshot."""

from __future__ import annotations

import statistics
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from labelling.accounts.models import Role
from labelling.assessments import decisions, questions, screening, services
from labelling.assessments.models import Application
from labelling.assessments.workflow import State
from labelling.benchmarking import services as benchmarking
from labelling.benchmarking.models import BenchmarkEntry, BenchmarkValue
from labelling.benchmarking.peers import data_changed
from labelling.benchmarking.stats import percentile_rank
from labelling.extensions import db
from tests.factories import (
    MINI_GOLD_ANSWERS,
    application_with_team,
    create_user,
    labelled_organisation,
    submitted_application,
    with_mini_framework,
)
from tests.statements import counted_statements

MEMBERS = [40, 55, 70, 25, 90, 40, 120, 33]


@pytest.fixture
def app_config(app_config):
    return with_mini_framework(app_config)


def answers(members: int) -> dict:
    return {**MINI_GOLD_ANSWERS, "members": members, "committed": members // 2}


@pytest.fixture
def peers(app):
    """Eight submitted applications: six ICT clusters (five German), two food clusters."""
    manager = create_user("peers@example.org")
    applications = []
    for i, members in enumerate(MEMBERS):
        applications.append(
            submitted_application(
                manager,
                "bronze",
                answers(members),
                technology_area="food" if i in (3, 5) else "ict",
                country_code="FR" if i in (1, 3, 5) else "DE",
            )
        )
    return applications


def stats_for(application, kind):
    framework = services.framework_of(application)
    return benchmarking.live_statistics(benchmarking.entry_of(application), framework, kind)


def test_submission_makes_a_self_assessed_entry(peers):
    entry = benchmarking.entry_of(peers[0])
    values = benchmarking.own_values(entry)
    assert values["members"] == (40.0, False)
    assert values["committed_share"] == (50.0, False)
    assert values["strategy"] == (3.0, False)
    assert entry.is_current and not entry.is_final and entry.technology_area == "ict"


def test_the_database_quartiles_match_python(peers):
    group = stats_for(peers[0], "all")
    assert group.n == 8 and group.shown
    members = group.metrics["members"]
    expected = statistics.quantiles(MEMBERS, n=4, method="inclusive")
    found = members.distribution
    assert (found.q1, found.median, found.q3) == pytest.approx(expected)
    assert (found.minimum, found.maximum, members.n) == (25, 120, 8)
    # 40 among 25 33 40 40 55 70 90 120: two below, two level.
    assert members.percentile == percentile_rank(2, 2, 8) == 37.5


def test_small_groups_are_not_shown(peers):
    food = stats_for(peers[3], "technology_area")
    assert food.n == 2 and not food.shown and food.metrics == {}
    germany = stats_for(peers[0], "country")
    assert germany.n == 5 and germany.shown
    assert germany.metrics["members"].distribution.n == 5


def test_hypothesis_random_values_against_python(peers):
    entries = [benchmarking.entry_of(application) for application in peers]

    @given(
        st.lists(
            st.floats(min_value=-1e5, max_value=1e5, allow_nan=False).map(lambda x: round(x, 3)),
            min_size=8,
            max_size=8,
        )
    )
    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(values):
        for entry, value in zip(entries, values, strict=True):
            db.session.execute(
                update(BenchmarkValue)
                .where(BenchmarkValue.entry_id == entry.id, BenchmarkValue.metric == "turnover")
                .values(value=value)
            )
        data_changed()  # the rows were changed behind the services' back
        found = stats_for(peers[0], "all").metrics["turnover"]
        expected = statistics.quantiles(values, n=4, method="inclusive")
        shown = found.distribution
        assert [shown.q1, shown.median, shown.q3] == pytest.approx(expected, abs=1e-6)
        assert shown.median == pytest.approx(statistics.median(values), abs=1e-6)
        assert (shown.minimum, shown.maximum) == (min(values), max(values))
        own = values[0]
        below = sum(1 for v in values if v < own)
        equal = sum(1 for v in values if v == own)
        assert found.percentile == pytest.approx(percentile_rank(below, equal, 8))

    check()


def test_a_newer_application_replaces_the_entry_and_a_return_restores_it(peers):
    first = peers[0]
    organisation = first.organisation
    framework = services.framework_of(first)
    manager = first.created_by
    # The first is closed (another application for a level in progress is refused, issue
    # 28), without the withdrawal's own steps: its entry stays.
    db.session.execute(
        update(Application).where(Application.id == first.id).values(state="withdrawn")
    )
    second = services.start_application(organisation, "bronze", "renewal", manager, framework)
    from labelling.assessments.models import Answer

    stored = {answer.question_id: answer for answer in second.answers}
    for question_id, value in answers(60).items():
        if question_id in stored:
            stored[question_id].value, stored[question_id].is_carried_over = value, False
        else:
            second.answers.append(Answer(question_id=question_id, value=value))
    db.session.flush()
    services.submit_application(second, framework, manager, "Maria Manager", "Manager")
    db.session.commit()
    current = db.session.scalars(
        select(BenchmarkEntry).where(
            BenchmarkEntry.organisation_id == organisation.id, BenchmarkEntry.is_current
        )
    ).all()
    assert [entry.application_id for entry in current] == [second.id]
    assert stats_for(second, "all").n == 8  # the organisation still counts once
    secretariat = create_user("sec@example.org", roles=(Role.SECRETARIAT,))
    screening.start_screening(second, secretariat)
    screening.return_to_applicant(second, secretariat, "Please correct the members.")
    db.session.commit()
    assert benchmarking.entry_of(second) is None
    assert benchmarking.entry_of(first).is_current


def test_the_decision_freezes_the_peer_data(app):
    application, people = application_with_team(State.ASSESSED)
    manager = create_user("others@example.org")
    for members in (30, 45, 60, 80):
        submitted_application(manager, "bronze", answers(members))
    framework = services.framework_of(application)
    decisions.award_label(application, framework, people["secretariat"], "gold", date.today())
    db.session.commit()
    entry = benchmarking.entry_of(application)
    assert entry.is_final
    # The assessors verified the regional share (60): the figure says so.
    assert benchmarking.own_values(entry)["regional_share"] == (60.0, True)
    before = benchmarking.peer_view(application, framework, "all")
    assert before.snapshot_taken_at and before.group.n == 5
    frozen_median = before.group.metrics["members"].distribution.median
    for members in (500, 600, 700):
        submitted_application(manager, "bronze", answers(members))
    after = benchmarking.peer_view(application, framework, "all")
    assert after.group.n == 5 and after.group.metrics["members"].distribution.median == (
        frozen_median
    )
    assert stats_for(application, "all").n == 8  # live data moved on


def test_the_excellence_group_follows_the_labels(app, peers):
    holders = [p.organisation for p in peers[:5]]
    for organisation in holders:
        label = labelled_organisation(organisation.memberships[0].user, "gold")
        label.organisation_id = organisation.id
    db.session.commit()
    excellence = stats_for(peers[0], "excellence")
    assert excellence.n == 5 and excellence.shown
    from labelling.certificates import services as labels
    from labelling.certificates.models import Label

    label = db.session.scalar(select(Label).where(Label.organisation_id == holders[0].id))
    labels.change_label_status(label, "revoke", create_user("s@example.org"), "Dissolved")
    db.session.commit()
    assert stats_for(peers[0], "excellence").n == 4
    assert not stats_for(peers[0], "excellence").shown


def test_the_summary_is_kept_until_the_data_changes(peers):
    from labelling.benchmarking.models import PeerSummary

    first = stats_for(peers[0], "all").metrics["members"].distribution
    assert first.maximum == 120
    assert db.session.scalar(select(PeerSummary).where(PeerSummary.kind == "all")) is not None
    # A change behind the services' back is not seen: the stored summary answers ...
    db.session.execute(
        update(BenchmarkValue).where(BenchmarkValue.metric == "members").values(value=7)
    )
    assert stats_for(peers[0], "all").metrics["members"].distribution.maximum == 120
    # ... while a real submission moves the data version on, and the summary is rebuilt.
    submitted_application(peers[0].created_by, "bronze", answers(1000))
    found = stats_for(peers[0], "all").metrics["members"].distribution
    assert (found.n, found.maximum, found.median) == (9, 1000, 7)


def test_a_withdrawn_application_leaves_the_peers(peers):
    from labelling.assessments.workflow import Action

    application = peers[1]
    services.apply_transition(application, Action.WITHDRAW, application.created_by, "No time")
    db.session.commit()
    assert benchmarking.entry_of(application) is None
    assert stats_for(peers[0], "all").n == 7


def test_answers_sent_again_after_a_question_update_the_figures(app):
    application, people = application_with_team(State.IN_ASSESSMENT)
    framework = services.framework_of(application)
    assert benchmarking.own_values(benchmarking.entry_of(application))["turnover"] == (20.0, False)
    questions.raise_question(
        application, framework, people["assessor"], "2.1", "How is it counted?", date.today()
    )
    db.session.commit()
    turnover = next(a for a in application.answers if a.question_id == "turnover")
    turnover.value = 12
    questions.answer_information(
        application,
        people["applicant"],
        {request.id: "Leavers over staff." for request in application.open_requests},
    )
    db.session.commit()
    assert benchmarking.own_values(benchmarking.entry_of(application))["turnover"] == (12.0, False)


def gold_label_of(organisation):
    label = labelled_organisation(organisation.memberships[0].user, "gold")
    label.organisation_id = organisation.id
    return label


def test_a_report_reads_one_date_not_every_gold_holder_once_checked_today(app, peers):
    """Issue 27: the excellence group was brought up to date on every report by reading
    every Gold holder (tens of thousands at the design size). Now a label's change marks
    it for a check, and a check holds for the day."""
    from labelling.benchmarking.models import BenchmarkState

    gold_label_of(peers[0].organisation)
    db.session.commit()
    assert db.session.get(BenchmarkState, 1).gold_checked_on is None  # a label changed
    assert stats_for(peers[0], "excellence").n == 1
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(BenchmarkState, 1).gold_checked_on == date.today()
    with counted_statements() as statements:
        stats_for(peers[1], "all")
    assert not [s for s in statements if " label" in s.lower()], statements


def test_the_excellence_group_follows_an_expiry_on_the_next_day(app, peers):
    from labelling.benchmarking.models import BenchmarkState
    from labelling.certificates.models import Label

    for application in peers[:3]:
        gold_label_of(application.organisation)
    db.session.commit()
    assert stats_for(peers[0], "excellence").n == 3
    db.session.commit()
    # Yesterday one label's last day came; nothing was written since, but a day passed.
    yesterday = date.today() - timedelta(days=1)
    holder = peers[0].organisation_id
    db.session.execute(
        update(Label).where(Label.organisation_id == holder).values(valid_until=yesterday)
    )
    db.session.execute(update(BenchmarkState).values(gold_checked_on=yesterday))
    db.session.commit()
    assert stats_for(peers[1], "excellence").n == 2
