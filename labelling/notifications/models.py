"""The outbox: every e-mail the platform sends is written here first, so none is lost."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from labelling.db import TimestampMixin, UTCDateTime, utcnow
from labelling.extensions import db


class OutboxStatus(StrEnum):
    QUEUED = "queued"  # waiting for SMTP delivery after the commit
    SENDING = "sending"  # claimed by one sender; nobody else may send it meanwhile
    SENT = "sent"  # handed to the SMTP server
    LOGGED = "logged"  # no SMTP configured: kept here and in the log only
    FAILED = "failed"  # SMTP refused; tried again at next_attempt_at
    GIVEN_UP = "given_up"  # refused too often: the secretariat sees it and may retry it
    # The server took the whole message but its reply never came (a timeout after the
    # data): it may have been delivered. Never sent again by itself; a person decides.
    UNCONFIRMED = "unconfirmed"


class OutboxMessage(TimestampMixin, db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254), nullable=False)
    template: Mapped[str] = mapped_column(String(80), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.QUEUED, nullable=False)
    attempts: Mapped[int] = mapped_column(default=0, nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The SMTP Message-ID, fixed when the message is queued: a message sent again after a
    # sender died between the server's acceptance and the record of it carries the same
    # one, so mail systems take it for the duplicate it is.
    message_id: Mapped[str | None] = mapped_column(String(250), unique=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class SentReminder(db.Model):
    """A reminder that went out: `send-reminders` checks here so that it never repeats one.

    `occasion` names what the reminder is about (e.g. the due date it warns of), so a new
    deadline for the same object gets its own reminder.
    """

    __tablename__ = "sent_reminder"
    __table_args__ = (
        UniqueConstraint("kind", "object_type", "object_id", "occasion", "recipient"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    object_type: Mapped[str] = mapped_column(String(40), nullable=False)
    object_id: Mapped[int] = mapped_column(nullable=False)
    occasion: Mapped[str] = mapped_column(String(40), nullable=False)
    recipient: Mapped[str] = mapped_column(String(254), nullable=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
