"""Twinning data: each organisation's profile (opt-in), its strong and weak indicators
from its latest decided benchmarking, the index matching reads, and partnerships with
their plans."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labelling.accounts.models import User
from labelling.db import TimestampMixin, UTCDateTime, utcnow
from labelling.extensions import db
from labelling.organisations.models import Organisation
from labelling.twinning.rules import CountryChoice, PartnershipState

# What matching reads of each candidate: covered by one index on PostgreSQL, so ranking
# the opted-in organisations of a framework is one walk along it.
MATCH_COLUMNS = (
    "organisation_id",
    "wants_mask",
    "offers_mask",
    "language_mask",
    "country_code",
    "technology_area",
    "country_choice",
    "same_area_only",
)


class TwinningProfile(TimestampMixin, db.Model):
    """An organisation's twinning settings. Off by default; `is_active` is the switch.

    The matching vectors: `wants_mask` and `offers_mask` hold the wanted and offered
    indicators as bits (rules.indicator_bits), `language_mask` the working languages; the
    organisation's country and technology area are copied here at every save and every
    decided benchmarking (the final ranking reads the live ones)."""

    __tablename__ = "twinning_profile"
    __table_args__ = (
        CheckConstraint("capacity BETWEEN 1 AND 10", name="capacity_range"),
        Index(
            "ix_twinning_profile_match",
            "framework_id",
            "is_active",
            postgresql_include=list(MATCH_COLUMNS),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # The framework of the benchmarking the marks come from: indicator codes are its own.
    framework_id: Mapped[str | None] = mapped_column(String(60))
    framework_version: Mapped[str | None] = mapped_column(String(20))
    wants: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    offers: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    wants_mask: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    offers_mask: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    language_mask: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    country_code: Mapped[str] = mapped_column(String(2), default="", nullable=False)
    technology_area: Mapped[str] = mapped_column(String(40), default="", nullable=False)
    country_choice: Mapped[str] = mapped_column(
        String(20), default=CountryChoice.PREFER_ABROAD.value, nullable=False
    )
    same_area_only: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    capacity: Mapped[int] = mapped_column(default=2, nullable=False)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Moves on with every change: suggestions kept for the organisation are then stale.
    version: Mapped[int] = mapped_column(default=1, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )

    organisation: Mapped[Organisation] = relationship()
    contact: Mapped[User | None] = relationship()


class TwinningMark(db.Model):
    """One strong or weak indicator of an organisation, from its latest decided
    benchmarking (replaced at each decision)."""

    __tablename__ = "twinning_mark"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False, index=True
    )
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), nullable=False
    )
    framework_id: Mapped[str] = mapped_column(String(60), nullable=False)
    indicator_code: Mapped[str] = mapped_column(String(20), nullable=False)
    basis: Mapped[str] = mapped_column(String(20), nullable=False)


class Partnership(TimestampMixin, db.Model):
    """A request from one organisation to another and, once accepted, their partnership.
    One open (requested or active) partnership per pair: `pair_key` is unique among them."""

    __tablename__ = "partnership"
    __table_args__ = (
        Index(
            "uq_partnership_open_pair",
            "pair_key",
            unique=True,
            sqlite_where=text("state IN ('requested', 'active')"),
            postgresql_where=text("state IN ('requested', 'active')"),
        ),
        CheckConstraint("requester_id != partner_id", name="two_organisations"),
        CheckConstraint(
            "state IN ('requested', 'active', 'declined', 'withdrawn', 'ended')",
            name="state_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False, index=True
    )
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False, index=True
    )
    pair_key: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    framework_id: Mapped[str] = mapped_column(String(60), nullable=False)
    state: Mapped[str] = mapped_column(
        String(12), default=PartnershipState.REQUESTED.value, nullable=False, index=True
    )
    message: Mapped[str] = mapped_column(Text, nullable=False)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str | None] = mapped_column(Text)
    # The plan, shared by both teams once accepted.
    targets: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    notes: Mapped[str | None] = mapped_column(Text)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Each side's decided benchmarking when the partnership began: the effect is measured
    # from there.
    requester_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("benchmark_entry.id", ondelete="SET NULL")
    )
    partner_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("benchmark_entry.id", ondelete="SET NULL")
    )
    row_version: Mapped[int] = mapped_column(default=1, nullable=False)

    requester: Mapped[Organisation] = relationship(foreign_keys=[requester_id])
    partner: Mapped[Organisation] = relationship(foreign_keys=[partner_id])
    activities: Mapped[list[PlanActivity]] = relationship(
        back_populates="partnership",
        cascade="all, delete-orphan",
        order_by="PlanActivity.starts_on, PlanActivity.id",
    )

    __mapper_args__ = {"version_id_col": row_version}

    @property
    def status(self) -> PartnershipState:
        return PartnershipState(self.state)

    def other_side(self, organisation_id: int) -> Organisation:
        return self.partner if organisation_id == self.requester_id else self.requester


class PlanActivity(TimestampMixin, db.Model):
    """A visit, staff exchange, joint workshop or other step of a twinning plan."""

    __tablename__ = "plan_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date | None] = mapped_column(Date)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    partnership: Mapped[Partnership] = relationship(back_populates="activities")


def pair_key(first: int, second: int) -> str:
    low, high = sorted((first, second))
    return f"{low}-{high}"
