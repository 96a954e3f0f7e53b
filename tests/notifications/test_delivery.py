"""E-mail delivery: claimed once, sent once, retried with back-off, given up visibly."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from labelling.db import utcnow
from labelling.extensions import db
from labelling.jobs.queue import AFTER_COMMIT
from labelling.notifications import delivery
from labelling.notifications.delivery import (
    deliver_message,
    due_message_ids,
    retry_delay,
    retry_unsent,
    sweep_outbox,
)
from labelling.notifications.models import OutboxMessage, OutboxStatus
from labelling.notifications.services import queue_email
from tests.factories import create_user


def test_retry_delay_doubles_up_to_its_cap():
    delays = [retry_delay(n, 60, 3600).total_seconds() for n in range(1, 10)]
    assert delays == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert retry_delay(10_000, 60, 3600) == timedelta(hours=1)


def queue_resets(app, count: int) -> list[int]:
    """Queue `count` messages without delivering them (as if the sender had not run yet)."""
    ids = []
    with app.test_request_context():
        for n in range(count):
            user = create_user(f"user{n}@example.org")
            ids.append(queue_email(user.email, "password_reset", user=user, link="http://x/r").id)
    db.session.info.pop(AFTER_COMMIT, None)  # the test sends by hand
    db.session.commit()
    return ids


def outbox(outbox_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, outbox_id)


@pytest.fixture
def app_config(app_config, mail_server):
    return {**app_config, **mail_server.config()}


def in_thread(app, func, *args) -> threading.Thread:
    def run():
        with app.app_context():
            func(*args)
            db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_send_outbox_runs_at_once_send_each_message_once(app, mail_server):
    # Seen: two `labelling send-outbox` runs against a slow server sent 3 messages 6 times.
    # Four here, so that one often reads the outbox while another is sending from it.
    ids = queue_resets(app, 6)
    mail_server.delay = 0.2
    threads = [in_thread(app, retry_unsent) for _ in range(4)]
    for thread in threads:
        thread.join(timeout=60)
    assert len(mail_server.messages) == 6
    assert len(set(mail_server.message_ids())) == 6
    assert {outbox(i).status for i in ids} == {OutboxStatus.SENT}


def test_send_outbox_leaves_alone_a_message_another_sender_is_sending(app, mail_server):
    # Seen: a reset still being sent when send-outbox started went out twice.
    [message_id] = queue_resets(app, 1)
    mail_server.delay = 0.5
    sending = in_thread(app, deliver_message, message_id)
    assert mail_server.receiving.wait(timeout=10)
    assert outbox(message_id).status == OutboxStatus.SENDING
    assert retry_unsent() == 0
    sending.join(timeout=30)
    assert len(mail_server.messages) == 1
    assert outbox(message_id).status == OutboxStatus.SENT


def test_the_message_id_is_fixed_when_queued_and_sent_as_is(app, mail_server):
    [message_id] = queue_resets(app, 1)
    queued_id = outbox(message_id).message_id
    assert queued_id.startswith("<") and queued_id.endswith("@localhost>")
    assert deliver_message(message_id) is True
    assert mail_server.message_ids() == [queued_id]
    assert deliver_message(message_id) is False  # sent: a second job does nothing
    assert len(mail_server.messages) == 1


def test_a_sender_that_died_after_sending_is_replaced_under_the_same_message_id(app, mail_server):
    [message_id] = queue_resets(app, 1)
    message = outbox(message_id)
    message.status, message.claimed_at = OutboxStatus.SENDING, utcnow()
    db.session.commit()
    assert deliver_message(message_id) is False  # a live claim is left to its sender
    message = outbox(message_id)
    message.claimed_at = utcnow() - timedelta(seconds=app.config["MAIL_CLAIM_SECONDS"] + 1)
    db.session.commit()
    assert deliver_message(message_id) is True
    assert mail_server.message_ids() == [message.message_id]
    assert outbox(message_id).attempts == 1


class Clock:
    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now


def test_a_mail_server_down_for_an_hour_gets_backed_off_retries_and_one_delivery(
    app, mail_server, monkeypatch
):
    clock = Clock()
    monkeypatch.setattr(delivery, "utcnow", clock)
    [message_id] = queue_resets(app, 1)
    start = clock.now
    mail_server.reply = "421 Service not available, try again later"
    deliver_message(message_id)  # its own job, right after the commit
    tried_at = [0]
    for minute in range(1, 121):
        clock.now = start + timedelta(minutes=minute)
        if minute == 60:
            mail_server.reply = None  # the server is back
        before = mail_server.transactions
        sweep_outbox()
        if mail_server.transactions > before:
            tried_at.append(minute)
    # A sweep every minute; the message was tried after 1, 2, 4, ... minutes, then sent once.
    # Every sweep ran; the message was tried after 1, 2, 4, ... minutes, then delivered once.
    assert tried_at == [0, 1, 3, 7, 15, 31, 63]
    assert len(mail_server.messages) == 1
    message = outbox(message_id)
    assert message.status == OutboxStatus.SENT and message.attempts == 7


def test_a_permanent_refusal_is_given_up_at_once(app, mail_server):
    [message_id] = queue_resets(app, 1)
    mail_server.reply = "550 No such mailbox"
    assert deliver_message(message_id) is False
    message = outbox(message_id)
    assert message.status == OutboxStatus.GIVEN_UP and "550" in message.last_error
    assert message_id not in due_message_ids(utcnow() + timedelta(days=1))


def test_a_message_refused_too_often_is_given_up(app, mail_server):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    [message_id] = queue_resets(app, 1)
    mail_server.reply = "451 Local error"
    deliver_message(message_id)
    assert outbox(message_id).status == OutboxStatus.FAILED
    db.session.execute(update(OutboxMessage).values(next_attempt_at=None))
    db.session.commit()
    deliver_message(message_id)
    assert outbox(message_id).status == OutboxStatus.GIVEN_UP
    mail_server.reply = None
    assert retry_unsent() == 1  # `labelling send-outbox` sends given-up messages too
    assert len(mail_server.messages) == 1


def test_the_sweep_takes_queued_messages_only_after_their_own_job_had_time(app):
    [message_id] = queue_resets(app, 1)
    now = utcnow()
    assert due_message_ids(now) == []
    later = now + timedelta(seconds=app.config["MAIL_SWEEP_AFTER_SECONDS"] + 1)
    assert due_message_ids(later) == [message_id]
    assert db.session.scalars(select(OutboxMessage.status)).all() == [OutboxStatus.QUEUED]


def test_mail_queued_inside_a_savepoint_goes_out_after_the_real_commit(app, mail_server):
    # Seen: a savepoint's release (reminders use one per reminder) counts as a commit to
    # SQLAlchemy, so delivery ran before the message was committed, found nothing, and
    # the reminder waited for `labelling send-outbox`. A savepoint rolled back later must
    # not cancel what the transaction queued before it either.
    user = create_user("reminded@example.org")
    with app.test_request_context():
        with db.session.begin_nested():
            queue_email(user.email, "password_reset", user=user, link="http://x/1")
        assert mail_server.transactions == 0  # not committed yet: nothing sent
        try:
            with db.session.begin_nested():
                queue_email(user.email, "password_reset", user=user, link="http://x/2")
                raise RuntimeError("the second one fails")
        except RuntimeError:
            pass
    db.session.commit()
    assert [m["To"] for m in mail_server.messages] == [user.email]
    assert "http://x/1" in mail_server.messages[0].get_payload(decode=True).decode()


def test_a_line_break_in_a_name_never_reaches_a_header(app, mail_server):
    """Seen: an organisation named with CR/LF made its invitation fail in delivery with a
    ValueError, the outbox row left "sending" with no error recorded."""
    with app.test_request_context():
        user = create_user("invitee@example.org")
        queued = queue_email(user.email, "password_reset", user=user, link="http://x/r")
        queued.subject = "Welcome to Cluster A\r\nBcc: everyone@example.org"  # as it was
        from labelling.organisations.services import invite_member
        from tests.factories import create_org

        organisation = create_org(user, short_name="A\r\nBcc: x@example.org")
        invite_member(organisation, "new@example.org", "member", user)
        named = db.session.scalars(
            select(OutboxMessage).filter_by(recipient="new@example.org")
        ).one()
    db.session.info.pop(AFTER_COMMIT, None)
    db.session.commit()
    assert "\n" not in named.subject and "\r" not in named.subject
    assert deliver_message(queued.id) is False
    message = outbox(queued.id)
    assert message.status == OutboxStatus.GIVEN_UP and message.last_error
    assert message.id not in due_message_ids(utcnow() + timedelta(days=1))


def test_a_reply_that_never_comes_after_the_data_is_maybe_delivered_not_resent(
    app, mail_server, client
):
    """Issue 26, finding 4: a server that took the message and replied after the mail
    timeout got four copies (each retry delivered again). Now it is marked unconfirmed,
    no sweep or send-outbox sends it again, and a person may send it once more."""
    from labelling.accounts.models import Role
    from tests.factories import sign_in

    app.config["MAIL_TIMEOUT_SECONDS"] = 1
    [message_id] = queue_resets(app, 1)
    mail_server.delay = 2  # longer than the timeout; then the message counts as received
    assert deliver_message(message_id) is False
    message = outbox(message_id)
    assert message.status == OutboxStatus.UNCONFIRMED
    assert "no reply after the message was sent" in message.last_error
    time.sleep(2.5)
    assert mail_server.message_ids() == [message.message_id]  # it did arrive
    mail_server.delay = 0
    assert message_id not in due_message_ids(utcnow() + timedelta(days=1))
    assert sweep_outbox() == 0 and retry_unsent() == 0
    assert len(mail_server.messages) == 1
    admin = create_user("admin@example.org", roles=(Role.ADMIN,))
    sign_in(client, admin.email)
    page = client.get("/secretariat/deliveries/").get_data(as_text=True)
    assert "Maybe delivered" in page
    client.post(f"/secretariat/deliveries/{message_id}/retry")
    assert mail_server.message_ids() == [message.message_id] * 2  # the same Message-ID
    assert outbox(message_id).status == OutboxStatus.SENT


def test_a_refusal_before_the_data_is_still_retried(app, mail_server):
    """The maybe-delivered rule is for a silence after the whole message only."""
    app.config["MAIL_TIMEOUT_SECONDS"] = 1
    [message_id] = queue_resets(app, 1)
    mail_server.reply = "451 Try again later"
    assert deliver_message(message_id) is False
    assert outbox(message_id).status == OutboxStatus.FAILED


def test_send_outbox_takes_a_message_whose_sender_died(app, mail_server):
    """Issue 26, finding 3: `send-outbox` skipped rows in `sending`, even long dead ones."""
    [message_id] = queue_resets(app, 1)
    message = outbox(message_id)
    message.status = OutboxStatus.SENDING
    message.claimed_at = utcnow() - timedelta(seconds=app.config["MAIL_CLAIM_SECONDS"] + 1)
    db.session.commit()
    assert retry_unsent() == 1
    assert mail_server.message_ids() == [message.message_id]
    assert outbox(message_id).status == OutboxStatus.SENT


def test_the_undelivered_messages_page_latest_first_and_narrow(app, client, monkeypatch):
    """Issue 27: the page showed the latest 200 and no way on."""
    import html
    import re

    from labelling.accounts.models import Role
    from labelling.operations import views
    from tests.factories import sign_in

    monkeypatch.setattr(views, "MESSAGES_PER_PAGE", 2)
    ids = queue_resets(app, 5)
    statuses = ["failed", "given_up", "unconfirmed", "failed", "sent"]
    for outbox_id, status in zip(ids, statuses, strict=True):
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == outbox_id).values(status=status)
        )
    db.session.commit()
    admin = create_user("admin@example.org", roles=(Role.ADMIN,))
    sign_in(client, admin.email)

    def recipients(url: str) -> list[str]:
        return re.findall(r'<th scope="row">(user\d@example.org)</th>', client.get(url).text)

    first = client.get("/secretariat/deliveries/").text
    assert "4 messages not delivered" in first
    assert recipients("/secretariat/deliveries/") == ["user3@example.org", "user2@example.org"]
    following = html.unescape(re.search(r'<a rel="next" href="([^"]+)"', first).group(1))
    assert recipients(following) == ["user1@example.org", "user0@example.org"]
    assert recipients("/secretariat/deliveries/?status=failed") == [
        "user3@example.org", "user0@example.org"
    ]  # fmt: skip
    assert recipients("/secretariat/deliveries/?recipient=user2") == ["user2@example.org"]
    assert client.get("/secretariat/deliveries/?status=sent").status_code == 422
    assert client.get("/secretariat/deliveries/?after=no").status_code == 400
