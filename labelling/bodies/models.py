"""A labelling body, its secretariat members and its assessor pool."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labelling.accounts.models import User
from labelling.db import TimestampMixin
from labelling.extensions import db


class BodyKind(StrEnum):
    EUROPEAN = "european"  # covers every country and level no national body covers
    NATIONAL = "national"

    @property
    def label(self) -> str:
        return str({BodyKind.EUROPEAN: _l("European"), BodyKind.NATIONAL: _l("National")}[self])


class LabellingBody(TimestampMixin, db.Model):
    __tablename__ = "labelling_body"
    __table_args__ = (CheckConstraint("kind IN ('european', 'national')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    countries: Mapped[list] = mapped_column(JSON, default=list, nullable=False)  # alpha-2
    levels: Mapped[list] = mapped_column(JSON, default=list, nullable=False)  # level ids
    website: Mapped[str | None] = mapped_column(String(300))
    # Off by default: only assessors with a calibration exercise completed in the last year
    # may be assigned to the body's applications.
    calibration_required: Mapped[bool] = mapped_column(
        default=False, server_default=false(), nullable=False
    )

    members: Mapped[list[BodyMember]] = relationship(
        back_populates="body", cascade="all, delete-orphan"
    )
    assessors: Mapped[list[BodyAssessor]] = relationship(
        back_populates="body", cascade="all, delete-orphan"
    )

    @property
    def kind_enum(self) -> BodyKind:
        return BodyKind(self.kind)

    def covers(self, country_code: str, level: str) -> bool:
        """A national body: its countries and levels. The European body: everything."""
        if self.kind == BodyKind.EUROPEAN:
            return True
        return country_code in (self.countries or []) and level in (self.levels or [])


class BodyMember(db.Model):
    """A member of staff who acts as the body's secretariat."""

    __tablename__ = "body_member"
    __table_args__ = (UniqueConstraint("body_id", "user_id", name="once_per_body"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(
        ForeignKey("labelling_body.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
    )

    body: Mapped[LabellingBody] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class BodyAssessor(db.Model):
    """An assessor in the body's pool: the body assigns from its pool."""

    __tablename__ = "body_assessor"
    __table_args__ = (UniqueConstraint("body_id", "user_id", name="once_per_pool"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(
        ForeignKey("labelling_body.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
    )

    body: Mapped[LabellingBody] = relationship(back_populates="assessors")
    user: Mapped[User] = relationship()
