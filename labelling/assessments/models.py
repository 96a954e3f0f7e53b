"""Labelling applications, pinned to the criteria framework version they started on."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    select,
    text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from labelling.accounts.models import User
from labelling.assessments.workflow import Action, Actor, State, can
from labelling.bodies.services import acts_for
from labelling.criteria.scoring import Rating, Status
from labelling.db import TimestampMixin, UTCDateTime, utcnow
from labelling.extensions import db
from labelling.organisations.models import Membership, Organisation


class Kind(StrEnum):
    NEW = "new"
    RENEWAL = "renewal"

    @property
    def label(self) -> str:
        return str({Kind.NEW: _l("First label"), Kind.RENEWAL: _l("Renewal")}[self])


class Application(TimestampMixin, db.Model):
    __tablename__ = "application"
    __table_args__ = (
        CheckConstraint("level IN ('bronze', 'silver', 'gold')", name="level_known"),
        CheckConstraint("kind IN ('new', 'renewal')", name="kind_known"),
        # One draft per organisation and level: a double click starts one application.
        Index(
            "uq_application_one_draft_per_level",
            "organisation_id",
            "level",
            unique=True,
            sqlite_where=text("state = 'draft'"),
            postgresql_where=text("state = 'draft'"),
        ),
        # A decided application always says who decided, when, and (if awarded) what.
        CheckConstraint(
            "state NOT IN ('awarded', 'refused') "
            "OR (decided_at IS NOT NULL AND decided_by_id IS NOT NULL)",
            name="decided_has_decider",
        ),
        CheckConstraint(
            "state != 'awarded' OR (awarded_level IS NOT NULL AND assessment_date IS NOT NULL)",
            name="awarded_has_level",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), default=Kind.NEW, nullable=False)
    # The framework version is frozen at creation: later versions never change this application.
    framework_id: Mapped[str] = mapped_column(String(60), nullable=False)
    framework_version: Mapped[str] = mapped_column(String(20), nullable=False)
    framework_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    # The labelling body that handles it (routed at the start); none: the European body.
    body_id: Mapped[int | None] = mapped_column(
        ForeignKey("labelling_body.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(String(32), default=State.DRAFT, nullable=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )
    # The manager's declaration at submission, and a fingerprint of exactly what was submitted.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    attested_name: Mapped[str | None] = mapped_column(String(200))
    attested_role: Mapped[str | None] = mapped_column(String(200))
    answers_sha256: Mapped[str | None] = mapped_column(String(64))
    # Questions re-opened to the applicant while more information is requested.
    reopened_questions: Mapped[list | None] = mapped_column(JSON)
    # Optimistic locking: two tabs or a double click cannot both move the state.
    row_version: Mapped[int] = mapped_column(default=1, nullable=False)
    # Screening by the secretariat.
    eligibility_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    eligibility_confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    # The decision (four eyes: never by an assessor of this application).
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    awarded_level: Mapped[str | None] = mapped_column(String(16))
    assessment_date: Mapped[date | None]  # the interview or audit; label validity counts from it
    decision_reason: Mapped[str | None] = mapped_column(Text)
    # The head of the audit chain right after the decision was recorded (core.audit).
    decision_audit_head: Mapped[str | None] = mapped_column(String(64))

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan")
    not_applicable: Mapped[list[NotApplicableClaim]] = relationship(
        cascade="all, delete-orphan", order_by="NotApplicableClaim.indicator_code"
    )
    improvement_areas: Mapped[list[ImprovementArea]] = relationship(
        cascade="all, delete-orphan", order_by="ImprovementArea.position"
    )
    evidence: Mapped[list[Evidence]] = relationship(
        cascade="all, delete-orphan", order_by="Evidence.id"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Assignment.id"
    )
    information_requests: Mapped[list[InformationRequest]] = relationship(
        cascade="all, delete-orphan", order_by="InformationRequest.id"
    )
    recommendation: Mapped[Recommendation | None] = relationship(cascade="all, delete-orphan")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": row_version}

    @property
    def status(self) -> State:
        return State(self.state)

    @property
    def stage_label(self) -> str:
        """The state as an assessor reads it: once the secretariat confirmed the
        eligibility, the screening is over even before the assessment starts (the list
        said "Eligibility screening" then, issue 28)."""
        if self.status == State.SCREENING and self.eligibility_confirmed_at is not None:
            return str(_l("Eligibility confirmed"))
        return str(self.status.label)

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    @property
    def framework_key(self) -> str:
        return f"{self.framework_id}@{self.framework_version}"

    def assignment_of(self, user) -> Assignment | None:
        user_id = getattr(user, "id", None)
        return next((a for a in self.assignments if a.assessor_id == user_id), None)

    @property
    def active_assignments(self) -> list[Assignment]:
        """Assessors on the application: proposed or accepted, not declined or removed."""
        return [a for a in self.assignments if a.is_active]

    @property
    def accepted_assignments(self) -> list[Assignment]:
        return [a for a in self.assignments if a.status == AssignmentStatus.ACCEPTED]

    @property
    def lead_assignment(self) -> Assignment | None:
        return next((a for a in self.active_assignments if a.is_lead), None)

    def actors_for(self, user) -> set[Actor]:
        """How `user` stands to this application: team, accepted assessor, or secretariat.

        Four eyes: secretariat staff who are (or were asked to be) assessors of this
        application do not act as its secretariat.
        """
        actors: set[Actor] = set()
        if user is None or not getattr(user, "is_authenticated", False):
            return actors
        if self._is_member(user):
            actors.add(Actor.APPLICANT)
        assignment = self.assignment_of(user)
        if assignment is not None and assignment.status == AssignmentStatus.ACCEPTED:
            actors.add(Actor.ASSESSOR)
            if assignment.is_lead:
                actors.add(Actor.LEAD_ASSESSOR)
        involved = assignment is not None and assignment.status != AssignmentStatus.DECLINED
        if user.is_staff and not involved and acts_for(user, self.body_id):
            actors.add(Actor.SECRETARIAT)
        return actors

    def _is_member(self, user) -> bool:
        """Whether `user` is on the organisation's team: from the team if it is loaded
        already, else by one lookup (not two: the organisation, then its whole team)."""
        organisation = self.__dict__.get("organisation")
        if organisation is not None and "memberships" in organisation.__dict__:
            return organisation.membership_of(user) is not None
        return (
            db.session.scalar(
                select(Membership.id).where(
                    Membership.organisation_id == self.organisation_id,
                    Membership.user_id == user.id,
                )
            )
            is not None
        )

    def can_view(self, user) -> bool:
        """The team, the secretariat and accepted assessors. An assessor who was only asked
        sees the organisation's facts on the assignment page, and the answers and evidence
        only after declaring that there is no conflict of interest."""
        return bool(self.actors_for(user))

    @property
    def is_decided(self) -> bool:
        return self.status in (State.AWARDED, State.REFUSED)

    def can_view_report(self, user) -> bool:
        """Assessors and secretariat always; the applicant once the decision is made."""
        return self.report_shown_to(self.actors_for(user))

    def report_shown_to(self, actors: set[Actor]) -> bool:
        """can_view_report for actors already worked out (a page that also needed them)."""
        if actors & {Actor.ASSESSOR, Actor.SECRETARIAT}:
            return True
        return Actor.APPLICANT in actors and self.is_decided

    @property
    def open_requests(self) -> list[InformationRequest]:
        return [r for r in self.information_requests if r.replied_at is None]

    def can_edit_answers(self, user) -> bool:
        """Only the applicant's team, and only while the application is a draft."""
        return self.status == State.DRAFT and Actor.APPLICANT in self.actors_for(user)

    def editable_questions(self, user) -> set[str] | None:
        """Which answers `user` may change now: None for all (a draft), else the re-opened
        ones while more information is requested (empty when nothing is open)."""
        if Actor.APPLICANT not in self.actors_for(user):
            return set()
        if self.status == State.DRAFT:
            return None
        if self.status == State.MORE_INFORMATION:
            return set(self.reopened_questions or [])
        return set()

    def can_edit_question(self, user, question_id: str) -> bool:
        editable = self.editable_questions(user)
        return editable is None or question_id in editable

    def answer_values(self) -> dict[str, Any]:
        return {answer.question_id: answer.value for answer in self.answers}

    def not_applicable_claims(self) -> dict[str, str]:
        return {claim.indicator_code: claim.justification for claim in self.not_applicable}

    def can(self, action: Action, user) -> bool:
        return can(action, self.status, self.actors_for(user))


class Answer(db.Model):
    """One answer to one questionnaire question; the value is stored as JSON-friendly data."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("application_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), nullable=False
    )
    question_id: Mapped[str] = mapped_column(String(80), nullable=False)
    value: Mapped[Any] = mapped_column(JSON)
    # Taken from the organisation's previous application for a renewal, not yet confirmed.
    is_carried_over: Mapped[bool] = mapped_column(
        default=False, server_default=false(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class Evidence(TimestampMixin, db.Model):
    """A document or a link that supports an answer."""

    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint(
            "(stored_name IS NOT NULL AND url IS NULL) "
            "OR (stored_name IS NULL AND url IS NOT NULL)",
            name="file_or_link",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), nullable=False, index=True
    )
    question_id: Mapped[str] = mapped_column(String(80), nullable=False)
    description: Mapped[str | None] = mapped_column(String(300))
    stored_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    filename: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(120))
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(String(500))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    uploaded_by: Mapped[User | None] = relationship()

    @property
    def is_link(self) -> bool:
        return self.url is not None


class NotApplicableClaim(TimestampMixin, db.Model):
    """The manager's claim that an indicator does not apply, with the required justification."""

    __tablename__ = "not_applicable_claim"
    __table_args__ = (UniqueConstraint("application_id", "indicator_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), nullable=False
    )
    indicator_code: Mapped[str] = mapped_column(String(20), nullable=False)
    justification: Mapped[str] = mapped_column(Text, nullable=False)


class ImprovementArea(TimestampMixin, db.Model):
    """One of the improvement areas a Silver applicant documents (the framework says how many)."""

    __tablename__ = "improvement_area"
    __table_args__ = (UniqueConstraint("application_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), nullable=False
    )
    position: Mapped[int] = mapped_column(nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    indicator_codes: Mapped[list] = mapped_column(JSON, nullable=False)
    improvement: Mapped[str] = mapped_column(Text, nullable=False)
    effect: Mapped[str] = mapped_column(Text, nullable=False)
    # The auditor's check of the documented improvement (None: not checked yet).
    is_validated: Mapped[bool | None]
    validation_note: Mapped[str | None] = mapped_column(Text)


class AssignmentStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REMOVED = "removed"

    @property
    def label(self) -> str:
        return str(
            {
                AssignmentStatus.PROPOSED: _l("Awaiting answer"),
                AssignmentStatus.ACCEPTED: _l("Accepted"),
                AssignmentStatus.DECLINED: _l("Declined"),
                AssignmentStatus.REMOVED: _l("Removed"),
            }[self]
        )


class Assignment(TimestampMixin, db.Model):
    """An assessor asked to assess one application; accepted with a no-conflict declaration."""

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("application_id", "assessor_id"),
        CheckConstraint(
            "status IN ('proposed', 'accepted', 'declined', 'removed')", name="status_known"
        ),
        CheckConstraint(
            "status != 'accepted' OR no_conflict_declared_at IS NOT NULL",
            name="accepted_declares_no_conflict",
        ),
        CheckConstraint(
            "status != 'declined' OR decline_reason IS NOT NULL", name="decline_has_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), nullable=False, index=True
    )
    assessor_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    is_lead: Mapped[bool] = mapped_column(default=False, nullable=False)
    status: Mapped[str] = mapped_column(
        String(16), default=AssignmentStatus.PROPOSED, nullable=False
    )
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str | None] = mapped_column(Text)
    no_conflict_declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_on: Mapped[date | None]  # when the scoring should be finished
    # Optimistic lock, as the application's: of two simultaneous answers (a double click on
    # "Accept"), the second finds the row changed (StaleDataError, answered 409).
    row_version: Mapped[int] = mapped_column(default=1, server_default="1", nullable=False)

    application: Mapped[Application] = relationship(back_populates="assignments")
    assessor: Mapped[User] = relationship(foreign_keys=[assessor_id])

    __mapper_args__ = {"version_id_col": row_version}

    @property
    def status_enum(self) -> AssignmentStatus:
        return AssignmentStatus(self.status)

    @property
    def is_active(self) -> bool:
        return self.status in (AssignmentStatus.PROPOSED, AssignmentStatus.ACCEPTED)


class RatingMixin:
    """What an assessor records on one indicator; everything optional but the indicator."""

    indicator_code: Mapped[str] = mapped_column(String(20), nullable=False)
    verified_value: Mapped[Any] = mapped_column(JSON)  # a number, or the rubric band
    status: Mapped[str | None] = mapped_column(String(16))  # None: as the threshold says
    comment: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )
    row_version: Mapped[int] = mapped_column(default=1, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        # Optimistic locking: a save from a stale page never overwrites a newer one.
        return {"version_id_col": cls.__table__.c.row_version}

    def as_rating(self) -> Rating:
        return Rating(
            verified_value=self.verified_value,
            status=Status(self.status) if self.status else None,
            comment=self.comment or "",
        )


class IndicatorScore(RatingMixin, db.Model):
    """One assessor's own rating of one indicator: each assessor scores independently."""

    __tablename__ = "indicator_score"
    __table_args__ = (
        UniqueConstraint("application_id", "assessor_id", "indicator_code"),
        CheckConstraint(
            "status IS NULL OR status IN ('met', 'not_met', 'not_applicable')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), nullable=False, index=True
    )
    assessor_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT"), nullable=False
    )


class ConsolidatedScore(RatingMixin, db.Model):
    """The lead assessor's consolidated rating where two assessors scored (Gold)."""

    __tablename__ = "consolidated_score"
    __table_args__ = (
        UniqueConstraint("application_id", "indicator_code"),
        CheckConstraint(
            "status IS NULL OR status IN ('met', 'not_met', 'not_applicable')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), nullable=False, index=True
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class InformationRequest(TimestampMixin, db.Model):
    """An assessor's question on one indicator; re-opens the answers behind it until replied."""

    __tablename__ = "information_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), nullable=False, index=True
    )
    indicator_code: Mapped[str] = mapped_column(String(20), nullable=False)
    question_ids: Mapped[list] = mapped_column(JSON, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    due_on: Mapped[date] = mapped_column(nullable=False)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    asked_by: Mapped[User | None] = relationship(foreign_keys=[asked_by_id])


class Recommendation(TimestampMixin, db.Model):
    """The lead assessor's recommended level (None: no label) with strengths and gaps."""

    __tablename__ = "recommendation"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    level: Mapped[str | None] = mapped_column(String(16))
    strengths: Mapped[str] = mapped_column(Text, nullable=False)
    improvements: Mapped[str] = mapped_column(Text, nullable=False)
    assessment_date: Mapped[date] = mapped_column(nullable=False)
    recommended_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )

    recommended_by: Mapped[User | None] = relationship()
