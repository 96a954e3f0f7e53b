"""The labelling bodies, public: who labels whom."""

from __future__ import annotations

from flask import Blueprint, render_template

from labelling.bodies.services import all_bodies
from labelling.core.languages import country_name
from labelling.frameworks.services import level_names

bp = Blueprint("bodies", __name__)


@bp.route("/bodies")
def index():
    return render_template(
        "bodies/index.html",
        bodies=all_bodies(),
        country_name=country_name,
        level_names=level_names(),
    )
