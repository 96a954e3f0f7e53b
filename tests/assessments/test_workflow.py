"""The lifecycle table, checked over every state x actor x action."""

from __future__ import annotations

import itertools

import pytest

from labelling.assessments.workflow import (
    TRANSITIONS,
    Action,
    Actor,
    State,
    TransitionError,
    available_actions,
    can,
    check_transition,
)

A, S = Actor, State
# The expected table, written out independently of the implementation.
EXPECTED = {
    (Action.SUBMIT, S.DRAFT, A.APPLICANT): S.SUBMITTED,
    (Action.WITHDRAW, S.DRAFT, A.APPLICANT): S.WITHDRAWN,
    (Action.WITHDRAW, S.SUBMITTED, A.APPLICANT): S.WITHDRAWN,
    (Action.START_SCREENING, S.SUBMITTED, A.SECRETARIAT): S.SCREENING,
    (Action.RETURN_TO_APPLICANT, S.SCREENING, A.SECRETARIAT): S.DRAFT,
    (Action.START_ASSESSMENT, S.SCREENING, A.SECRETARIAT): S.IN_ASSESSMENT,
    (Action.REQUEST_INFORMATION, S.IN_ASSESSMENT, A.ASSESSOR): S.MORE_INFORMATION,
    (Action.REQUEST_INFORMATION, S.IN_ASSESSMENT, A.LEAD_ASSESSOR): S.MORE_INFORMATION,
    (Action.ANSWER_INFORMATION, S.MORE_INFORMATION, A.APPLICANT): S.IN_ASSESSMENT,
    (Action.COMPLETE_ASSESSMENT, S.IN_ASSESSMENT, A.LEAD_ASSESSOR): S.ASSESSED,
    (Action.SEND_BACK, S.ASSESSED, A.SECRETARIAT): S.IN_ASSESSMENT,
    (Action.AWARD, S.ASSESSED, A.SECRETARIAT): S.AWARDED,
    (Action.REFUSE, S.ASSESSED, A.SECRETARIAT): S.REFUSED,
    # Only as the effect of an overturned appeal, never offered on a page.
    (Action.REOPEN_ON_APPEAL, S.AWARDED, A.SECRETARIAT): S.ASSESSED,
    (Action.REOPEN_ON_APPEAL, S.REFUSED, A.SECRETARIAT): S.ASSESSED,
}


@pytest.mark.parametrize(
    ("action", "state", "actor"), list(itertools.product(Action, State, Actor))
)
def test_every_state_actor_action_combination(action, state, actor):
    expected = EXPECTED.get((action, state, actor))
    assert can(action, state, {actor}) == (expected is not None)
    if expected is not None:
        assert check_transition(action, state, {actor}, comment="why") == expected
        return
    with pytest.raises(TransitionError) as caught:
        check_transition(action, state, {actor}, comment="why")
    may_ever = actor in TRANSITIONS[action].actors
    assert caught.value.status == (409 if may_ever else 403)


def test_appeals_have_their_own_states_in_the_same_table():
    from labelling.assessments.workflow import AppealAction, AppealActor, AppealState

    panel, secretariat = {AppealActor.PANEL_MEMBER}, {AppealActor.SECRETARIAT}
    lodged, review = AppealState.LODGED, AppealState.UNDER_REVIEW
    assert check_transition(AppealAction.FORM_PANEL, lodged, secretariat) == review
    for decision, outcome in (
        (AppealAction.UPHOLD, AppealState.UPHELD),
        (AppealAction.OVERTURN, AppealState.OVERTURNED),
    ):
        assert check_transition(decision, review, panel, "reasons") == outcome
        with pytest.raises(TransitionError) as caught:
            check_transition(decision, review, secretariat, "reasons")
        assert caught.value.status == 403  # the secretariat never decides an appeal
        with pytest.raises(TransitionError):
            check_transition(decision, review, panel, "")  # reasons required
        with pytest.raises(TransitionError):
            check_transition(decision, lodged, panel, "reasons")  # no panel yet


def test_final_states_offer_nothing():
    for state in (S.AWARDED, S.REFUSED, S.WITHDRAWN):
        assert state.is_final
        assert available_actions(state, set(Actor)) == []


def test_an_assessor_never_decides():
    for action in (Action.AWARD, Action.REFUSE, Action.SEND_BACK):
        assert not can(action, S.ASSESSED, {A.ASSESSOR, A.LEAD_ASSESSOR})


@pytest.mark.parametrize(
    ("action", "state", "actor"),
    [
        (t.action, next(iter(t.sources)), next(iter(t.actors)))
        for t in TRANSITIONS.values()
        if t.needs_comment
    ],
)
def test_reasons_are_required_where_the_table_says(action, state, actor):
    with pytest.raises(TransitionError) as caught:
        check_transition(action, state, {actor}, comment="  ")
    assert (caught.value.status, caught.value.reason) == (409, "comment")


def test_available_actions_follow_the_table():
    assert available_actions(S.DRAFT, {A.APPLICANT}) == [Action.SUBMIT, Action.WITHDRAW]
    assert available_actions(S.ASSESSED, {A.SECRETARIAT}) == [
        Action.SEND_BACK,
        Action.AWARD,
        Action.REFUSE,
    ]
    assert S.MORE_INFORMATION.css_class == "state state-more-information-requested"


def test_complaints_have_their_own_states_in_the_same_table():
    from labelling.assessments.workflow import ComplaintAction, ComplaintActor, ComplaintState

    staff, anyone = {ComplaintActor.SECRETARIAT}, {ComplaintActor.COMPLAINANT}
    C = ComplaintState
    assert check_transition(ComplaintAction.CONFIRM, C.UNCONFIRMED, anyone) == C.RECEIVED
    assert check_transition(ComplaintAction.REVIEW, C.RECEIVED, staff) == C.UNDER_REVIEW
    for start in (C.RECEIVED, C.UNDER_REVIEW):
        assert check_transition(ComplaintAction.CLOSE, start, staff, "outcome") == C.CLOSED
    with pytest.raises(TransitionError):
        check_transition(ComplaintAction.REVIEW, C.UNCONFIRMED, staff)  # not confirmed yet
    with pytest.raises(TransitionError):
        check_transition(ComplaintAction.CLOSE, C.RECEIVED, staff, "")  # outcome required
    with pytest.raises(TransitionError) as caught:
        check_transition(ComplaintAction.CLOSE, C.RECEIVED, anyone, "outcome")
    assert caught.value.status == 403
