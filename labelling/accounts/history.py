"""The history people read: audit events grouped by day, and within a day by who did the
same thing in a row ("Ana Ribeiro rated 31 indicators"), each group opening to its single
events. The audit log itself stays complete; this only shapes how it reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import groupby

from flask_babel import ngettext
from sqlalchemy import select

from labelling.accounts.models import User
from labelling.core.audit import AuditEvent, action_label
from labelling.extensions import db


@dataclass
class HistoryGroup:
    """Consecutive events of one action by one person on one day."""

    action: str
    actor_name: str | None
    events: list[AuditEvent] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """What the group did, in words: one event's own label, or a counted phrase."""
        count = len(self.events)
        if count == 1:
            return action_label(self.action)
        counted = _counted_phrases(count).get(self.action)
        if counted:
            return counted
        return ngettext(
            "%(action)s (%(num)d time)",
            "%(action)s (%(num)d times)",
            count,
            action=action_label(self.action),
        )


def _counted_phrases(count: int) -> dict[str, str]:
    return {
        "application.indicator_scored": ngettext(
            "rated %(num)d indicator", "rated %(num)d indicators", count
        ),
        "application.indicator_consolidated": ngettext(
            "consolidated %(num)d indicator", "consolidated %(num)d indicators", count
        ),
        "application.answers_saved": ngettext(
            "saved answers %(num)d time", "saved answers %(num)d times", count
        ),
        "application.evidence_added": ngettext(
            "added %(num)d piece of evidence", "added %(num)d pieces of evidence", count
        ),
        "email.queued": ngettext("%(num)d e-mail queued", "%(num)d e-mails queued", count),
    }


@dataclass
class HistoryDay:
    day: date
    groups: list[HistoryGroup]


def group_history(events: list[AuditEvent], names: dict[int, str]) -> list[HistoryDay]:
    """Events in time order -> days, newest first; within a day, runs of the same action
    by the same person, in the order they happened."""
    days = []
    for day, on_day in groupby(events, key=lambda event: event.created_at.date()):
        groups = [
            HistoryGroup(action, names.get(actor_id) if actor_id else None, list(run))
            for (actor_id, action), run in groupby(
                on_day, key=lambda event: (event.actor_id, event.action)
            )
        ]
        days.append(HistoryDay(day, groups))
    return list(reversed(days))


def actor_names(events: list[AuditEvent]) -> dict[int, str]:
    """user id -> full name, for the people behind the events, in one query."""
    ids = {event.actor_id for event in events if event.actor_id}
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


def readable_history(events: list[AuditEvent]) -> list[HistoryDay]:
    return group_history(events, actor_names(events))
