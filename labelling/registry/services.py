"""Registry services the pages and the API share: a search with the kept facet cube."""

from __future__ import annotations

from datetime import date

from labelling.registry import search
from labelling.registry.caching import cached


def kept_cube(today: date) -> search.Cube:
    """The facet counts' cube without search words: kept per data version and day, it
    serves every combination of filters, sorts and pages (and the statistics)."""
    return cached("registry-cube", (), lambda: search.cube([], today))


def run_search(query: search.RegistryQuery) -> search.RegistryPage:
    """One page of the registry for today. Raises core.paging.BadCursor for a cursor not ours."""
    today = date.today()
    cube = search.cube(query.terms, today) if query.terms else kept_cube(today)
    return search.search(query, today, cube)
