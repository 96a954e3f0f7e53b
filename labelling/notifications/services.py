"""Queue e-mail in the outbox inside the caller's transaction; deliver after it commits."""

from __future__ import annotations

import logging
import smtplib
from contextlib import nullcontext
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from labelling.accounts.models import User
from labelling.core.audit import record_event
from labelling.db import utcnow
from labelling.extensions import db
from labelling.notifications.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)
PENDING_KEY = "labelling.outbox.pending"


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def queue_email(recipient: str, template: str, /, **context) -> OutboxMessage:
    """Render emails/<template>/{subject,body}.txt and add the message to the outbox.

    The message becomes durable with the caller's commit; with SMTP configured it is
    delivered right after that commit, otherwise it stays in the outbox and the log. It is
    written in the language of the recipient's account (whoever acts, in whatever
    language), else in the current one (a complainant or an invitee reads the language they
    or their inviter used).
    """
    language = recipient_language(recipient)
    with force_locale(language) if language else nullcontext():
        subject = render_template(f"emails/{template}/subject.txt", **context).strip()
        body = render_template(f"emails/{template}/body.txt", **context)
    status = OutboxStatus.QUEUED if smtp_configured() else OutboxStatus.LOGGED
    message = OutboxMessage(
        recipient=recipient, template=template, subject=subject, body_text=body, status=status
    )
    db.session.add(message)
    db.session.flush()
    record_event("email.queued", "outbox_message", message.id, data={"template": template})
    if status == OutboxStatus.LOGGED:
        log.info(
            "E-mail to %s (%s) kept in outbox #%s: %s", recipient, template, message.id, subject
        )
    else:
        db.session.info.setdefault(PENDING_KEY, []).append(message.id)
    return message


def recipient_language(recipient: str) -> str | None:
    """The language of the account with this address: its own, or the platform's default
    when it names none the platform offers. None when no account has the address."""
    account = db.session.execute(
        select(User.locale).where(func.lower(User.email) == recipient.strip().lower())
    ).first()
    if account is None:
        return None
    if account.locale in current_app.config["LANGUAGES"]:
        return account.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _smtp_send(config, recipient: str, subject: str, body: str) -> None:
    msg = EmailMessage()
    msg["From"] = config["MAIL_DEFAULT_SENDER"]
    msg["To"] = recipient
    msg["Subject"] = subject
    msg.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(msg)


def deliver(message_ids: list[int]) -> int:
    """Send queued messages over SMTP in their own transaction; return how many went out."""
    config = current_app.config
    sent = 0
    with db.engine.begin() as conn:
        rows = conn.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.recipient,
                OutboxMessage.subject,
                OutboxMessage.body_text,
            ).where(
                OutboxMessage.id.in_(message_ids),
                OutboxMessage.status.in_([OutboxStatus.QUEUED, OutboxStatus.FAILED]),
            )
        ).all()
        for row in rows:
            values: dict = {"attempts": OutboxMessage.attempts + 1}
            try:
                _smtp_send(config, row.recipient, row.subject, row.body_text)
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("E-mail #%s to %s failed: %s", row.id, row.recipient, exc)
                values |= {"status": OutboxStatus.FAILED, "last_error": str(exc)[:2000]}
            else:
                values |= {"status": OutboxStatus.SENT, "sent_at": utcnow(), "last_error": None}
                sent += 1
            conn.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values))
    return sent


def retry_unsent() -> int:
    ids = list(
        db.session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.status.in_([OutboxStatus.QUEUED, OutboxStatus.FAILED])
            )
        )
    )
    return deliver(ids) if ids and smtp_configured() else 0


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if pending and current_app:
        deliver(pending)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    # A rolled-back transaction never wrote its messages, so nothing is to be sent.
    session.info.pop(PENDING_KEY, None)
