"""Labelling applications, pinned to the criteria framework version they started on."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labelling.accounts.models import User
from labelling.assessments.workflow import Action, Actor, State, can
from labelling.db import TimestampMixin, UTCDateTime, utcnow
from labelling.extensions import db
from labelling.organisations.models import Organisation


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

    __mapper_args__ = {"version_id_col": row_version}

    @property
    def status(self) -> State:
        return State(self.state)

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    @property
    def framework_key(self) -> str:
        return f"{self.framework_id}@{self.framework_version}"

    def actors_for(self, user) -> set[Actor]:
        """How `user` stands to this application (assessor roles arrive with assignments)."""
        actors: set[Actor] = set()
        if user is None or not getattr(user, "is_authenticated", False):
            return actors
        if self.organisation.membership_of(user) is not None:
            actors.add(Actor.APPLICANT)
        if user.is_staff:
            actors.add(Actor.SECRETARIAT)
        return actors

    def can_view(self, user) -> bool:
        return bool(self.actors_for(user))

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
