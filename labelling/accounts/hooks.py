"""What accounts plug into the layers below them: the language of an address for the outbox,
and the daily purge of ended sessions."""

from __future__ import annotations

from datetime import date

from labelling.accounts.services import language_of_address
from labelling.accounts.sessions import purge_expired_sessions
from labelling.jobs.scheduler import DAILY_DUTIES
from labelling.notifications.services import ADDRESS_LANGUAGES


def purge_ended_sessions(_today: date) -> None:
    purge_expired_sessions()


def register() -> None:
    ADDRESS_LANGUAGES.register("accounts", language_of_address)
    DAILY_DUTIES.register("purge-sessions", purge_ended_sessions)
