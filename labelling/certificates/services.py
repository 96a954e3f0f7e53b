"""Label services: the label an award creates, and the labels an organisation holds."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date
from typing import NamedTuple

from babel import Locale
from flask import current_app
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import case, func, select, update

from labelling.assessments.models import Application
from labelling.bodies.services import name_of
from labelling.certificates.models import Certificate, Label, LabelStatus
from labelling.certificates.rendering import certificate_number, render_certificate, signatories
from labelling.certificates.validity import label_validity
from labelling.core.audit import current_chain_head, record_event
from labelling.core.dates import show_date
from labelling.core.http import external_url
from labelling.core.storage import file_storage
from labelling.criteria.framework import Framework
from labelling.criteria.translations import localised
from labelling.db import utcnow
from labelling.extensions import db
from labelling.frameworks.messages import framework_name
from labelling.jobs.queue import enqueue_after_commit
from labelling.notifications.services import queue_email


def labels_of(organisation_id: int) -> list[Label]:
    """Every label of the organisation, newest first."""
    return list(
        db.session.scalars(
            select(Label)
            .where(Label.organisation_id == organisation_id)
            .order_by(Label.valid_until.desc(), Label.id.desc())
        )
    )


def latest_label(organisation_id: int, level: str | None = None) -> Label | None:
    """The organisation's most recent label that was not revoked (of `level`, if given)."""
    for label in labels_of(organisation_id):
        if label.status != LabelStatus.REVOKED and level in (None, label.level):
            return label
    return None


def create_label_for(
    application: Application, framework: Framework, valid_until: date | None = None
) -> Label:
    """The label an awarded application gives its organisation.

    A renewal within the level's window continues the previous label of the same level
    with no gap (see validity.label_validity). Requires an awarded application with its
    level and assessment date; flushes, never commits. `valid_until` is for labels from
    the existing register, whose end date the register states.
    """
    level = framework.level(application.awarded_level)
    previous = latest_label(application.organisation_id, level.id)
    valid_from, computed_until = label_validity(
        level, application.assessment_date, previous.valid_until if previous else None
    )
    valid_until = valid_until or computed_until
    label = Label(
        organisation_id=application.organisation_id,
        application_id=application.id,
        level=level.id,
        framework_id=framework.id,
        framework_version=framework.version,
        assessment_date=application.assessment_date,
        valid_from=valid_from,
        valid_until=valid_until,
        previous_label_id=previous.id if previous else None,
    )
    db.session.add(label)
    db.session.flush()
    record_event(
        "label.created",
        "label",
        label.id,
        actor=application.decided_by,
        data={
            "application": application.id,
            "level": level.id,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat(),
        },
    )
    return label


def create_label_on_award(application: Application, framework: Framework, **_extra) -> None:
    """Receiver of assessments.signals.application_awarded: the label and its certificate."""
    label = create_label_for(application, framework)
    issue_certificate(label, framework, application.decided_by)


def current_certificate(label: Label) -> Certificate | None:
    return db.session.scalars(
        select(Certificate).where(Certificate.label_id == label.id).order_by(Certificate.id.desc())
    ).first()


def current_certificates(label_ids: list[int]) -> dict[int, Certificate]:
    """label id -> its newest certificate, in one query (for lists and downloads)."""
    if not label_ids:
        return {}
    newest = (
        select(func.max(Certificate.id))
        .where(Certificate.label_id.in_(label_ids))
        .group_by(Certificate.label_id)
    )
    found = db.session.scalars(select(Certificate).where(Certificate.id.in_(newest)))
    return {certificate.label_id: certificate for certificate in found}


def superseding_number(certificate: Certificate) -> str | None:
    """The number of the reissue that replaced this certificate, if any."""
    return db.session.scalar(
        select(Certificate.number).where(Certificate.supersedes_id == certificate.id)
    )


def _unused_number(label: Label) -> str:
    while True:  # 40 random bits: a collision is rare, but never reuse a number
        number = certificate_number(
            label.level, label.organisation.country_alpha3, label.assessment_date.year
        )
        if db.session.scalar(select(Certificate.id).where(Certificate.number == number)) is None:
            return number


def country_in(organisation, language: str) -> str:
    """The organisation's country named in `language` (Babel's territory names)."""
    return Locale.parse(language).territories.get(organisation.country_code) or (
        organisation.country_name
    )


def issue_certificate(label: Label, framework: Framework, actor) -> Certificate:
    """Issue the label's certificate; a reissue supersedes the current one.

    The certificate is its number and a primitives-only context, kept with it; a job
    enqueued after the commit renders the PDF from that context (through the static-only
    URL fetcher) and stores its bytes and SHA-256, which are then served as issued. So an
    award, or an import of a whole register, does not wait for WeasyPrint.
    """
    language = label.organisation.language or "en"
    framework = localised(framework, language)  # the criteria's words in that language
    level = framework.level(label.level)
    number = _unused_number(label)
    config = current_app.config
    body_name = (
        name_of(label.application.body_id) or config["LABELLING_BODY_NAME"] or framework.issuer
    )
    context = {
        "number": number,
        "organisation_name": label.organisation.legal_name,
        "country_name": country_in(label.organisation, language),
        "country_name_en": label.organisation.country_name,
        "level": level.id,
        "level_name": level.name,
        "level_rank": level.rank,
        "tagline": level.tagline,
        "framework": framework_name(framework),
        # The long form of the locale: a certificate is read, framed and quoted.
        "assessment_date": show_date(label.assessment_date, "long"),
        "valid_until": show_date(label.valid_until, "long"),
        "issued_on": show_date(date.today(), "long"),
        # One issuer: the body that labels (the framework's owner only when none is named).
        "issuer": body_name,
        "body_name": body_name,
        "signatories": signatories(config["CERTIFICATE_SIGNATORIES"]),
        "verify_url": external_url("verify.certificate", number=number),
        "language": language,
        "assessed_iso": label.assessment_date.isoformat(),
        "valid_until_iso": label.valid_until.isoformat(),
        "issued_iso": date.today().isoformat(),
        # The audit chain as it stood at issue: published here, it anchors the chain.
        "audit_head": current_chain_head(),
    }
    previous = current_certificate(label)
    certificate = Certificate(
        label_id=label.id,
        number=number,
        context=context,
        issued_by_id=getattr(actor, "id", None),
        supersedes_id=previous.id if previous else None,
    )
    db.session.add(certificate)
    db.session.flush()
    record_event(
        "label.certificate_issued",
        "label",
        label.id,
        actor=actor,
        data={"number": number, "supersedes": previous.number if previous else None},
    )
    enqueue_after_commit("certificate.render", certificate.id, key=f"certificate-{certificate.id}")
    return certificate


def store_certificate_pdf(certificate_id: int) -> bool:
    """Render the certificate from its kept context into the file storage, unless it is
    stored already; True when this call stored it; the caller commits. Two at once (a
    retried job, a download meanwhile) store it once: only the first UPDATE finds the
    row without a checksum, and the other removes the file it wrote."""
    context = db.session.scalar(
        select(Certificate.context).where(
            Certificate.id == certificate_id, Certificate.sha256.is_(None)
        )
    )
    if context is None:
        return False
    pdf = render_certificate(context)
    key = secrets.token_hex(16)
    storage = file_storage()
    storage.write(key, pdf)
    stored = db.session.execute(
        update(Certificate)
        .where(Certificate.id == certificate_id, Certificate.sha256.is_(None))
        .values(pdf_key=key, sha256=hashlib.sha256(pdf).hexdigest()),
        execution_options={"synchronize_session": False},
    )
    if stored.rowcount != 1:
        storage.delete(key)
        return False
    return True


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate's PDF as issued; rendered and stored now if its job has not run
    yet (the worker is busy or away), so that nobody waits for it. The caller commits."""
    if certificate.sha256 is None:
        store_certificate_pdf(certificate.id)
        db.session.refresh(certificate, ["pdf_key", "pdf", "sha256"])
    if certificate.pdf_key:
        return file_storage().read(certificate.pdf_key)
    return certificate.pdf


def certificate_by_number(number: str) -> Certificate | None:
    # Anything but letters, digits and dashes cannot be a number of ours; don't look it up.
    if not re.fullmatch(r"[A-Za-z0-9-]{1,40}", number):
        return None
    return db.session.scalar(select(Certificate).where(Certificate.number == number.upper()))


def certificate_by_pdf(content: bytes) -> Certificate | None:
    """The certificate whose issued PDF is exactly these bytes: any change, even one byte,
    finds nothing."""
    digest = hashlib.sha256(content).hexdigest()
    return db.session.scalar(select(Certificate).where(Certificate.sha256 == digest))


def verification_status(certificate: Certificate, today: date | None = None) -> str:
    """What verification says: superseded by a reissue, else the label's status today."""
    if superseding_number(certificate) is not None:
        return "superseded"
    return certificate.label.status_on(today or date.today()).value


class HeldLabel(NamedTuple):
    """A label as pages show it: with its status on the day and its current certificate."""

    label: Label
    status: LabelStatus
    certificate: Certificate | None


def held_labels(organisation_id: int, today: date | None = None) -> list[HeldLabel]:
    """Every label of the organisation, newest first, with status and certificate."""
    return _held(labels_of(organisation_id), today)


def label_of_application(application_id: int, today: date | None = None) -> HeldLabel | None:
    """The label an award of this application gave, if any."""
    label = db.session.scalar(select(Label).where(Label.application_id == application_id))
    return held_label(label, today) if label is not None else None


def held_label(label: Label, today: date | None = None) -> HeldLabel:
    return _held([label], today)[0]


def _held(labels: list[Label], today: date | None) -> list[HeldLabel]:
    today = today or date.today()
    issued = current_certificates([label.id for label in labels])
    return [HeldLabel(label, label.status_on(today), issued.get(label.id)) for label in labels]


# --- suspension, restoration, revocation ---------------------------------------------------

# action -> (the statuses on the day it may start from, the stored status it leads to)
LABEL_ACTIONS = {
    "suspend": ({LabelStatus.ACTIVE, LabelStatus.NOT_YET_VALID}, LabelStatus.SUSPENDED),
    "restore": ({LabelStatus.SUSPENDED}, LabelStatus.ACTIVE),
    "revoke": (
        {
            LabelStatus.ACTIVE,
            LabelStatus.NOT_YET_VALID,
            LabelStatus.SUSPENDED,
            LabelStatus.EXPIRED,
        },
        LabelStatus.REVOKED,
    ),
}
REASON_REQUIRED = {"suspend", "revoke"}


class LabelActionRefused(Exception):
    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


def can_change(label: Label, action: str, today: date | None = None) -> bool:
    sources, _target = LABEL_ACTIONS[action]
    return label.status_on(today or date.today()) in sources


def change_label_status(label: Label, action: str, actor, reason: str = "") -> None:
    """Suspend (reversible), restore, or revoke (final) a label, with the reason the public
    verification shows. Raises LabelActionRefused("state" or "reason_required"); audits
    and tells the organisation's managers."""
    if not can_change(label, action):
        raise LabelActionRefused("state")
    if action in REASON_REQUIRED and not reason.strip():
        raise LabelActionRefused("reason_required")
    before = label.status_on(date.today())
    _sources, target = LABEL_ACTIONS[action]
    label.status = target.value
    # A restored label carries no reason; a suspended or revoked one shows it publicly.
    label.status_reason = None if target == LabelStatus.ACTIVE else reason.strip()
    label.status_changed_at = utcnow()
    db.session.flush()
    record_event(
        f"label.{action}",
        "label",
        label.id,
        actor=actor,
        from_state=before.value,
        to_state=target.value,
        comment=reason.strip() or None,
    )
    for membership in label.organisation.memberships:
        if membership.role == "manager" and membership.user.is_enabled:
            queue_email(
                membership.user.email,
                "label_status_changed",
                recipient=membership.user,
                label=label,
                action=action,
                reason=reason.strip(),
            )


def label_figures():
    """For /metrics: labels by status today (an active label past its date is expired)."""
    labels = GaugeMetricFamily("labelling_labels", "Labels by status today", labels=["status"])
    status = case(
        ((Label.status == "active") & (Label.valid_until < date.today()), "expired"),
        else_=Label.status,
    )
    for name, count in db.session.execute(select(status, func.count()).group_by(status)):
        labels.add_metric([name], count)
    yield labels


def has_held_a_label(organisation_id: int) -> bool:
    """Whether the organisation ever held a label: it is public from then on (the registry
    lists it, its history stays public, complaints about it may be made)."""
    return (
        db.session.scalar(select(Label.id).where(Label.organisation_id == organisation_id).limit(1))
        is not None
    )
