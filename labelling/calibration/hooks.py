"""What calibration plugs into the layers below it: the body's rule on who may be assigned,
and the exercises shown on the assessor's profile."""

from __future__ import annotations

from labelling.assessments.assignment import STANDING_RULES
from labelling.assessors.services import PROFILE_PANELS
from labelling.calibration.practice import profile_panel, standing


def register() -> None:
    STANDING_RULES.register("calibration", standing)
    PROFILE_PANELS.register("calibration", profile_panel)
