"""What bodies plug into the layers below them: a body's staff reach the organisations of
the countries the body covers."""

from __future__ import annotations

from labelling.bodies.services import countries_acted_for
from labelling.organisations.models import STAFF_COUNTRIES


def register() -> None:
    STAFF_COUNTRIES.register("bodies", countries_acted_for)
