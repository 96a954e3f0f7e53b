"""Registry services the pages and the API share: a search with the kept facet cube."""

from __future__ import annotations

from datetime import date

from labelling.registry import search
from labelling.registry.caching import cached


def kept_cube(today: date, terms: tuple[str, ...] = ()) -> search.Cube:
    """The facet counts' cube for the search words (none: the whole register), kept per
    data version and day. One cube serves every filter, sort and page of those words: a
    reader who searches, then picks a level, a country or the next page, asks for pages
    nobody asked before that need no count again (and the statistics use the words-free
    cube)."""
    return cached("registry-cube", terms, lambda: search.cube(list(terms), today))


def run_search(query: search.RegistryQuery) -> search.RegistryPage:
    """One page of the registry for today. Raises core.paging.BadCursor for a cursor not ours."""
    today = date.today()
    return search.search(query, today, kept_cube(today, tuple(sorted(query.terms))))
