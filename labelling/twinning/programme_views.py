"""The programme's pages: the secretariat's view of all twinning, and the public counts."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from labelling.core.http import require
from labelling.core.languages import page_locale
from labelling.criteria.translations import localised
from labelling.extensions import db
from labelling.frameworks.services import current_framework, loaded
from labelling.twinning import statistics
from labelling.twinning.models import Partnership
from labelling.twinning.wording import STATE_LABELS

bp = Blueprint("twinning_programme", __name__)


def _framework_ids() -> list[str]:
    """The current framework first, then any other a partnership was made under."""
    found = [current_framework().id]
    for (framework_id,) in db.session.execute(select(Partnership.framework_id).distinct()):
        if framework_id not in found:
            found.append(framework_id)
    return found


@bp.route("/secretariat/twinning")
@login_required
def secretariat():
    require(current_user.is_staff)
    frameworks = []
    for framework_id in _framework_ids():
        try:
            framework = loaded().get(framework_id)
        except KeyError:
            continue  # a framework no longer loaded: its partnerships still count above
        frameworks.append((framework, statistics.effects(framework_id)))
    return render_template(
        "twinning/programme.html",
        programme=statistics.programme(),
        frameworks=frameworks,
        state_labels=STATE_LABELS,
        min_group=statistics.min_group(),
    )


@bp.route("/twinning/statistics")
def public():
    framework = localised(current_framework(), page_locale())
    return render_template(
        "twinning/public.html",
        counts=statistics.public_counts(),
        area_names={area.code: area.name for area in framework.areas},
    )
