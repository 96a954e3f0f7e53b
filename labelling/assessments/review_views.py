"""The assessor's pages: assignments, the scoring workspace, questions, consolidation,
recommendation and the assessment report."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("review", __name__)


@bp.route("/assignments")
@login_required
def assignments():
    return render_template("review/assignments.html")
