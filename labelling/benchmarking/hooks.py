"""What benchmarking plugs into the layers below it: it follows each application's lifecycle."""

from __future__ import annotations

from labelling.assessments.signals import application_transitioned
from labelling.benchmarking.services import follow_lifecycle


def register() -> None:
    application_transitioned.connect(follow_lifecycle)
