"""Which label the registry shows for an organisation, day by day (pure).

On any day an organisation is listed with at most one label: among the labels it holds
that day, an active one before a suspended one, then the highest level, then the one
valid longest, then the newest. The answer changes only on the days a label starts or
stops being held, so an organisation's whole history is a short list of periods, each
with the label shown. The registry stores those periods; "listed today" is then a
comparison of two dates, and a label whose end has passed drops out without any job.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

REVOKED = "revoked"
ACTIVE = "active"


@dataclass(frozen=True)
class HeldLabel:
    """What the choice of the shown label needs to know about one label."""

    id: int
    level_rank: int
    status: str  # as stored: active, suspended or revoked
    valid_from: date
    valid_until: date
    revoked_on: date | None = None  # the day a revocation took effect

    @property
    def held_until(self) -> date:
        """The last day the label counts as held: a revocation ends it the day before it
        was made, so a label revoked today is no longer listed today."""
        if self.status == REVOKED:
            revoked = self.revoked_on or self.valid_from
            return min(self.valid_until, revoked - timedelta(days=1))
        return self.valid_until

    def held_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.held_until

    def preference(self) -> tuple:
        return (self.status == ACTIVE, self.level_rank, self.valid_until, self.id)


@dataclass(frozen=True)
class Period:
    """From shown_from to shown_until (both included) the registry shows label_id."""

    label_id: int
    shown_from: date
    shown_until: date


def shown_on(labels: list[HeldLabel], day: date) -> int | None:
    """The label shown on `day`, by the rule itself (the reference for `periods`)."""
    held = [label for label in labels if label.held_on(day)]
    return max(held, key=HeldLabel.preference).id if held else None


def periods(labels: list[HeldLabel]) -> list[Period]:
    """The organisation's history as periods with one shown label each, in date order.

    The shown label can only change where some label starts or stops being held, so the
    rule is evaluated once between each pair of such days; neighbours showing the same
    label are merged.
    """
    held = [label for label in labels if label.valid_from <= label.held_until]
    edges = sorted(
        {label.valid_from for label in held}
        | {label.held_until + timedelta(days=1) for label in held}
    )
    found: list[Period] = []
    for start, next_start in itertools.pairwise(edges):
        label_id = shown_on(held, start)
        if label_id is None:
            continue
        end = next_start - timedelta(days=1)
        last = found[-1] if found else None
        if last and last.label_id == label_id and last.shown_until + timedelta(days=1) == start:
            found[-1] = Period(label_id, last.shown_from, end)
        else:
            found.append(Period(label_id, start, end))
    return found
