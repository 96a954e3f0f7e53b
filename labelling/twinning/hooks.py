"""What twinning plugs into the layers below it: it follows each decided benchmarking,
reminds of unanswered requests, and shows its way in on the organisation's page."""

from __future__ import annotations

from labelling.benchmarking.signals import benchmark_decided
from labelling.notifications.reminders import REMINDERS
from labelling.organisations.signals import organisation_page
from labelling.twinning import profiles, standing
from labelling.twinning.reminders import unanswered_requests


def follow_decided_benchmarking(application, *, entry, framework, result, snapshot, **_extra):
    """Receiver of benchmarking's benchmark_decided: new marks, and the profile follows."""
    standing.record_marks(application, entry, framework, result, snapshot)
    profiles.follow_marks(entry.organisation_id, framework)


def twinning_on_organisation_page(organisation, user=None, **_context) -> dict:
    """The team sees whether twinning is open to it and on."""
    if user is None or organisation.membership_of(user) is None:
        return {}
    profile = profiles.profile_of(organisation.id)
    return {
        "twinning": {
            "is_active": bool(profile and profile.is_active),
            "is_open": standing.decided_entry(organisation.id) is not None,
        }
    }


def register() -> None:
    benchmark_decided.connect(follow_decided_benchmarking)
    organisation_page.connect(twinning_on_organisation_page)
    REMINDERS.register("twinning-unanswered", unanswered_requests)
