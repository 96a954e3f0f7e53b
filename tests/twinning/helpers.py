"""Organisations with a decided benchmarking on the `mini` framework, for twinning tests.

Mini's indicators: 1.1 committed share (Gold >= 50 %, baseline >= 25 %), 1.2 regional share
(Gold >= 50 %), 2.1 staff turnover (Gold <= 30 %), 2.2 strategy (rubric; Gold >= 3,
baseline >= 2). With fewer than five peers no quartile is shown, so the marks come from
the thresholds alone: Gold met is strong, below the baseline is weak.
"""

from __future__ import annotations

from labelling.accounts.models import Role
from labelling.assessments import decisions
from labelling.assessments.workflow import State
from labelling.extensions import db
from tests.factories import create_user, force_state, submitted_application

# Weak on 1.1 and 2.2 (below the baseline), strong on 1.2 and 2.1 (Gold met).
LEARNER = {"members": 40, "committed": 8, "regional": 30, "turnover": 20, "strategy": 1}
# Strong on 1.1 and 2.2; 1.2 and 2.1 neither (no baseline, no quartile).
TEACHER = {"members": 40, "committed": 30, "regional": 5, "turnover": 50, "strategy": 4}


def decider():
    found = db.session.scalar(
        db.select(db.text("id"))
        .select_from(db.text('"user"'))
        .where(db.text("email = 'decider@example.org'"))
    )
    if found is None:
        return create_user("decider@example.org", "Dora Decider", roles=(Role.SECRETARIAT,))
    from labelling.accounts.models import User

    return db.session.get(User, found)


def decided(manager, answers, **organisation):
    """An organisation of `manager` whose bronze application on `answers` was decided
    (refused: the benchmarking counts all the same), through the real decision."""
    application = submitted_application(manager, "bronze", answers, **organisation)
    force_state(application, State.ASSESSED)
    decisions.refuse_label(application, decider(), "Decided for the twinning tests.")
    db.session.commit()
    return application.organisation


def benchmark_again(organisation, manager, answers):
    """A later decided application of the same organisation."""
    from labelling.assessments import services
    from labelling.assessments.models import Answer
    from labelling.frameworks.services import current_framework

    framework = current_framework()
    application = services.start_application(organisation, "bronze", "new", manager, framework)
    for question_id, value in answers.items():
        application.answers.append(Answer(question_id=question_id, value=value))
    db.session.flush()
    services.submit_application(application, framework, manager, "Maria Manager", "Manager")
    db.session.commit()
    force_state(application, State.ASSESSED)
    decisions.refuse_label(application, decider(), "Decided again for the twinning tests.")
    db.session.commit()
    return application


def settings_data(**overrides) -> dict:
    data = {
        "is_active": "y",
        "languages": ["en", "de"],
        "country_choice": "prefer_abroad",
        "capacity": "2",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
