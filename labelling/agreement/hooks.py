"""What agreement plugs into the layers below it: it keeps the pairs of every decision, and
its figures are computed again in the background."""

from __future__ import annotations

from labelling.agreement.capture import follow_lifecycle
from labelling.agreement.summary import refresh_group, refresh_version
from labelling.assessments.signals import application_transitioned
from labelling.jobs.queue import TASKS


def register() -> None:
    application_transitioned.connect(follow_lifecycle)
    TASKS.register("agreement.refresh", refresh_group)
    TASKS.register("agreement.refresh-version", refresh_version)
