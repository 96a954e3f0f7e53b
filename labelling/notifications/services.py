"""Queue e-mail in the outbox inside the caller's transaction; deliver after it commits.

Delivery is a background job (`labelling.notifications.delivery`): the request that
queues a message only enqueues it, so a slow or absent mail server never slows a page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext

from flask import render_template
from flask_babel import force_locale
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from labelling.core.audit import record_event
from labelling.core.hooks import Registry
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
        # One line, whatever the names in it hold: a line break cannot reach a header.
        subject = " ".join(render_template(f"emails/{template}/subject.txt", **context).split())
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
        enqueue_after_commit("mail.deliver", message.id, key=delivery_key(message.id, 0))
    return message


def mail_people(people, template: str, /, **context) -> None:
    """Queue one e-mail per enabled account among `people` (None skipped), each in that
    person's own language (queue_email finds it)."""
    for person in people:
        if person is not None and person.is_enabled:
            queue_email(person.email, template, recipient=person, **context)


# address -> the language of the account with that address, None when no account has it.
# Accounts registers its look-up: the outbox stands below the accounts that use it.
ADDRESS_LANGUAGES: Registry[Callable[[str], str | None]] = Registry("languages of addresses")


def recipient_language(recipient: str) -> str | None:
    """The language the account with this address reads; None when no account has it."""
    for language_of in ADDRESS_LANGUAGES:
        language = language_of(recipient)
        if language is not None:
            return language
    return None


def outbox_figures():
    """For /metrics: e-mail in the outbox by status."""
    outbox = GaugeMetricFamily(
        "labelling_outbox_messages", "E-mail in the outbox by status", labels=["status"]
    )
    counts = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    for status, count in db.session.execute(counts):
        outbox.add_metric([status], count)
    yield outbox
