"""Queue e-mail in the outbox inside the caller's transaction; deliver after it commits.

Delivery is a background job (`labelling.notifications.delivery`): the request that
queues a message only enqueues it, so a slow or absent mail server never slows a page.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import func, select

from labelling.accounts.models import User
from labelling.core.audit import record_event
from labelling.extensions import db
from labelling.jobs.queue import enqueue_after_commit
from labelling.notifications.delivery import delivery_key, new_message_id, smtp_configured
from labelling.notifications.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)


def queue_email(recipient: str, template: str, /, **context) -> OutboxMessage:
    """Render emails/<template>/{subject,body}.txt and add the message to the outbox.

    The message becomes durable with the caller's commit; with SMTP configured a job
    delivers it after that commit, otherwise it stays in the outbox and the log. It is
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
        recipient=recipient,
        template=template,
        subject=subject,
        body_text=body,
        status=status,
        message_id=new_message_id(),
    )
    db.session.add(message)
    db.session.flush()
    record_event("email.queued", "outbox_message", message.id, data={"template": template})
    if status == OutboxStatus.LOGGED:
        log.info(
            "E-mail to %s (%s) kept in outbox #%s: %s", recipient, template, message.id, subject
        )
    else:
        enqueue_after_commit("mail.deliver", message.id, key=delivery_key(message.id))
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
