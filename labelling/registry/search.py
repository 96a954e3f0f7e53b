"""The public registry: organisations with a current label, searched, faceted and paged.

One row per organisation: its current label (valid today and not revoked), preferring an
active label to a suspended one and then the highest level. Facet counts follow the usual
rule of faceted search: each facet is counted with every other filter applied but its own,
so choosing "Gold" still shows how many Silver organisations match the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, and_, case, extract, func, select
from sqlalchemy.sql import ColumnElement

from labelling.certificates.models import Label, LabelStatus
from labelling.core.text import search_terms
from labelling.extensions import db
from labelling.organisations.models import Organisation

FACETS = ("level", "country", "technology_area", "status", "year")
SORTS = ("name", "-name", "level", "-level", "valid_until", "-valid_until", "country", "-year")
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# The statuses a current label can have; expired and revoked labels are not listed.
REGISTRY_STATUSES = (LabelStatus.ACTIVE.value, LabelStatus.SUSPENDED.value)


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

    def chosen(self, facet: str) -> tuple:
        return getattr(self, facet)


@dataclass(frozen=True)
class RegistryEntry:
    organisation: Organisation
    label: Label
    status: LabelStatus


@dataclass
class RegistryPage:
    query: RegistryQuery
    entries: list[RegistryEntry]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.query.per_page))

    @property
    def has_next(self) -> bool:
        return self.query.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.query.page > 1


def current_labels(today: date, level_ranks: dict[str, int]):
    """Subquery: each organisation's one current label, with the columns facets use."""
    rank = case(level_ranks, value=Label.level, else_=0)
    is_active = case((Label.status == LabelStatus.ACTIVE.value, 1), else_=0)
    position = (
        func.row_number()
        .over(
            partition_by=Label.organisation_id,
            order_by=(is_active.desc(), rank.desc(), Label.valid_until.desc(), Label.id.desc()),
        )
        .label("position")
    )
    ranked = (
        select(
            Label.id.label("label_id"),
            Label.organisation_id,
            Label.level,
            Label.status,
            Label.valid_until,
            rank.label("level_rank"),
            extract("year", Label.assessment_date).label("year"),
            position,
        )
        .where(
            Label.status.in_(REGISTRY_STATUSES),
            Label.valid_from <= today,
            Label.valid_until >= today,
        )
        .subquery("ranked")
    )
    return select(ranked).where(ranked.c.position == 1).subquery("current")


def _facet_columns(current) -> dict[str, ColumnElement]:
    return {
        "level": current.c.level,
        "country": Organisation.country_code,
        "technology_area": Organisation.technology_area,
        "status": current.c.status,
        "year": current.c.year,
    }


def _text_filter(q: str) -> ColumnElement | None:
    terms = search_terms(q)
    if not terms:
        return None
    # Every word must occur in the folded names or city; LIKE wildcards in words are literal.
    return and_(
        *(Organisation.search_text.like(f"%{_escape_like(term)}%", escape="\\") for term in terms)
    )


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filters(query: RegistryQuery, current, skip: str | None = None) -> list[ColumnElement]:
    columns = _facet_columns(current)
    conditions = []
    text = _text_filter(query.q)
    if text is not None:
        conditions.append(text)
    for facet in FACETS:
        values = query.chosen(facet)
        if facet != skip and values:
            conditions.append(columns[facet].in_(values))
    return conditions


def _base(current, *columns) -> Select:
    return (
        select(*columns)
        .select_from(Organisation)
        .join(current, current.c.organisation_id == Organisation.id)
    )


def _order(query: RegistryQuery, current) -> list:
    # The folded text starts with the folded legal name: "Øresund" sorts with the O's on
    # every database, whatever its collation does with accents.
    name = Organisation.search_text
    orders = {
        "name": [name.asc()],
        "-name": [name.desc()],
        "level": [current.c.level_rank.asc(), name.asc()],
        "-level": [current.c.level_rank.desc(), name.asc()],
        "valid_until": [current.c.valid_until.asc(), name.asc()],
        "-valid_until": [current.c.valid_until.desc(), name.asc()],
        "country": [Organisation.country_code.asc(), name.asc()],
        "-year": [current.c.year.desc(), name.asc()],
    }
    return [*orders[query.sort], Organisation.id.asc()]


def facet_counts(query: RegistryQuery, current) -> dict[str, list[tuple[str, int]]]:
    """For each facet, (value, organisations) with every other filter applied."""
    counts = {}
    for facet, column in _facet_columns(current).items():
        rows = db.session.execute(
            _base(current, column, func.count())
            .where(*_filters(query, current, skip=facet))
            .group_by(column)
            .order_by(func.count().desc(), column)
        )
        counts[facet] = [(str(int(value) if facet == "year" else value), n) for value, n in rows]
    return counts


def search(
    query: RegistryQuery, today: date, level_ranks: dict[str, int], with_facets: bool = True
) -> RegistryPage:
    current = current_labels(today, level_ranks)
    conditions = _filters(query, current)
    total = db.session.scalar(_base(current, func.count()).where(*conditions)) or 0
    rows = db.session.execute(
        _base(current, Organisation, Label)
        .join(Label, Label.id == current.c.label_id)
        .where(*conditions)
        .order_by(*_order(query, current))
        .limit(query.per_page)
        .offset((query.page - 1) * query.per_page)
    ).all()
    entries = [RegistryEntry(org, label, label.status_on(today)) for org, label in rows]
    facets = facet_counts(query, current) if with_facets else {}
    return RegistryPage(query=query, entries=entries, total=total, facets=facets)


def all_entries(query: RegistryQuery, today: date, level_ranks: dict[str, int]):
    """Every matching entry, unpaged, in the query's order (for downloads)."""
    current = current_labels(today, level_ranks)
    rows = db.session.execute(
        _base(current, Organisation, Label)
        .join(Label, Label.id == current.c.label_id)
        .where(*_filters(query, current))
        .order_by(*_order(query, current))
    )
    for org, label in rows:
        yield RegistryEntry(org, label, label.status_on(today))


def has_public_page(organisation_id: int) -> bool:
    """An organisation is public once it has held a label; its history stays public."""
    return (
        db.session.scalar(select(Label.id).where(Label.organisation_id == organisation_id).limit(1))
        is not None
    )
