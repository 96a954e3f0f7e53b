"""An appeal against a decision of the labelling body, and the panel that decides it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labelling.accounts.models import User
from labelling.assessments.workflow import AppealActor, AppealState
from labelling.bodies.services import acts_for
from labelling.db import TimestampMixin, UTCDateTime
from labelling.extensions import db


class AppealSubject(StrEnum):
    """What is appealed: the decision on an application, or a change of a label's status."""

    REFUSAL = "refusal"
    LOWER_LEVEL = "lower_level"  # awarded below the level applied for
    SUSPENSION = "suspension"
    REVOCATION = "revocation"

    @property
    def label(self) -> str:
        return str(
            {
                AppealSubject.REFUSAL: _l("the refusal of the label"),
                AppealSubject.LOWER_LEVEL: _l("a level lower than applied for"),
                AppealSubject.SUSPENSION: _l("the suspension of the label"),
                AppealSubject.REVOCATION: _l("the revocation of the label"),
            }[self]
        )

    @property
    def is_about_a_label(self) -> bool:
        return self in (AppealSubject.SUSPENSION, AppealSubject.REVOCATION)


class Appeal(TimestampMixin, db.Model):
    __tablename__ = "appeal"
    __table_args__ = (
        # One appeal per decision: the key names the decision and its moment.
        UniqueConstraint("decision_key", name="one_appeal_per_decision"),
        CheckConstraint(
            "subject IN ('refusal', 'lower_level', 'suspension', 'revocation')",
            name="subject_known",
        ),
        CheckConstraint(
            "state IN ('lodged', 'under_review', 'upheld', 'overturned')", name="state_known"
        ),
        CheckConstraint(
            "state IN ('lodged', 'under_review') OR (outcome_reason IS NOT NULL "
            "AND decided_by_id IS NOT NULL AND decided_at IS NOT NULL)",
            name="decided_has_reasons",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False, index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    label_id: Mapped[int | None] = mapped_column(
        ForeignKey("label.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(20), nullable=False)
    decision_key: Mapped[str] = mapped_column(String(120), nullable=False)
    decision_made_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    state: Mapped[str] = mapped_column(String(20), default=AppealState.LODGED, nullable=False)
    grounds: Mapped[str] = mapped_column(Text, nullable=False)
    document_stored_name: Mapped[str | None] = mapped_column(String(64))
    document_filename: Mapped[str | None] = mapped_column(String(200))
    document_content_type: Mapped[str | None] = mapped_column(String(120))
    lodged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    lodged_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    due_on: Mapped[date] = mapped_column(nullable=False)
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    row_version: Mapped[int] = mapped_column(default=1, nullable=False)

    panel: Mapped[list[AppealPanelMember]] = relationship(
        back_populates="appeal", cascade="all, delete-orphan", order_by="AppealPanelMember.id"
    )
    lodged_by: Mapped[User | None] = relationship(foreign_keys=[lodged_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": row_version}

    @property
    def status(self) -> AppealState:
        return AppealState(self.state)

    @property
    def subject_kind(self) -> AppealSubject:
        return AppealSubject(self.subject)

    @property
    def panel_users(self) -> list[User]:
        return [member.user for member in self.panel]

    def actors_for(self, user) -> set[AppealActor]:
        """Staff form the panel; its members decide (and are not staff for it then)."""
        if user is None or not getattr(user, "is_authenticated", False):
            return set()
        if any(member.user_id == user.id for member in self.panel):
            return {AppealActor.PANEL_MEMBER}
        if user.is_staff and acts_for(user, self.body_id()):
            return {AppealActor.SECRETARIAT}
        return set()

    def body_id(self) -> int | None:
        """The labelling body of the decision appealed (its application's)."""
        from labelling.assessments.models import Application
        from labelling.certificates.models import Label

        if self.application_id is not None:
            return db.session.get(Application, self.application_id).body_id
        label = db.session.get(Label, self.label_id)
        return label.application.body_id if label is not None else None

    def can_view(self, user) -> bool:
        """The organisation's team, the staff and the panel."""
        if self.actors_for(user):
            return True
        from labelling.organisations.models import Organisation

        organisation = db.session.get(Organisation, self.organisation_id)
        return organisation is not None and organisation.membership_of(user) is not None


class AppealPanelMember(db.Model):
    __tablename__ = "appeal_panel_member"
    __table_args__ = (UniqueConstraint("appeal_id", "user_id", name="once_per_panel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(
        ForeignKey("appeal.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT"), nullable=False, index=True
    )

    appeal: Mapped[Appeal] = relationship(back_populates="panel")
    user: Mapped[User] = relationship()
