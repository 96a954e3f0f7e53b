"""Registry statistics: labelled organisations by level, by country and over the years."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from labelling.certificates.models import Label, LabelStatus
from labelling.extensions import db
from labelling.organisations.models import Organisation
from labelling.registry.search import current_labels


@dataclass(frozen=True)
class LabelSpan:
    """When a label counted as held: from valid_from to its expiry or its revocation."""

    organisation_id: int
    level: str
    valid_from: date
    held_until: date

    def held_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.held_until


def per_level(today: date, level_ranks: dict[str, int]) -> Counter:
    current = current_labels(today, level_ranks)
    rows = db.session.execute(select(current.c.level, func.count()).group_by(current.c.level))
    return Counter(dict(rows.all()))


def per_country(today: date, level_ranks: dict[str, int]) -> dict[str, Counter]:
    """country code -> Counter of levels, for organisations labelled today."""
    current = current_labels(today, level_ranks)
    rows = db.session.execute(
        select(Organisation.country_code, current.c.level, func.count())
        .join(current, current.c.organisation_id == Organisation.id)
        .group_by(Organisation.country_code, current.c.level)
    )
    table: dict[str, Counter] = defaultdict(Counter)
    for country, level, count in rows:
        table[country][level] = count
    return dict(table)


def label_spans() -> list[LabelSpan]:
    spans = []
    for label in db.session.scalars(select(Label)):
        held_until = label.valid_until
        if label.status == LabelStatus.REVOKED and label.status_changed_at is not None:
            held_until = min(held_until, label.status_changed_at.date())
        spans.append(LabelSpan(label.organisation_id, label.level, label.valid_from, held_until))
    return spans


def held_at_year_ends(
    spans: list[LabelSpan], today: date, level_ranks: dict[str, int]
) -> list[tuple[int, Counter]]:
    """(year, Counter of levels) of organisations holding a label at each year's end (today,
    for the current year), each organisation counted once at its highest level."""
    if not spans:
        return []
    first_year = min(span.valid_from.year for span in spans)
    years = []
    for year in range(first_year, today.year + 1):
        day = min(date(year, 12, 31), today)
        best: dict[int, str] = {}
        for span in spans:
            if span.held_on(day):
                known = best.get(span.organisation_id)
                if known is None or level_ranks.get(span.level, 0) > level_ranks.get(known, 0):
                    best[span.organisation_id] = span.level
        years.append((year, Counter(best.values())))
    return years
