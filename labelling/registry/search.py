"""The public registry: organisations with a current label, searched, faceted and paged.

Everything reads the registry's read model (`registry_entry`), where "listed today" is
two date comparisons on an index (see `registry.timeline`). Facet counts follow the usual
rule of faceted search: each facet is counted with every other filter applied but its
own, so choosing "Gold" still shows how many Silver organisations match the rest. All
five facets and the total come from one grouped scan (the "cube": one count per
combination of facet values); without search words the cube depends only on the data
version and the day, so it is computed once per change and kept in the cache.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import NamedTuple

from sqlalchemy import (
    Integer,
    Select,
    and_,
    case,
    column,
    func,
    or_,
    select,
    table,
)
from sqlalchemy.sql import ColumnElement

from labelling.certificates.models import LabelStatus
from labelling.core.paging import after, decode_cursor, encode_cursor, ordered
from labelling.core.text import search_terms
from labelling.extensions import db
from labelling.registry.models import RegistryCell, RegistryEntry

FACETS = ("level", "country", "technology_area", "status", "year")
SORTS = (
    "name",
    "-name",
    "level",
    "-level",
    "valid_until",
    "-valid_until",
    "country",
    "-year",
    "relevance",
)
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# The statuses a listed label can have; expired and revoked labels are not listed.
REGISTRY_STATUSES = (LabelStatus.ACTIVE.value, LabelStatus.SUSPENDED.value)

entry = RegistryEntry.__table__
cell = RegistryCell.__table__
FACET_COLUMNS = {
    "level": entry.c.level,
    "country": entry.c.country_code,
    "technology_area": entry.c.technology_area,
    "status": entry.c.status,
    "year": entry.c.assessment_year,
}
# The SQLite full-text index over search_document (see registry.models), and the length
# of word it can look up.
TRIGRAM = 3
_fts = table("registry_search", column("rowid", Integer), column("search_document"))


@dataclass(frozen=True)
class RegistryQuery:
    q: str = ""
    level: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    technology_area: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    year: tuple[int, ...] = ()
    sort: str = "name"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    cursor: str | None = None  # keyset paging (the API); pages by number otherwise

    def chosen(self, facet: str) -> tuple:
        return getattr(self, facet)

    @property
    def terms(self) -> list[str]:
        return search_terms(self.q)


class RegistryRow(NamedTuple):
    """One listed organisation with its label, as the read model holds them (a named
    tuple: downloads make 100,000 of them)."""

    organisation_id: int
    label_id: int
    legal_name: str
    short_name: str | None
    city: str
    region: str | None
    country_code: str
    technology_area: str
    website: str | None
    level: str
    status: str
    status_reason: str | None
    framework_id: str
    framework_version: str
    assessment_date: date
    valid_from: date
    valid_until: date
    certificate_number: str | None

    @property
    def label_status(self) -> LabelStatus:
        return LabelStatus(self.status)


ROW_COLUMNS = [entry.c[name] for name in RegistryRow._fields]


@dataclass
class RegistryPage:
    query: RegistryQuery
    entries: list[RegistryRow]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    next_cursor: str | None = None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.query.per_page))

    @property
    def has_next(self) -> bool:
        return self.query.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.query.page > 1


def listed_on(day: date) -> ColumnElement:
    """The rows that list an organisation on `day` (one per organisation at most)."""
    return and_(entry.c.shown_until >= day, entry.c.shown_from <= day)


def text_filter(terms: list[str]) -> ColumnElement | None:
    """Every word must occur in the folded names or city, also inside a longer word
    ("cluster" finds "Automobilcluster"). Words are letters and digits only, so they
    carry no LIKE wildcards. PostgreSQL answers from a trigram index, SQLite from FTS5."""
    if not terms:
        return None
    if db.engine.dialect.name != "sqlite":
        return and_(*(entry.c.search_document.like(f"%{term}%") for term in terms))
    # FTS5's trigram index serves words of three letters or more. Shorter ones are matched
    # on the row itself: SQLite 3.40 crashes when one FTS5 query mixes both kinds.
    long_terms = [term for term in terms if len(term) >= TRIGRAM]
    conditions = [
        entry.c.search_document.like(f"%{term}%") for term in terms if len(term) < TRIGRAM
    ]
    if long_terms:
        matching = select(_fts.c.rowid).where(
            *(_fts.c.search_document.like(f"%{term}%") for term in long_terms)
        )
        conditions.append(entry.c.id.in_(matching))
    return and_(*conditions)


def _facet_filters(query: RegistryQuery, skip: str | None = None) -> list[ColumnElement]:
    return [
        FACET_COLUMNS[facet].in_(query.chosen(facet))
        for facet in FACETS
        if facet != skip and query.chosen(facet)
    ]


def relevance(terms: list[str]) -> ColumnElement:
    """A score both databases compute alike: a word matching a whole word counts most,
    then the start of a word; a name starting with the first word comes first. (Written
    without building a padded copy of each document: a short word matches thousands of
    rows, and the score is computed for every one of them.)"""
    document = entry.c.search_document
    score = case((entry.c.sort_name.like(f"{terms[0]}%"), 1), else_=0)
    for term in terms:
        starts_a_word = or_(document.like(f"{term}%"), document.like(f"% {term}%"))
        whole_word = or_(
            document == term,
            document.like(f"{term} %"),
            document.like(f"% {term}"),
            document.like(f"% {term} %"),
        )
        score = score + case((starts_a_word, case((whole_word, 3), else_=1)), else_=0)
    return score


def _order(query: RegistryQuery) -> list[tuple[ColumnElement, bool]]:
    """(column, ascending) pairs, the organisation id last so that the order is total.
    Each order but relevance follows one index of registry_entry (see its models)."""
    name = entry.c.sort_name
    if query.sort == "-name":  # the name index read backwards, ties included
        return [(name, False), (entry.c.organisation_id, False)]
    orders = {
        "name": [(name, True)],
        "level": [(entry.c.level_rank, True), (name, True)],
        "-level": [(entry.c.level_rank, False), (name, True)],
        "valid_until": [(entry.c.valid_until, True), (name, True)],
        "-valid_until": [(entry.c.valid_until, False), (name, True)],
        "country": [(entry.c.country_code, True), (name, True)],
        "-year": [(entry.c.assessment_year, False), (name, True)],
    }
    if query.sort == "relevance":
        chosen = [(relevance(query.terms), False), (name, True)] if query.terms else orders["name"]
    else:
        chosen = orders[query.sort]
    return [*chosen, (entry.c.organisation_id, True)]


def _conditions(query: RegistryQuery, today: date) -> list[ColumnElement]:
    conditions = [listed_on(today), *_facet_filters(query)]
    text = text_filter(query.terms)
    if text is not None:
        conditions.append(text)
    return conditions


def _rows_statement(query: RegistryQuery, today: date) -> Select:
    """Every matching row in the query's order (downloads)."""
    return ordered(select(*ROW_COLUMNS).where(*_conditions(query, today)), _order(query))


# --- facets -----------------------------------------------------------------------------

Cube = list[tuple]  # (level, country, technology area, status, year, count)


def cube(terms: list[str], today: date) -> Cube:
    """Counts of listed organisations per combination of facet values: one scan of the
    index on the period and the cell, grouped by the cell's number."""
    conditions = [listed_on(today)]
    text = text_filter(terms)
    if text is not None:
        conditions.append(text)
    counted = (
        select(entry.c.cell_id, func.count().label("n"))
        .where(*conditions)
        .group_by(entry.c.cell_id)
        .subquery()
    )
    values = [cell.c[name] for name in ("level", "country_code", "technology_area", "status")]
    result = db.session.connection().execute(
        select(*values, cell.c.assessment_year, counted.c.n).join_from(
            counted, cell, cell.c.id == counted.c.cell_id
        )
    )
    # Plain tuples straight from the driver: these columns need no conversion, and a
    # cold page reads thousands of them.
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def count_facets(data: Cube, query: RegistryQuery) -> tuple[int, dict[str, list]]:
    """The total and every facet's counts (disjunctive: each facet without its own
    filter) from the cube. A combination that fails one filter counts only for that
    filter's facet; one that fails two counts nowhere. (Runs once per cold page over a
    few thousand combinations, hence the plain loops.)"""
    chosen = [frozenset(query.chosen(facet)) for facet in FACETS]
    filtered = [i for i, values in enumerate(chosen) if values]
    counts: list[dict] = [defaultdict(int) for _ in FACETS]
    by_level, by_country, by_area, by_status, by_year = counts
    total = 0
    for cell in data:
        missed = None
        for i in filtered:
            if cell[i] not in chosen[i]:
                if missed is not None:
                    break
                missed = i
        else:
            n = cell[5]
            if missed is None:
                total += n
                by_level[cell[0]] += n
                by_country[cell[1]] += n
                by_area[cell[2]] += n
                by_status[cell[3]] += n
                by_year[cell[4]] += n
            else:
                counts[missed][cell[missed]] += n
    facets = {
        facet: [
            (str(value), n)
            for value, n in sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        ]
        for facet, counter in zip(FACETS, counts, strict=True)
    }
    return total, facets


# --- the search -------------------------------------------------------------------------


Counted = tuple[int, dict[str, list]]  # the total and the facets, as count_facets gives them


def search(query: RegistryQuery, today: date, counted: Counted | None = None) -> RegistryPage:
    """One page of the registry with the total and facets.

    `counted` may be passed when the caller keeps the counts (they must be for the query's
    words, filters and day); otherwise they are computed. Raises BadCursor for a cursor
    not of ours."""
    if counted is None:
        counted = count_facets(cube(query.terms, today), query)
    total, facets = counted
    order = _order(query)
    rows = db.session.execute(_page_statement(query, today, order)).all()
    next_cursor = None
    if len(rows) == query.per_page:
        last = rows[-1]._mapping
        next_cursor = encode_cursor(query.sort, tuple(last[f"_k{i}"] for i in range(len(order))))
    return RegistryPage(
        query=query,
        entries=[_row(row) for row in rows],
        total=total,
        facets=facets,
        next_cursor=next_cursor,
    )


def _page_statement(query: RegistryQuery, today: date, order) -> Select:
    """The page's rows: first the ids and sort keys of the page (narrow rows: a search by
    relevance orders every match), then the 20 wide rows by id."""
    keys = [expression.label(f"_k{i}") for i, (expression, _) in enumerate(order)]
    page = select(entry.c.id, *keys).where(*_conditions(query, today))
    if query.cursor:
        page = page.where(after(order, decode_cursor(query.cursor, query.sort, order)))
    else:
        page = page.offset((query.page - 1) * query.per_page)
    page = ordered(page, order).limit(query.per_page).subquery("page")
    page_keys = [(page.c[f"_k{i}"], ascending) for i, (_, ascending) in enumerate(order)]
    statement = select(*ROW_COLUMNS, *(key for key, _ in page_keys)).join_from(
        page, entry, entry.c.id == page.c.id
    )
    return ordered(statement, page_keys)


_ROW_WIDTH = len(RegistryRow._fields)


def _row(row) -> RegistryRow:
    return RegistryRow._make(row[:_ROW_WIDTH])


DOWNLOAD_BATCH = 1000  # rows fetched from the database at a time for downloads


def all_entries(query: RegistryQuery, today: date) -> Iterator[RegistryRow]:
    """Every matching entry, unpaged, in the query's order, read in batches through a
    server-side cursor where the database has one (downloads of the whole register)."""
    statement = _rows_statement(replace(query, cursor=None), today)
    result = db.session.execute(
        statement, execution_options={"yield_per": DOWNLOAD_BATCH, "stream_results": True}
    )
    for row in result:
        yield _row(row)
