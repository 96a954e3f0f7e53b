"""Registry statistics: labelled organisations by level, by country and over the years.

All of it is aggregated by the database from the read model; no label is loaded into
Python. "Held on a day" is what the registry listed that day (`registry.timeline`): each
organisation once, with the label the registry showed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import and_, case, func, select

from labelling.extensions import db
from labelling.registry.search import Cube, entry


def per_level(cube: Cube) -> Counter:
    """level -> organisations listed today."""
    counts: Counter = Counter()
    for level, _country, _area, _status, _year, n in cube:
        counts[level] += n
    return counts


def per_country(cube: Cube) -> dict[str, Counter]:
    """country code -> Counter of levels, for organisations listed today."""
    table: dict[str, Counter] = defaultdict(Counter)
    for level, country, _area, _status, _year, n in cube:
        table[country][level] += n
    return dict(table)


def year_end_days(first_year: int, today: date) -> list[date]:
    """The last day of each year from first_year on, and today for the current year."""
    return [min(date(year, 12, 31), today) for year in range(first_year, today.year + 1)]


def held_at_year_ends(today: date) -> list[tuple[int, Counter]]:
    """(year, Counter of levels) of the organisations listed at each year's end (today,
    for the current year): one scan, one conditional count per year and level."""
    first = db.session.scalar(select(func.min(entry.c.shown_from)))
    if first is None:
        return []
    days = year_end_days(first.year, today)
    columns = [
        func.sum(
            case((and_(entry.c.shown_from <= day, entry.c.shown_until >= day), 1), else_=0)
        ).label(f"y{day.year}")
        for day in days
    ]
    rows = db.session.execute(
        select(entry.c.level, *columns)
        .where(entry.c.shown_until >= days[0])
        .group_by(entry.c.level)
    ).all()
    return [
        (day.year, Counter({row[0]: int(row[i + 1] or 0) for row in rows if row[i + 1]}))
        for i, day in enumerate(days)
    ]
