"""A simulation of a draft's impact, kept per draft digest: the same file is simulated once,
a changed file again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from labelling.db import UTCDateTime, utcnow
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
