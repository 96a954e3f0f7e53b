"""The secretariat's pages: the queue, screening and assignment, and the decision."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("secretariat", __name__, url_prefix="/secretariat")


@bp.route("/applications")
@login_required
def queue():
    return render_template("secretariat/queue.html")
