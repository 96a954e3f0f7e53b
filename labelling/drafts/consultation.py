"""The public consultation on a draft: opened until a date, comments per indicator or on the
whole (from signed-in users at once, from others once their address is confirmed), the
secretariat's responses (published with an e-mail to every commenter answered), and the
report published with the version: comments counted per indicator, the responses, what
changed because of them."""

from __future__ import annotations

from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from labelling.accounts.models import User
from labelling.core.audit import record_event
from labelling.core.dates import show_date
from labelling.core.http import external_url
from labelling.core.languages import page_locale
from labelling.criteria.framework import Framework
from labelling.db import utcnow
from labelling.drafts.models import Consultation, ConsultationComment, ConsultationResponse
from labelling.drafts.simulation import NotADraft, draft_and_base
from labelling.extensions import db
from labelling.notifications.services import queue_email

CONFIRM_SALT = "labelling.consultation-confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600
WHOLE = ""  # the indicator code of a comment on the draft as a whole


class ConsultationRefused(Exception):
    def __init__(self, code: str, status: int = 409) -> None:
        super().__init__(code)
        self.code, self.status = code, status


def consultation_of(framework_id: str, version: str) -> Consultation | None:
    return db.session.scalar(
        select(Consultation).where(
            Consultation.framework_id == framework_id, Consultation.draft_version == version
        )
    )


def open_consultation(framework_id: str, version: str, closes_on: date, actor: User):
    """Open the draft to comment until `closes_on` (moved, if it is open already)."""
    try:
        draft, base = draft_and_base(framework_id, version)
    except NotADraft as exc:
        raise ConsultationRefused("not_a_draft", 404) from exc
    if closes_on < date.today():  # the form says so beside the field; this guards the rest
        raise ConsultationRefused("closes_in_the_past", 422)
    consultation = consultation_of(framework_id, version)
    if consultation is not None and consultation.report_published_at is not None:
        raise ConsultationRefused("report_published")
    if consultation is None:
        consultation = Consultation(
            framework_id=draft.id,
            draft_version=draft.version,
            base_version=base.version,
            closes_on=closes_on,
            opened_by_id=actor.id,
        )
        db.session.add(consultation)
    consultation.closes_on = closes_on
    db.session.flush()
    record_event(
        "consultation.opened",
        "consultation",
        consultation.id,
        actor=actor,
        data={"version": version, "closes_on": closes_on.isoformat()},
    )
    return consultation


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)


def confirmation_token(comment: ConsultationComment) -> str:
    return _serializer().dumps({"comment": comment.id, "email": comment.email})


def add_comment(
    consultation: Consultation,
    framework: Framework,
    indicator_code: str,
    text: str,
    *,
    user: User | None = None,
    name: str = "",
    email: str = "",
) -> ConsultationComment:
    """A signed-in user's comment counts at once; anyone else's once they follow the link
    sent to `email`."""
    if not consultation.is_open(date.today()):
        raise ConsultationRefused("closed")
    if indicator_code != WHOLE and indicator_code not in {i.code for i in framework.indicators}:
        raise ConsultationRefused("unknown_indicator", 422)
    comment = ConsultationComment(
        consultation_id=consultation.id,
        indicator_code=indicator_code,
        text=text.strip(),
        author_id=user.id if user else None,
        name=(user.full_name if user else name).strip(),
        email=(user.email if user else email).strip(),
        language=page_locale(),
        confirmed_at=utcnow() if user else None,
    )
    db.session.add(comment)
    db.session.flush()
    record_event("consultation.commented", "consultation_comment", comment.id, actor=user)
    if user is None:
        queue_email(
            comment.email,
            "consultation_confirm",
            comment=comment,
            consultation=consultation,
            link=external_url("consultation.confirm", token=confirmation_token(comment)),
        )
    return comment


def confirm_comment(token: str) -> ConsultationComment:
    """The commenter followed the link: the comment counts (following it again changes
    nothing). Raises ConsultationRefused("link", 404) for a bad or expired link."""
    try:
        payload = _serializer().loads(token, max_age=CONFIRM_MAX_AGE)
    except BadSignature as exc:
        raise ConsultationRefused("link", 404) from exc
    comment = db.session.get(ConsultationComment, payload.get("comment"))
    if comment is None or comment.email != payload.get("email"):
        raise ConsultationRefused("link", 404)
    if comment.confirmed_at is None:
        comment.confirmed_at = utcnow()
        record_event("consultation.comment_confirmed", "consultation_comment", comment.id)
    return comment


def confirmed_comments(consultation: Consultation) -> list[ConsultationComment]:
    return list(
        db.session.scalars(
            select(ConsultationComment)
            .where(
                ConsultationComment.consultation_id == consultation.id,
                ConsultationComment.confirmed_at.is_not(None),
            )
            .order_by(ConsultationComment.created_at, ConsultationComment.id)
        )
    )


def responses_of(consultation: Consultation, published_only: bool) -> list[ConsultationResponse]:
    query = select(ConsultationResponse).where(
        ConsultationResponse.consultation_id == consultation.id
    )
    if published_only:
        query = query.where(ConsultationResponse.published_at.is_not(None))
    return list(db.session.scalars(query.order_by(ConsultationResponse.id)))


def respond(
    consultation: Consultation,
    indicator_code: str,
    comment_ids: list[int],
    text: str,
    changed: str,
    actor: User,
) -> ConsultationResponse:
    """One response to the chosen comments on one indicator (each answered only once)."""
    chosen = [
        c
        for c in confirmed_comments(consultation)
        if c.id in set(comment_ids) and c.indicator_code == indicator_code
    ]
    if not chosen:
        raise ConsultationRefused("no_comment_chosen", 422)
    if any(c.response_id is not None for c in chosen):
        raise ConsultationRefused("answered_already")
    response = ConsultationResponse(
        consultation_id=consultation.id,
        indicator_code=indicator_code,
        text=text.strip(),
        changed=changed.strip(),
        author_id=actor.id,
    )
    db.session.add(response)
    db.session.flush()
    for comment in chosen:
        comment.response_id = response.id
    record_event("consultation.responded", "consultation_response", response.id, actor=actor)
    return response


def publish_responses(consultation: Consultation, actor: User) -> int:
    """Publish every response written since the last time, and tell each commenter they
    answered, in the language the comment was written in. Returns how many were published."""
    waiting = [r for r in responses_of(consultation, published_only=False) if not r.published_at]
    if not waiting:
        return 0
    now = utcnow()
    answered = {r.id: r for r in waiting}
    for response in waiting:
        response.published_at = now
    link = external_url(
        "consultation.page",
        framework_id=consultation.framework_id,
        version=consultation.draft_version,
    )
    for comment in confirmed_comments(consultation):
        if comment.response_id in answered:
            with force_locale(comment.language) if comment.language else nullcontext():
                queue_email(
                    comment.email,
                    "consultation_response",
                    comment=comment,
                    response=answered[comment.response_id],
                    consultation=consultation,
                    link=link,
                )
    record_event(
        "consultation.responses_published",
        "consultation",
        consultation.id,
        actor=actor,
        data={"responses": len(waiting)},
    )
    return len(waiting)


def publish_report(consultation: Consultation, actor: User) -> None:
    """Close the consultation and publish its report with the version."""
    if consultation.report_published_at is not None:
        raise ConsultationRefused("report_published")
    today = date.today()
    publish_responses(consultation, actor)
    consultation.closes_on = min(consultation.closes_on, today)
    consultation.report_published_at = utcnow()
    record_event("consultation.report_published", "consultation", consultation.id, actor=actor)


@dataclass(frozen=True)
class Topic:
    """What the report says of one indicator (or of the whole draft)."""

    code: str
    comments: int
    responses: list[ConsultationResponse]


def report(consultation: Consultation, framework: Framework) -> list[Topic]:
    """Per indicator with comments, in the framework's order (the whole draft first): how
    many comments, and the published responses with what changed."""
    counted = Counter(c.indicator_code for c in confirmed_comments(consultation))
    published = responses_of(consultation, published_only=True)
    order = [WHOLE] + [i.code for i in framework.indicators]
    return [
        Topic(code, counted[code], [r for r in published if r.indicator_code == code])
        for code in order
        if counted[code]
    ]


def notice(framework: Framework) -> dict | None:
    """What the criteria pages say of a version's consultation: open, closed, or its
    report (which stays with the version once it is adopted)."""
    found = consultation_of(framework.id, framework.version)
    if found is None:
        return None
    where = {"framework_id": found.framework_id, "version": found.draft_version}
    if found.report_published_at is not None:
        return {
            "text": _("The report of the public consultation on this version"),
            "url": url_for("consultation.report", **where),
        }
    if found.is_open(date.today()):
        text = _(
            "In public consultation until %(date)s: read the changes and comment",
            date=show_date(found.closes_on),
        )
    else:
        text = _("Public consultation closed on %(date)s", date=show_date(found.closes_on))
    return {"text": text, "url": url_for("consultation.page", **where)}
