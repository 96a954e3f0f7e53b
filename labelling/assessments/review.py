"""What the reviewers' steps share: the errors they refuse with, the guards on who acts
and in which state, the audit line, and who may decide. Services flush and never commit."""

from __future__ import annotations

from sqlalchemy import select

from labelling.accounts.models import Role, User, UserRole
from labelling.assessments.models import Application
from labelling.assessments.workflow import Actor, State
from labelling.assessors.conflicts import Conflict
from labelling.core.audit import record_event
from labelling.extensions import db


class ReviewError(Exception):
    """A review step refused for a reason the page explains; `code` names the reason."""

    status = 409

    def __init__(self, code: str, detail: str = ""):
        self.code, self.detail = code, detail
        super().__init__(f"{code}: {detail}" if detail else code)


class NotAllowed(ReviewError):
    """The person does not stand to the application in a way that allows this."""

    status = 403


class AssignmentRefused(ReviewError):
    def __init__(self, reasons: tuple[str, ...], conflicts: tuple[Conflict, ...] = ()):
        self.reasons, self.conflicts = reasons, conflicts
        super().__init__("assignment_refused", ", ".join(reasons))


class StaleScore(ReviewError):
    """Someone saved this indicator since the page was loaded."""


class NothingToConfirm(ReviewError):
    """The assessor confirmed the applicant's value where the applicant gave none."""


def require_actor(application: Application, user: User, *actors: Actor) -> None:
    if not application.actors_for(user) & set(actors):
        raise NotAllowed("actor")


def require_state(application: Application, *states: State) -> None:
    if application.status not in states:
        raise ReviewError("state", application.status.value)


def audit_step(application: Application, action: str, actor: User, **data) -> None:
    comment = data.pop("comment", None)
    record_event(
        f"application.{action}",
        "application",
        application.id,
        actor=actor,
        comment=comment,
        data=data or None,
    )


def deciders_for(application: Application) -> list[User]:
    """Secretariat staff who may decide on this application (never its assessors)."""
    staff = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == Role.SECRETARIAT.value)
    ).unique()
    return [user for user in staff if Actor.SECRETARIAT in application.actors_for(user)]


# The states in which the assessors rate, ask the applicant and recommend.
SCORING_STATES = (State.IN_ASSESSMENT, State.MORE_INFORMATION)
