"""Assessor profiles, their accreditations (with dates) and declared conflicts of interest."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labelling.accounts.models import User
from labelling.db import TimestampMixin, UTCDateTime
from labelling.extensions import db
from labelling.organisations.models import Organisation


class AccreditationRole(StrEnum):
    """The framework's `assessors.role` of each level names one of these."""

    BENCHMARKING_EXPERT = "benchmarking_expert"  # runs Bronze benchmarking interviews
    AUDITOR = "auditor"  # audits Silver and Gold

    @property
    def label(self) -> str:
        return str(ACCREDITATION_ROLE_LABELS[self])


ACCREDITATION_ROLE_LABELS = {
    AccreditationRole.BENCHMARKING_EXPERT: _l("Benchmarking expert"),
    AccreditationRole.AUDITOR: _l("Auditor"),
}


class AccreditationStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"

    @property
    def label(self) -> str:
        return str(
            {
                AccreditationStatus.ACTIVE: _l("Active"),
                AccreditationStatus.SUSPENDED: _l("Suspended"),
                AccreditationStatus.EXPIRED: _l("Expired"),
                AccreditationStatus.NOT_YET_VALID: _l("Not yet valid"),
            }[self]
        )


class Relation(StrEnum):
    """How an assessor was tied to an organisation they declare."""

    WORKED_FOR = "worked_for"
    ADVISED = "advised"
    MEMBER = "member"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(
            {
                Relation.WORKED_FOR: _l("Worked for it"),
                Relation.ADVISED: _l("Advised it"),
                Relation.MEMBER: _l("Was a member of it"),
                Relation.OTHER: _l("Other tie"),
            }[self]
        )


class AssessorProfile(TimestampMixin, db.Model):
    """What the register knows of one assessor: where they work, in which languages and fields."""

    __tablename__ = "assessor_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    country_code: Mapped[str] = mapped_column(String(2), nullable=False, index=True)
    languages: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    technology_areas: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    notes: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship()
    accreditations: Mapped[list[Accreditation]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="Accreditation.issued_on"
    )
    conflicts: Mapped[list[ConflictDeclaration]] = relationship(
        back_populates="profile",
        cascade="all, delete-orphan",
        order_by="ConflictDeclaration.created_at",
    )

    def active_roles(self, on: date) -> set[str]:
        return {
            a.role for a in self.accreditations if a.status_on(on) == AccreditationStatus.ACTIVE
        }


class Accreditation(TimestampMixin, db.Model):
    __tablename__ = "accreditation"
    __table_args__ = (
        CheckConstraint("role IN ('benchmarking_expert', 'auditor')", name="role_known"),
        CheckConstraint("expires_on > issued_on", name="expires_after_issue"),
        CheckConstraint(
            "suspended_at IS NULL OR suspension_reason IS NOT NULL", name="suspension_has_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("assessor_profile.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    issued_on: Mapped[date] = mapped_column(nullable=False)
    expires_on: Mapped[date] = mapped_column(nullable=False)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    suspension_reason: Mapped[str | None] = mapped_column(Text)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    profile: Mapped[AssessorProfile] = relationship(back_populates="accreditations")

    @property
    def role_label(self) -> str:
        return AccreditationRole(self.role).label

    def status_on(self, on: date) -> AccreditationStatus:
        if self.suspended_at is not None:
            return AccreditationStatus.SUSPENDED
        if on < self.issued_on:
            return AccreditationStatus.NOT_YET_VALID
        if on > self.expires_on:
            return AccreditationStatus.EXPIRED
        return AccreditationStatus.ACTIVE


class ConflictDeclaration(TimestampMixin, db.Model):
    """An organisation the assessor worked for, advised or belonged to (until `ended_on`)."""

    __tablename__ = "conflict_declaration"
    __table_args__ = (
        CheckConstraint("relation IN ('worked_for', 'advised', 'member', 'other')", name="known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("assessor_profile.id", ondelete="CASCADE"), nullable=False, index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False, index=True
    )
    relation: Mapped[str] = mapped_column(String(16), nullable=False)
    ended_on: Mapped[date | None]  # None: the tie continues
    note: Mapped[str | None] = mapped_column(Text)

    profile: Mapped[AssessorProfile] = relationship(back_populates="conflicts")
    organisation: Mapped[Organisation] = relationship()

    @property
    def relation_label(self) -> str:
        return Relation(self.relation).label
