"""What labels plug into the layers below them: a label for each award, the certificate's
rendering job, the expiry reminders, the labels' figure, and the labels a previous-label
rule reads."""

from __future__ import annotations

from labelling.assessments.services import LABEL_SOURCES
from labelling.assessments.signals import application_awarded
from labelling.certificates.reminders import label_expiry
from labelling.certificates.services import (
    create_label_on_award,
    label_figures,
    labels_of,
    store_certificate_pdf,
)
from labelling.core.observability import FIGURES
from labelling.jobs.queue import TASKS
from labelling.notifications.reminders import REMINDERS


def register() -> None:
    application_awarded.connect(create_label_on_award)
    TASKS.register("certificate.render", store_certificate_pdf)
    REMINDERS.register("label-expiry", label_expiry)
    FIGURES.register("labels", label_figures)
    LABEL_SOURCES.register("platform", labels_of)
