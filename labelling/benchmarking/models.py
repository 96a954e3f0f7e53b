"""Benchmark data: one entry per benchmarked application, its figures, and the snapshot of
the peer statistics taken when the application was decided."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labelling.db import TimestampMixin, UTCDateTime, utcnow
from labelling.extensions import db

# The peer-group attributes are copied onto every value row, so that each peer statistic
# is one walk along an index (group, metric, value) instead of a join over all answers.
GROUP_COLUMNS = ("technology_area", "country_code", "size_band", "holds_gold")


class BenchmarkEntry(TimestampMixin, db.Model):
    __tablename__ = "benchmark_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False, index=True
    )
    framework_id: Mapped[str] = mapped_column(String(60), nullable=False)
    framework_version: Mapped[str] = mapped_column(String(20), nullable=False)
    # The organisation's latest benchmarked application is its current entry; peers are
    # always current entries, so each organisation counts once.
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    is_final: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    year: Mapped[int] = mapped_column(nullable=False, index=True)
    technology_area: Mapped[str] = mapped_column(String(40), nullable=False)
    country_code: Mapped[str] = mapped_column(String(2), nullable=False)
    size_band: Mapped[str] = mapped_column(String(20), nullable=False)
    holds_gold: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )

    values: Mapped[list[BenchmarkValue]] = relationship(
        back_populates="entry", cascade="all, delete-orphan"
    )


class BenchmarkValue(db.Model):
    __tablename__ = "benchmark_value"
    __table_args__ = (
        Index("ix_benchmark_all", "framework_id", "is_current", "metric", "value"),
        Index(
            "ix_benchmark_area", "framework_id", "technology_area", "is_current", "metric", "value"
        ),
        Index(
            "ix_benchmark_country", "framework_id", "country_code", "is_current", "metric", "value"
        ),
        Index("ix_benchmark_size", "framework_id", "size_band", "is_current", "metric", "value"),
        Index("ix_benchmark_gold", "framework_id", "holds_gold", "is_current", "metric", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("benchmark_entry.id", ondelete="CASCADE"), nullable=False, index=True
    )
    organisation_id: Mapped[int] = mapped_column(nullable=False, index=True)
    metric: Mapped[str] = mapped_column(String(80), nullable=False)
    value: Mapped[float] = mapped_column(Float, nullable=False)
    is_verified: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    framework_id: Mapped[str] = mapped_column(String(60), nullable=False)
    is_current: Mapped[bool] = mapped_column(Boolean, nullable=False)
    technology_area: Mapped[str] = mapped_column(String(40), nullable=False)
    country_code: Mapped[str] = mapped_column(String(2), nullable=False)
    size_band: Mapped[str] = mapped_column(String(20), nullable=False)
    holds_gold: Mapped[bool] = mapped_column(Boolean, nullable=False)

    entry: Mapped[BenchmarkEntry] = relationship(back_populates="values")


class BenchmarkSnapshot(TimestampMixin, db.Model):
    """The peer statistics of every group as they were when the application was decided:
    its report reads these, so it says the same thing years later."""

    __tablename__ = "benchmark_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    data: Mapped[dict] = mapped_column(JSON, nullable=False)


class BenchmarkState(db.Model):
    """One row: a counter every change to the benchmark data moves on, so a cached peer
    summary knows whether it still describes the data."""

    __tablename__ = "benchmark_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    data_version: Mapped[int] = mapped_column(default=0, nullable=False)
    # The day the excellence group was last brought up to date with the Gold labels held;
    # a change to any label empties it (peers.follow_labels), so that the next report
    # checks again, and a new day makes it stale (an expiry, a label taking effect).
    gold_checked_on: Mapped[date | None] = mapped_column(Date)


class PeerSummary(db.Model):
    """The maintained summary of one peer group: per metric its count, minimum, quartiles
    and maximum, as of `data_version`. Reports read it and recompute it only when the
    data has changed since; the organisation's own rank is always counted live."""

    __tablename__ = "peer_summary"
    __table_args__ = (UniqueConstraint("framework_id", "kind", "group_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[str] = mapped_column(String(60), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    group_value: Mapped[str] = mapped_column(String(40), nullable=False)
    data_version: Mapped[int] = mapped_column(nullable=False)
    stats: Mapped[dict] = mapped_column(JSON, nullable=False)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class ReportFile(db.Model):
    """A benchmarking report's PDF as rendered for one version of what it shows: the file
    lives in the file storage (core.storage), this row says which report it is. A decided
    application's version is its snapshot, so its PDF is rendered once for good; before,
    the version moves with the benchmark data and the application."""

    __tablename__ = "benchmark_report_file"
    __table_args__ = (
        UniqueConstraint(
            "application_id",
            "kind",
            "language",
            "with_recommendation",
            "version",
            name="uq_benchmark_report_file_report",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # the peer group
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    # The assessors' recommendation is shown to the applicant only with the decision.
    with_recommendation: Mapped[bool] = mapped_column(Boolean, nullable=False)
    version: Mapped[str] = mapped_column(String(100), nullable=False)
    file_key: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
