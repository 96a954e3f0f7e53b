"""What benchmarking plugs into the layers below it: it follows each application's
lifecycle and every change to a label, and renders the applicant's report PDF in the
background."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from labelling.assessments.signals import application_transitioned
from labelling.benchmarking.peers import follow_labels
from labelling.benchmarking.report_files import render_ahead, render_applicants_report
from labelling.benchmarking.services import follow_lifecycle
from labelling.jobs.queue import TASKS


def register() -> None:
    application_transitioned.connect(follow_lifecycle)
    application_transitioned.connect(render_ahead)  # after the entry is recorded
    TASKS.register("benchmarking.report_pdf", render_applicants_report)
    if not event.contains(Session, "after_flush", follow_labels):
        event.listen(Session, "after_flush", follow_labels)
