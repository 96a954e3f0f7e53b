"""The assessors' blueprint, and the guards its two page modules share: `review_views` (the
assignments and the scoring workspace) and `lead_views` (consolidation, recommendation,
the report) add their routes to it."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from labelling.assessments.models import Application
from labelling.assessments.workflow import Actor
from labelling.core.http import get_or_404, require

bp = Blueprint("review", __name__)


def assessor_application(app_id: int) -> Application:
    application = get_or_404(Application, app_id)
    require(Actor.ASSESSOR in application.actors_for(current_user))
    return application


def lead_application(app_id: int) -> Application:
    application = get_or_404(Application, app_id)
    require(Actor.LEAD_ASSESSOR in application.actors_for(current_user))
    return application
