"""A label: what an award gives an organisation, for a level and a period."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labelling.assessments.models import Application
from labelling.db import TimestampMixin, UTCDateTime
from labelling.extensions import db
from labelling.organisations.models import Organisation


class LabelStatus(StrEnum):
    """The status on a given day. Expired is derived from the date, never stored, so no
    forgotten job can leave an expired label looking valid."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"

    @property
    def label(self) -> str:
        return str(
            {
                LabelStatus.ACTIVE: _l("Valid"),
                LabelStatus.SUSPENDED: _l("Suspended"),
                LabelStatus.REVOKED: _l("Revoked"),
                LabelStatus.EXPIRED: _l("Expired"),
                LabelStatus.NOT_YET_VALID: _l("Valid from a later date"),
            }[self]
        )


class Label(TimestampMixin, db.Model):
    __tablename__ = "label"
    __table_args__ = (
        CheckConstraint("level IN ('bronze', 'silver', 'gold')", name="level_known"),
        CheckConstraint("status IN ('active', 'suspended', 'revoked')", name="status_known"),
        CheckConstraint("valid_until >= valid_from", name="valid_period"),
        CheckConstraint(
            "status = 'active' OR status_reason IS NOT NULL", name="suspension_has_reason"
        ),
        # The suspended and revoked labels, read whole from the index: the credentials'
        # status lists check by it whether any label entered or left them.
        Index("ix_label_status_changed", "status", "status_changed_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    # One label per awarded application: a second award of the same application is refused.
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="RESTRICT"), unique=True, nullable=False
    )
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    framework_id: Mapped[str] = mapped_column(String(60), nullable=False)
    framework_version: Mapped[str] = mapped_column(String(20), nullable=False)
    assessment_date: Mapped[date] = mapped_column(nullable=False)
    valid_from: Mapped[date] = mapped_column(nullable=False)
    valid_until: Mapped[date] = mapped_column(nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), default="active", nullable=False)
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Optimistic lock: of two simultaneous status changes, the second finds the row
    # changed under it (StaleDataError, answered 409) instead of running twice.
    row_version: Mapped[int] = mapped_column(default=1, server_default="1", nullable=False)
    previous_label_id: Mapped[int | None] = mapped_column(
        ForeignKey("label.id", ondelete="SET NULL")
    )

    organisation: Mapped[Organisation] = relationship()
    application: Mapped[Application] = relationship()

    __mapper_args__ = {"version_id_col": row_version}

    def status_on(self, day: date) -> LabelStatus:
        if self.status != LabelStatus.ACTIVE:
            return LabelStatus(self.status)
        if day > self.valid_until:
            return LabelStatus.EXPIRED
        if day < self.valid_from:
            return LabelStatus.NOT_YET_VALID
        return LabelStatus.ACTIVE


class Certificate(TimestampMixin, db.Model):
    """An issued certificate: the PDF bytes as issued, their SHA-256, and the primitives-only
    context they were rendered from. Downloads serve these bytes and never re-render."""

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    label_id: Mapped[int] = mapped_column(
        ForeignKey("label.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    number: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    # Rendered by a background job after the issue commits, into the file storage (a folder
    # or a bucket every host reads) under `pdf_key`; until then the key and the checksum are
    # empty, and a download renders it on the spot. Stored once: the first rendering to
    # record its key is the certificate, as issued. `pdf` holds those issued before.
    pdf_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    context: Mapped[dict] = mapped_column(JSON, nullable=False)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # A reissue (e.g. a corrected name) supersedes the earlier certificate of the label.
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificate.id", ondelete="SET NULL"), unique=True
    )

    label: Mapped[Label] = relationship()

    @property
    def issuer_name(self) -> str:
        """The body that issued the label, one name on the certificate, its verification,
        the API and the credential (issue 28: the framework's owner was shown as the
        issuer beside the certificate's body). Certificates issued before the body was
        named on them keep the framework's issuer."""
        return self.context.get("body_name") or self.context["issuer"]
