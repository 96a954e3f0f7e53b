"""The application lifecycle: one transition table for every state, action and actor.

Pure data and functions (no Flask, no database). The service guard and the pages' `can_*`
predicates both read this table, so what a page offers and what the server allows agree.

    draft -> submitted -> screening -> in assessment <-> more information requested
          -> assessed -> awarded | refused;  withdrawn from draft or submitted;
    awarded | refused -> assessed again when an appeal overturns the decision.

Appeals have their own states in the same module (APPEAL_TRANSITIONS), checked by the same
function:  lodged -> under review (a panel is formed) -> upheld | overturned.
Complaints about a labelled organisation likewise (COMPLAINT_TRANSITIONS):
    unconfirmed -> received (the e-mail is confirmed) -> under review -> closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flask_babel import lazy_gettext as _l


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCREENING = "screening"
    IN_ASSESSMENT = "in_assessment"
    MORE_INFORMATION = "more_information_requested"
    ASSESSED = "assessed"
    AWARDED = "awarded"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self])

    @property
    def css_class(self) -> str:
        return f"state state-{self.value.replace('_', '-')}"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATES


STATE_LABELS = {
    State.DRAFT: _l("Draft"),
    State.SUBMITTED: _l("Submitted"),
    State.SCREENING: _l("Eligibility screening"),
    State.IN_ASSESSMENT: _l("In assessment"),
    State.MORE_INFORMATION: _l("More information requested"),
    State.ASSESSED: _l("Assessed, awaiting decision"),
    State.AWARDED: _l("Awarded"),
    State.REFUSED: _l("Refused"),
    State.WITHDRAWN: _l("Withdrawn"),
}
FINAL_STATES = frozenset({State.AWARDED, State.REFUSED, State.WITHDRAWN})


class Actor(StrEnum):
    """How a person stands to one application (not their global role)."""

    APPLICANT = "applicant"  # a team member of the applying organisation
    ASSESSOR = "assessor"  # an assessor assigned to this application
    LEAD_ASSESSOR = "lead_assessor"  # the assigned assessor who consolidates and recommends
    SECRETARIAT = "secretariat"  # secretariat staff who are not assessors of it


class Action(StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    START_SCREENING = "start_screening"
    RETURN_TO_APPLICANT = "return_to_applicant"
    START_ASSESSMENT = "start_assessment"
    REQUEST_INFORMATION = "request_information"
    ANSWER_INFORMATION = "answer_information"
    COMPLETE_ASSESSMENT = "complete_assessment"
    SEND_BACK = "send_back"
    AWARD = "award"
    REFUSE = "refuse"
    REOPEN_ON_APPEAL = "reopen_on_appeal"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[State]
    target: State
    actors: frozenset[Actor]
    needs_comment: bool = False  # a reason the audit log must carry
    offered: bool = True  # False: taken only as the effect of another process (an appeal)


def _t(action, sources, target, actors, needs_comment=False, offered=True) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(actors), needs_comment, offered)


S, A = State, Actor
TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        _t(Action.SUBMIT, {S.DRAFT}, S.SUBMITTED, {A.APPLICANT}),
        _t(Action.WITHDRAW, {S.DRAFT, S.SUBMITTED}, S.WITHDRAWN, {A.APPLICANT}),
        _t(Action.START_SCREENING, {S.SUBMITTED}, S.SCREENING, {A.SECRETARIAT}),
        _t(Action.RETURN_TO_APPLICANT, {S.SCREENING}, S.DRAFT, {A.SECRETARIAT}, True),
        _t(Action.START_ASSESSMENT, {S.SCREENING}, S.IN_ASSESSMENT, {A.SECRETARIAT}),
        _t(
            Action.REQUEST_INFORMATION,
            {S.IN_ASSESSMENT},
            S.MORE_INFORMATION,
            {A.ASSESSOR, A.LEAD_ASSESSOR},
            True,
        ),
        _t(Action.ANSWER_INFORMATION, {S.MORE_INFORMATION}, S.IN_ASSESSMENT, {A.APPLICANT}),
        _t(Action.COMPLETE_ASSESSMENT, {S.IN_ASSESSMENT}, S.ASSESSED, {A.LEAD_ASSESSOR}),
        _t(Action.SEND_BACK, {S.ASSESSED}, S.IN_ASSESSMENT, {A.SECRETARIAT}, True),
        # Four eyes: only secretariat staff who are not assessors of the application decide.
        _t(Action.AWARD, {S.ASSESSED}, S.AWARDED, {A.SECRETARIAT}),
        _t(Action.REFUSE, {S.ASSESSED}, S.REFUSED, {A.SECRETARIAT}, True),
        # An appeal panel overturned the decision: it is taken again.
        _t(
            Action.REOPEN_ON_APPEAL,
            {S.AWARDED, S.REFUSED},
            S.ASSESSED,
            {A.SECRETARIAT},
            needs_comment=True,
            offered=False,
        ),
    )
}


class AppealState(StrEnum):
    LODGED = "lodged"
    UNDER_REVIEW = "under_review"
    UPHELD = "upheld"  # the decision stands
    OVERTURNED = "overturned"

    @property
    def label(self) -> str:
        return str(APPEAL_STATE_LABELS[self])

    @property
    def css_class(self) -> str:
        return f"state appeal-{self.value.replace('_', '-')}"

    @property
    def is_open(self) -> bool:
        return self in (AppealState.LODGED, AppealState.UNDER_REVIEW)


APPEAL_STATE_LABELS = {
    AppealState.LODGED: _l("Appeal lodged"),
    AppealState.UNDER_REVIEW: _l("Under review by the appeal panel"),
    AppealState.UPHELD: _l("Appeal rejected: the decision stands"),
    AppealState.OVERTURNED: _l("Appeal upheld: the decision is overturned"),
}


class AppealActor(StrEnum):
    SECRETARIAT = "secretariat"  # forms the panel
    PANEL_MEMBER = "panel_member"  # decides, with reasons


class AppealAction(StrEnum):
    FORM_PANEL = "form_panel"
    UPHOLD = "uphold"
    OVERTURN = "overturn"


AS, AA = AppealState, AppealActor
APPEAL_TRANSITIONS = {
    t.action: t
    for t in (
        _t(AppealAction.FORM_PANEL, {AS.LODGED}, AS.UNDER_REVIEW, {AA.SECRETARIAT}),
        _t(AppealAction.UPHOLD, {AS.UNDER_REVIEW}, AS.UPHELD, {AA.PANEL_MEMBER}, True),
        _t(AppealAction.OVERTURN, {AS.UNDER_REVIEW}, AS.OVERTURNED, {AA.PANEL_MEMBER}, True),
    )
}


class ComplaintState(StrEnum):
    UNCONFIRMED = "unconfirmed"  # never shown to staff
    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str(COMPLAINT_STATE_LABELS[self])

    @property
    def css_class(self) -> str:
        return f"state complaint-{self.value.replace('_', '-')}"


COMPLAINT_STATE_LABELS = {
    ComplaintState.UNCONFIRMED: _l("Waiting for the e-mail address to be confirmed"),
    ComplaintState.RECEIVED: _l("Received"),
    ComplaintState.UNDER_REVIEW: _l("Under review"),
    ComplaintState.CLOSED: _l("Closed"),
}


class ComplaintActor(StrEnum):
    COMPLAINANT = "complainant"  # holds the confirmation link
    SECRETARIAT = "secretariat"


class ComplaintAction(StrEnum):
    CONFIRM = "confirm_complaint"
    REVIEW = "review_complaint"
    CLOSE = "close_complaint"


CS, CA = ComplaintState, ComplaintActor
COMPLAINT_TRANSITIONS = {
    t.action: t
    for t in (
        _t(ComplaintAction.CONFIRM, {CS.UNCONFIRMED}, CS.RECEIVED, {CA.COMPLAINANT}),
        _t(ComplaintAction.REVIEW, {CS.RECEIVED}, CS.UNDER_REVIEW, {CA.SECRETARIAT}),
        _t(
            ComplaintAction.CLOSE,
            {CS.RECEIVED, CS.UNDER_REVIEW},
            CS.CLOSED,
            {CA.SECRETARIAT},
            needs_comment=True,
        ),
    )
}
ALL_TRANSITIONS = {**TRANSITIONS, **APPEAL_TRANSITIONS, **COMPLAINT_TRANSITIONS}


class TransitionError(Exception):
    """The action is not allowed. `status` is the HTTP answer: 403 (who) or 409 (state)."""

    def __init__(self, action: Action, state: State, status: int, reason: str):
        self.action, self.state, self.status, self.reason = action, state, status, reason
        super().__init__(f"{action} from {state}: {reason}")


def check_transition(
    action: Action, state: State, actors: set[Actor] | frozenset[Actor], comment: str = ""
) -> State:
    """The target state if `actors` may take `action` from `state`; raises TransitionError.

    The actor check comes first: someone who may never take the action gets 403 whatever
    the state, so a 409 never reveals the state of an application to an outsider.
    """
    transition = ALL_TRANSITIONS[action]
    if not transition.actors & set(actors):
        raise TransitionError(action, state, 403, "actor")
    if state not in transition.sources:
        raise TransitionError(action, state, 409, "state")
    if transition.needs_comment and not comment.strip():
        raise TransitionError(action, state, 409, "comment")
    return transition.target


def can(action: Action, state: State, actors: set[Actor] | frozenset[Actor]) -> bool:
    transition = TRANSITIONS[action]
    return state in transition.sources and bool(transition.actors & set(actors))


def available_actions(state: State, actors: set[Actor] | frozenset[Actor]) -> list[Action]:
    """The actions these actors may take now, in table order (what a page should offer)."""
    return [
        action
        for action, transition in TRANSITIONS.items()
        if transition.offered and can(action, state, actors)
    ]
