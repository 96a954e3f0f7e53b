"""What agreement plugs into the layers below it: it keeps the pairs of every decision."""

from __future__ import annotations

from labelling.agreement.capture import follow_lifecycle
from labelling.assessments.signals import application_transitioned


def register() -> None:
    application_transitioned.connect(follow_lifecycle)
