"""A reference case (an anonymised past application or an invented one, with the rating the
secretariat holds right for each indicator and why) and each assessor's practice on it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from labelling.db import TimestampMixin, UTCDateTime
from labelling.extensions import db


class CaseStatus(StrEnum):
    DRAFT = "draft"  # being prepared: assessors do not see it
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"  # no new practice; what was done stays on the profiles


class CalibrationCase(TimestampMixin, db.Model):
    """The case as assessors see it: answers with nothing that names the cluster, frozen to
    a framework version like an application. `references` maps an indicator code to
    {"verified_value", "status", "explanation"}: scored like an assessor's rating."""

    __tablename__ = "calibration_case"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'withdrawn')", name="status_known"),
        CheckConstraint("origin IN ('anonymised', 'invented')", name="origin_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    summary: Mapped[str] = mapped_column(Text, default="", nullable=False)
    origin: Mapped[str] = mapped_column(String(12), nullable=False)
    framework_id: Mapped[str] = mapped_column(String(60), nullable=False)
    framework_version: Mapped[str] = mapped_column(String(20), nullable=False)
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    body_id: Mapped[int | None] = mapped_column(
        ForeignKey("labelling_body.id", ondelete="SET NULL"), index=True
    )
    as_of: Mapped[date] = mapped_column(Date, nullable=False)  # the date answers count to
    answers: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    not_applicable: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    references: Mapped[dict] = mapped_column(
        "reference_ratings", JSON, default=dict, nullable=False
    )
    status: Mapped[str] = mapped_column(String(12), default=CaseStatus.DRAFT, nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Kept for the secretariat only, never shown to assessors: where an anonymised case came
    # from, so that nobody is asked to practise on an application they assessed themselves.
    source_application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="SET NULL")
    )


class CalibrationAttempt(TimestampMixin, db.Model):
    """One assessor's practice on one case: ratings as on the real scoring pages, then,
    once completed, how many outcomes matched the reference."""

    __tablename__ = "calibration_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_case.id", ondelete="CASCADE"), nullable=False, index=True
    )
    assessor_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    ratings: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    compared: Mapped[int | None]  # indicators with a reference outcome
    matched: Mapped[int | None]
