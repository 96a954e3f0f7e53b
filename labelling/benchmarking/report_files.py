"""The benchmarking report: what it shows (the page and the PDF share it), and its PDF,
rendered once per version of what it shows and kept in the file storage.

A PDF costs WeasyPrint several hundred milliseconds; a stored one costs what a file does.
The version is the application's snapshot once it is decided (its report then says the
same thing for good, so it is rendered once), before that the benchmark data's version
with the application's own (a peer's new figures or a re-sent answer make a new one).
One PDF is kept per peer group, language and audience (the applicant sees the assessors'
recommendation only with the decision); a new version's PDF replaces the older one's.

With a job queue, a worker renders the applicant's PDF as soon as the application is
submitted and again when it is decided, so the team never waits for it; without one (the
embedded default) the first reader's download renders and stores it.
"""

from __future__ import annotations

import secrets
from datetime import date
from functools import cache
from typing import NamedTuple

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, delete, select
from sqlalchemy.exc import IntegrityError

from labelling.assessments import consolidation, services
from labelling.assessments.models import Application
from labelling.assessments.workflow import State
from labelling.benchmarking import report
from labelling.benchmarking.models import BenchmarkSnapshot, BenchmarkState, ReportFile
from labelling.benchmarking.peers import (
    GROUP_KINDS,
    data_version,
    default_group,
    ensure_gold_flags,
)
from labelling.benchmarking.services import group_sizes_of, min_peers, peer_view
from labelling.core.languages import country_name
from labelling.core.pdf import render_pdf
from labelling.core.storage import file_storage
from labelling.extensions import db
from labelling.jobs.queue import enqueue_after_commit, queue_configured
from labelling.organisations.models import TECHNOLOGY_AREAS


class NoBenchmark(LookupError):
    """The application has no benchmark yet: it is benchmarked when submitted."""


def report_context(application: Application, kind: str, with_recommendation: bool) -> dict:
    """What the report shows against the `kind` peer group. Raises NoBenchmark."""
    framework = services.framework_of(application)
    view = peer_view(application, framework, kind)
    if view is None:
        raise NoBenchmark(application.id)
    result = (
        consolidation.assessed_result(application, framework)
        if application.is_decided
        else services.score_of(application, framework)
    )
    strengths, gaps = report.strengths_and_gaps(framework, result)
    return {
        "application": application,
        "framework": framework,
        "view": view,
        "kind": kind,
        "group_kinds": GROUP_KINDS,
        "group_values": _group_value_labels(view.group_values),
        "sections": report.indicator_sections(framework, view, result),
        "further": report.further_figures(framework, view),
        "strengths": strengths,
        "gaps": gaps,
        "recommendation": application.recommendation if with_recommendation else None,
        "box_width": report.BOX_WIDTH,
        "min_peers": min_peers(),
    }


def _group_value_labels(values: dict) -> dict[str, str]:
    """How the organisation's own groups read: "ICT", "Germany", "50-99 members"."""
    return {
        "technology_area": str(TECHNOLOGY_AREAS.get(values["technology_area"], "")),
        "country": country_name(values["country"]),
        "size": _("%(band)s members", band=values["size"]),
    }


def report_pdf(application: Application, kind: str, language: str, with_recommendation: bool):
    """The report's PDF: the one stored for this version, else rendered now and stored.
    Raises NoBenchmark. The caller commits."""
    facts = _read_facts(application, kind, language, with_recommendation)
    version = _version(application, facts)
    if facts.stored_version == version:
        try:
            return file_storage().read(facts.stored_key)
        except FileNotFoundError:  # the file was lost: render it again
            db.session.execute(delete(ReportFile).where(ReportFile.file_key == facts.stored_key))
    with force_locale(language):
        context = report_context(application, kind, with_recommendation)
        pdf = render_pdf(render_template("benchmarking/report_pdf.html", **context))
    kept = ReportFile(
        application_id=application.id,
        kind=kind,
        language=language,
        with_recommendation=with_recommendation,
        version=version,
        file_key=secrets.token_hex(16),
        size=len(pdf),
    )
    _keep(kept, pdf)
    return pdf


def _same_report(application_id: int, kind: str, language: str, with_recommendation: bool):
    """The stored files of one report, whatever their version."""
    return and_(
        ReportFile.application_id == application_id,
        ReportFile.kind == kind,
        ReportFile.language == language,
        ReportFile.with_recommendation == with_recommendation,
    )


class _Facts(NamedTuple):
    snapshot_id: int | None
    data_version: int | None
    gold_checked_on: date | None
    stored_version: str | None
    stored_key: str | None


def _read_facts(application: Application, kind, language, with_recommendation) -> _Facts:
    """Everything the version of a report and its stored file depend on, in one statement
    built once: a stored PDF's download is mostly this and the permission check (issue
    27)."""
    row = db.session.execute(
        _facts_statement(),
        {
            "application_id": application.id,
            "kind": kind,
            "language": language,
            "with_recommendation": with_recommendation,
        },
    ).one()
    return _Facts(*row)


@cache
def _facts_statement():
    def state(column):
        return select(column).where(BenchmarkState.id == 1).scalar_subquery()

    report_of = _same_report(
        bindparam("application_id"),
        bindparam("kind"),
        bindparam("language"),
        bindparam("with_recommendation"),
    )

    def stored(column):
        return (
            select(column)
            .where(report_of)
            .order_by(ReportFile.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    return select(
        select(BenchmarkSnapshot.id)
        .where(BenchmarkSnapshot.application_id == bindparam("application_id"))
        .scalar_subquery(),
        state(BenchmarkState.data_version),
        state(BenchmarkState.gold_checked_on),
        stored(ReportFile.version),
        stored(ReportFile.file_key),
    )


def _version(application: Application, facts: _Facts) -> str:
    """What the PDF's content depends on, beyond its group, language and audience: the
    snapshot once decided, else the benchmark data and the application's answers."""
    if facts.snapshot_id is not None:
        return f"snapshot-{facts.snapshot_id}"
    version = facts.data_version or 0
    today = date.today()
    if facts.gold_checked_on != today:  # a label changed, or a day passed: the groups may
        ensure_gold_flags(today, facts.gold_checked_on)
        version = data_version()
    answers = (application.answers_sha256 or "")[:16]
    return f"live-{version}-{application.row_version}-{answers}"


def _keep(kept: ReportFile, pdf: bytes) -> None:
    """Store the file and its row; two renders of one version at once keep the first."""
    storage = file_storage()
    storage.write(kept.file_key, pdf)
    try:
        with db.session.begin_nested():
            db.session.add(kept)
    except IntegrityError:
        storage.delete(kept.file_key)
        return
    report_of = _same_report(
        kept.application_id, kept.kind, kept.language, kept.with_recommendation
    )
    older = db.session.scalars(
        select(ReportFile).where(report_of, ReportFile.version != kept.version)
    )
    for replaced in older:
        storage.delete(replaced.file_key)
        db.session.delete(replaced)


# --- rendered ahead, by a worker ---------------------------------------------------------


def render_applicants_report(application_id: int) -> None:
    """The task: the applicant's PDF in its default group and the applicant's language."""
    application = db.session.get(Application, application_id)
    if application is None:
        return
    kind = default_group(group_sizes_of(application) or {}, min_peers())
    applicant = application.created_by
    language = (applicant and applicant.locale) or current_app.config["BABEL_DEFAULT_LOCALE"]
    try:
        report_pdf(application, kind, language, with_recommendation=application.is_decided)
    except NoBenchmark:
        return


RENDERED_AHEAD = (State.SUBMITTED, State.AWARDED, State.REFUSED)


def render_ahead(application: Application, *, to_state, **_extra) -> None:
    """Receiver of assessments.signals.application_transitioned: with a worker to do it,
    the applicant's PDF is rendered once the application is submitted or decided."""
    if to_state in RENDERED_AHEAD and queue_configured():
        key = f"benchmarking-report-{application.id}-{to_state}"
        enqueue_after_commit("benchmarking.report_pdf", application.id, key=key)
