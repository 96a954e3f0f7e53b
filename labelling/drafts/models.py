"""A simulation of a draft's impact, kept per draft digest (the same file is simulated once,
a changed file again), and the public consultation on a draft."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from labelling.db import TimestampMixin, UTCDateTime, utcnow
from labelling.extensions import db


class DraftImpact(db.Model):
    __tablename__ = "draft_impact"
    __table_args__ = (
        UniqueConstraint("framework_id", "draft_version", "draft_digest"),
        CheckConstraint("state IN ('running', 'done', 'failed')", name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[str] = mapped_column(String(60), nullable=False)
    draft_version: Mapped[str] = mapped_column(String(20), nullable=False)
    draft_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    base_version: Mapped[str] = mapped_column(String(20), nullable=False)  # the one in force
    state: Mapped[str] = mapped_column(String(8), default="running", nullable=False)
    done: Mapped[int] = mapped_column(default=0, nullable=False)
    total: Mapped[int] = mapped_column(default=0, nullable=False)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[dict | None] = mapped_column(JSON)  # simulation.as_record(impact)


class Consultation(TimestampMixin, db.Model):
    """A draft open to public comment until `closes_on`; its report, once published, stays
    with the version for anyone to read."""

    __tablename__ = "consultation"
    __table_args__ = (UniqueConstraint("framework_id", "draft_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[str] = mapped_column(String(60), nullable=False)
    draft_version: Mapped[str] = mapped_column(String(20), nullable=False)
    base_version: Mapped[str] = mapped_column(String(20), nullable=False)
    closes_on: Mapped[date] = mapped_column(Date, nullable=False)  # the last day to comment
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    report_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def is_open(self, today: date) -> bool:
        return self.report_published_at is None and today <= self.closes_on


class ConsultationResponse(TimestampMixin, db.Model):
    """The secretariat's answer to one comment or a group of comments on one indicator (""
    for the draft as a whole), and what changed in the criteria because of them."""

    __tablename__ = "consultation_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), nullable=False, index=True
    )
    indicator_code: Mapped[str] = mapped_column(String(20), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    changed: Mapped[str] = mapped_column(Text, default="", nullable=False)  # "": nothing
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ConsultationComment(TimestampMixin, db.Model):
    """A comment on one indicator ("" for the draft as a whole), by a signed-in user or by
    someone who confirmed their e-mail address (it counts once confirmed)."""

    __tablename__ = "consultation_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), nullable=False, index=True
    )
    indicator_code: Mapped[str] = mapped_column(String(20), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_response.id", ondelete="SET NULL"), index=True
    )
