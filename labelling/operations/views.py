"""The platform staff's page of undelivered e-mail and failed background jobs, with retry."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from labelling.bodies.services import acts_for_platform
from labelling.core.audit import record_event
from labelling.core.forms import ConfirmForm
from labelling.core.http import get_or_404, require
from labelling.core.paging import BadCursor, holding, keyset_page
from labelling.extensions import db
from labelling.jobs.failures import QueueUnavailable, failed_jobs, retry_failed_job
from labelling.jobs.queue import enqueue_after_commit, queue_configured
from labelling.notifications.delivery import delivery_key, retry_now
from labelling.notifications.models import OutboxMessage, OutboxStatus
from labelling.operations.forms import UndeliveredFilterForm

bp = Blueprint("deliveries", __name__, url_prefix="/secretariat/deliveries")
UNDELIVERED = (
    OutboxStatus.FAILED,
    OutboxStatus.GIVEN_UP,
    OutboxStatus.SENDING,
    OutboxStatus.UNCONFIRMED,
)
MESSAGES_PER_PAGE = 50
SENT_AGAIN_BY_HAND = (OutboxStatus.FAILED, OutboxStatus.GIVEN_UP, OutboxStatus.UNCONFIRMED)


@bp.route("/")
@login_required
def index():
    require(acts_for_platform(current_user))
    filters = UndeliveredFilterForm(request.args)
    conditions = [OutboxMessage.status.in_(UNDELIVERED)]
    if filters.validate():
        if filters.status.data:
            conditions.append(OutboxMessage.status == filters.status.data)
        if filters.recipient.data:
            conditions.append(holding(filters.recipient.data, OutboxMessage.recipient))
    undelivered = db.session.scalar(select(func.count(OutboxMessage.id)).where(*conditions))
    try:
        page = keyset_page(
            select(OutboxMessage).where(*conditions),
            [(OutboxMessage.id, False)],  # the latest first
            "latest",
            request.args.get("after"),
            MESSAGES_PER_PAGE,
        )
    except BadCursor:
        abort(400)
    waiting = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.QUEUED)
    )
    try:
        jobs, queue_down = failed_jobs(), False
    except QueueUnavailable:
        jobs, queue_down = [], True
    return render_template(
        "notifications/deliveries.html",
        messages=page.rows,
        page=page,
        undelivered=undelivered,
        filters=filters,
        filtered=bool(filters.status.data or filters.recipient.data) and not filters.errors,
        waiting=waiting,
        jobs=jobs,
        queue_configured=queue_configured(),
        queue_down=queue_down,
        form=ConfirmForm(),
    ), (422 if filters.errors else 200)


@bp.route("/<int:outbox_id>/retry", methods=["POST"])
@login_required
def retry_message(outbox_id: int):
    require(acts_for_platform(current_user))
    message = get_or_404(OutboxMessage, outbox_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if message.status not in SENT_AGAIN_BY_HAND:
        flash(_("This message is no longer waiting to be retried."), "info")
        return redirect(url_for(".index"))
    retry_now([message.id])
    record_event("email.retried", "outbox_message", message.id, actor=current_user)
    enqueue_after_commit("mail.deliver", message.id, key=delivery_key(message.id, message.attempts))
    db.session.commit()
    flash(_("The message is being sent again."), "success")
    return redirect(url_for(".index"))


@bp.route("/jobs/<job_id>/retry", methods=["POST"])
@login_required
def retry_job(job_id: str):
    require(acts_for_platform(current_user))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        retried = retry_failed_job(job_id)
    except QueueUnavailable:
        abort(503)
    if not retried:  # retried a moment ago, or expired from the list
        flash(_("This job is no longer in the list of failed jobs."), "info")
        return redirect(url_for(".index"))
    record_event("job.retried", "job", None, actor=current_user, data={"job": job_id})
    db.session.commit()
    flash(_("The job is back on the queue."), "success")
    return redirect(url_for(".index"))
