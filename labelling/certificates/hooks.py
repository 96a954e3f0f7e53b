"""What labels plug into the layers below them: a label for each award, the certificate's
rendering job, the expiry reminders, the labels' figure, the labels a previous-label rule
reads, and the labels shown on an organisation's and an application's page."""

from __future__ import annotations

from labelling.assessments.services import LABEL_SOURCES
from labelling.assessments.signals import application_awarded, application_page
from labelling.certificates.reminders import label_expiry
from labelling.certificates.services import (
    create_label_on_award,
    held_labels,
    label_figures,
    label_of_application,
    labels_of,
    store_certificate_pdf,
)
from labelling.core.observability import FIGURES
from labelling.jobs.queue import TASKS
from labelling.notifications.reminders import REMINDERS
from labelling.organisations.signals import organisation_page


def labels_on_organisation_page(organisation, **_context) -> dict:
    return {"labels": held_labels(organisation.id)}


def label_on_application_page(application, **_context) -> dict:
    return {"held": label_of_application(application.id) if application.is_decided else None}


def register() -> None:
    application_awarded.connect(create_label_on_award)
    organisation_page.connect(labels_on_organisation_page)
    application_page.connect(label_on_application_page)
    TASKS.register("certificate.render", store_certificate_pdf)
    REMINDERS.register("label-expiry", label_expiry)
    FIGURES.register("labels", label_figures)
    LABEL_SOURCES.register("platform", labels_of)
