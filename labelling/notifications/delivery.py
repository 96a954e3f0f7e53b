"""Deliver outbox messages over SMTP: each claimed by one sender, sent once, retried later.

A sender first claims the message in one atomic UPDATE (queued, or failed and due, or
claimed so long ago that its sender must have died) and commits the claim; only then does
it talk to the mail server, and it records the outcome after. Two senders at once (two
workers, a worker and `labelling send-outbox`) can therefore never both send a message.
The one window left is a sender dying after the server accepted and before the record:
the message is sent again once its claim is stale, under the same Message-ID, which mail
systems take for a duplicate.

A delivery job's id carries the message's attempt count ("mail-42-1"), so a job killed
with its worker, or failed and kept by RQ, never blocks the next attempt: once the claim
is stale the sweep enqueues the message under its new count. A reply that never comes
after the whole message was sent means "maybe delivered": the message is marked
unconfirmed and waits for a person instead of being sent again blindly.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from labelling.db import utcnow
from labelling.extensions import db
from labelling.jobs.queue import enqueue
from labelling.notifications.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def delivery_key(outbox_id: int, attempts: int) -> str:
    """One delivery job per message and attempt, however often it is enqueued."""
    return f"mail-{outbox_id}-{attempts}"


def new_message_id() -> str:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    return make_msgid(domain=sender.rpartition("@")[2] or "localhost")


def retry_delay(attempts: int, base_seconds: int, cap_seconds: int) -> timedelta:
    """Exponential backoff after the n-th failed attempt: base, 2 x base, 4 x base, ...,
    never more than the cap."""
    exponent = min(max(attempts - 1, 0), 32)
    return timedelta(seconds=min(cap_seconds, base_seconds * 2**exponent))


def is_permanent(exc: Exception) -> bool:
    """A refusal that a retry cannot change (5xx: no such mailbox, message refused)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused | UnsendableMessage):
        return True
    return isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600


@dataclass(frozen=True)
class Claim:
    id: int
    recipient: str
    subject: str
    body_text: str
    message_id: str
    attempts: int
    claimed_at: datetime


def _claimable(now: datetime):
    stale = now - timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"])
    return or_(
        OutboxMessage.status == OutboxStatus.QUEUED,
        and_(
            OutboxMessage.status == OutboxStatus.FAILED,
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        ),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < stale),
    )


def claim(outbox_id: int, now: datetime) -> Claim | None:
    """Take the message for this sender, committed before anything is sent; None when it
    is sent, being sent by another, not due yet, or given up."""
    with db.engine.begin() as conn:
        row = conn.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id, _claimable(now))
            .values(
                status=OutboxStatus.SENDING,
                claimed_at=now,
                attempts=OutboxMessage.attempts + 1,
                message_id=func.coalesce(OutboxMessage.message_id, new_message_id()),
            )
            .returning(
                OutboxMessage.id,
                OutboxMessage.recipient,
                OutboxMessage.subject,
                OutboxMessage.body_text,
                OutboxMessage.message_id,
                OutboxMessage.attempts,
            )
        ).first()
    return Claim(*row, claimed_at=now) if row else None


def _record(claimed: Claim, **values) -> None:
    """Write the outcome, unless the claim went stale and another sender took over."""
    with db.engine.begin() as conn:
        conn.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == claimed.id,
                OutboxMessage.status == OutboxStatus.SENDING,
                OutboxMessage.claimed_at == claimed.claimed_at,
            )
            .values(**values)
        )


def _failure(claimed: Claim, exc: Exception, now: datetime) -> dict:
    config = current_app.config
    if is_permanent(exc) or claimed.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        return {"status": OutboxStatus.GIVEN_UP, "next_attempt_at": None}
    delay = retry_delay(
        claimed.attempts, config["MAIL_RETRY_BASE_SECONDS"], config["MAIL_RETRY_MAX_SECONDS"]
    )
    return {"status": OutboxStatus.FAILED, "next_attempt_at": now + delay}


class MaybeDelivered(OSError):
    """The whole message went to the server, and then its reply did not come."""


class _WatchedSMTP(smtplib.SMTP):
    """SMTP that knows when the message's data, up to the final dot, has been sent."""

    data_sent = False

    def send(self, s):
        super().send(s)
        if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.data_sent = True


class UnsendableMessage(ValueError):
    """A message no mail server can take (a header with a line break): retrying cannot
    change it, so it is given up at once, with the reason kept."""


def _message(config, claimed: Claim) -> EmailMessage:
    try:
        msg = EmailMessage()
        msg["From"] = config["MAIL_DEFAULT_SENDER"]
        msg["To"] = claimed.recipient
        msg["Subject"] = claimed.subject
        msg["Message-ID"] = claimed.message_id
        msg.set_content(claimed.body_text)
    except ValueError as exc:
        raise UnsendableMessage(str(exc)) from exc
    return msg


def _smtp_send(config, claimed: Claim) -> None:
    msg = _message(config, claimed)
    timeout = config["MAIL_TIMEOUT_SECONDS"]
    with _WatchedSMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        try:
            smtp.send_message(msg)
        except OSError as exc:  # smtplib's errors are OSErrors, a timeout too
            if smtp.data_sent and not isinstance(exc, smtplib.SMTPResponseException):
                raise MaybeDelivered(f"no reply after the message was sent: {exc}") from exc
            raise


def deliver_message(outbox_id: int) -> bool:
    """Claim, send and record one message; True when this call sent it."""
    claimed = claim(outbox_id, utcnow())
    if claimed is None:
        return False
    try:
        _smtp_send(current_app.config, claimed)
    except MaybeDelivered as exc:
        log.warning(
            "E-mail #%s to %s may have been delivered: %s", claimed.id, claimed.recipient, exc
        )
        _record(
            claimed,
            status=OutboxStatus.UNCONFIRMED,
            last_error=str(exc)[:2000],
            next_attempt_at=None,
        )
        return False
    except (OSError, smtplib.SMTPException, UnsendableMessage) as exc:
        log.warning("E-mail #%s to %s failed: %s", claimed.id, claimed.recipient, exc)
        _record(claimed, last_error=str(exc)[:2000], **_failure(claimed, exc, utcnow()))
        return False
    _record(
        claimed,
        status=OutboxStatus.SENT,
        sent_at=utcnow(),
        last_error=None,
        next_attempt_at=None,
    )
    return True


def deliver(outbox_ids: list[int]) -> int:
    """Deliver these messages here and now; returns how many this call sent."""
    return sum(deliver_message(outbox_id) for outbox_id in outbox_ids)


def due_messages(now: datetime, limit: int = 1000) -> list[tuple[int, int]]:
    """(id, attempts) of the messages a sender should take now: queued a while ago (their
    job may have been lost with Redis), failed and due again, or claimed by a sender that
    died."""
    queued_before = now - timedelta(seconds=current_app.config["MAIL_SWEEP_AFTER_SECONDS"])
    waiting = or_(
        and_(_claimable(now), OutboxMessage.status != OutboxStatus.QUEUED),
        and_(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.created_at < queued_before),
    )
    query = select(OutboxMessage.id, OutboxMessage.attempts).where(waiting)
    return [tuple(row) for row in db.session.execute(query.order_by(OutboxMessage.id).limit(limit))]


def due_message_ids(now: datetime, limit: int = 1000) -> list[int]:
    return [outbox_id for outbox_id, _attempts in due_messages(now, limit)]


def retry_now(outbox_ids: list[int] | None = None) -> list[int]:
    """Make failed and given-up messages due at once (all of them, or these); returns them
    with the queued ones and those whose sender died (a stale claim). The caller commits,
    then delivers the ids. Only rows failed or given up are touched: one another sender is
    sending meanwhile stays its own. An unconfirmed message (maybe delivered) is sent
    again only when a person names it."""
    again = [OutboxStatus.FAILED, OutboxStatus.GIVEN_UP]
    if outbox_ids is not None:
        again.append(OutboxStatus.UNCONFIRMED)
    stale = utcnow() - timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"])
    waiting = or_(
        OutboxMessage.status.in_([OutboxStatus.QUEUED, *again]),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < stale),
    )
    if outbox_ids is not None:
        waiting = and_(waiting, OutboxMessage.id.in_(outbox_ids))
    ids = list(db.session.scalars(select(OutboxMessage.id).where(waiting)))
    if ids:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status.in_(again))
            .values(status=OutboxStatus.FAILED, next_attempt_at=None)
        )
    return ids


def retry_unsent() -> int:
    """`labelling send-outbox`: send every queued, failed or given-up message now."""
    if not smtp_configured():
        return 0
    ids = retry_now()
    db.session.commit()
    return deliver(ids)


def sweep_outbox() -> int:
    """Enqueue a delivery for every message that is due; returns how many."""
    if not smtp_configured():
        return 0
    due = due_messages(utcnow())
    for outbox_id, attempts in due:
        key = delivery_key(outbox_id, attempts)
        enqueue("mail.deliver", outbox_id, key=key, replace_stale=True)
    return len(due)
