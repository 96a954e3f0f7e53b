"""What agreement is measured on: for every indicator of every decided application that
two assessors scored, each one's own outcome (as they submitted it, before consolidation)
beside the consolidated one. Written once when the application is decided, so that the
figures are SQL aggregates of small integers, never a re-scoring of rating rows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from labelling.db import UTCDateTime, utcnow
from labelling.extensions import db


class PairedRating(db.Model):
    """One indicator of one decided application with two assessors.

    `metric` says how outcomes compare: "ordinal" for rubric bands (the value is the band),
    "nominal" for verdicts against a threshold (outcomes.VERDICTS). A value is None where
    that assessor reached no outcome (nothing rated and nothing answered), or, for a band,
    judged the indicator not applicable."""

    __tablename__ = "paired_rating"
    __table_args__ = (
        UniqueConstraint("application_id", "indicator_code"),
        CheckConstraint("metric IN ('ordinal', 'nominal')", name="metric_known"),
        Index("ix_paired_rating_version", "framework_id", "framework_version", "indicator_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), nullable=False
    )
    framework_id: Mapped[str] = mapped_column(String(60), nullable=False)
    framework_version: Mapped[str] = mapped_column(String(20), nullable=False)
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    body_id: Mapped[int | None] = mapped_column(
        ForeignKey("labelling_body.id", ondelete="SET NULL")
    )
    decided_on: Mapped[date] = mapped_column(Date, nullable=False)
    indicator_code: Mapped[str] = mapped_column(String(20), nullable=False)
    metric: Mapped[str] = mapped_column(String(8), nullable=False)
    # The lead assessor is first, the second assessor second.
    first_assessor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    second_assessor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    first_value: Mapped[int | None]
    second_value: Mapped[int | None]
    consolidated_value: Mapped[int | None]


class AgreementSummary(db.Model):
    """The figures of one group (a framework version, a level or all, a body or all), kept
    so that a page reads them instead of bootstrapping thousands of pairs. `stamp` says
    which pairs they were computed from: when the pairs of the group change, the figures
    are stale and a job computes them again."""

    __tablename__ = "agreement_summary"
    __table_args__ = (UniqueConstraint("framework_id", "framework_version", "level", "body_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[str] = mapped_column(String(60), nullable=False)
    framework_version: Mapped[str] = mapped_column(String(20), nullable=False)
    level: Mapped[str] = mapped_column(String(16), nullable=False)  # "" for every level
    body_key: Mapped[int] = mapped_column(nullable=False)  # 0 for every body
    stamp: Mapped[str] = mapped_column(String(60), nullable=False)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    applications: Mapped[int] = mapped_column(nullable=False)
    # [{code, metric, pairs, exact, alpha, low, high}] in the framework's order
    figures: Mapped[list] = mapped_column(JSON, nullable=False)


class AgreementVersion(db.Model):
    """What the pages need to know of a framework version's pairs without reading them:
    a generation moved on by every change of its pairs (the stamp of its kept figures), how
    many pairs it holds, and which levels and bodies they come from (the page's choices)."""

    __tablename__ = "agreement_version"
    __table_args__ = (UniqueConstraint("framework_id", "framework_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[str] = mapped_column(String(60), nullable=False)
    framework_version: Mapped[str] = mapped_column(String(20), nullable=False)
    generation: Mapped[int] = mapped_column(default=0, nullable=False)
    pairs: Mapped[int] = mapped_column(default=0, nullable=False)
    levels: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    bodies: Mapped[list] = mapped_column(JSON, default=list, nullable=False)  # ids; None: none
