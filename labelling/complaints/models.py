"""A complaint about a labelled organisation: from anyone, once their e-mail is confirmed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labelling.accounts.models import User
from labelling.assessments.workflow import ComplaintState
from labelling.db import TimestampMixin, UTCDateTime
from labelling.extensions import db


class Complaint(TimestampMixin, db.Model):
    __tablename__ = "complaint"
    __table_args__ = (
        CheckConstraint(
            "state IN ('unconfirmed', 'received', 'under_review', 'closed')", name="state_known"
        ),
        CheckConstraint("state != 'closed' OR outcome IS NOT NULL", name="closed_has_outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    # The language the complaint was written in: the outcome is told in it (the
    # complainant has no account to hold a preference).
    language: Mapped[str | None] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(
        String(20), default=ComplaintState.UNCONFIRMED, nullable=False, index=True
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    row_version: Mapped[int] = mapped_column(default=1, nullable=False)

    handled_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": row_version}

    @property
    def status(self) -> ComplaintState:
        return ComplaintState(self.state)
