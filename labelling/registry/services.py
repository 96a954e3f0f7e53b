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


def kept_counts(today: date, query: search.RegistryQuery) -> search.Counted:
    """The total and facet counts of the query's words and filters, kept: every order and
    page of them shows the same (counting the whole register's cube takes milliseconds)."""
    terms = tuple(sorted(query.terms))
    filters = tuple(query.chosen(facet) for facet in search.FACETS)
    return cached(
        "registry-counts",
        (terms, filters),
        lambda: search.count_facets(kept_cube(today, terms), query),
    )


def run_search(query: search.RegistryQuery) -> search.RegistryPage:
    """One page of the registry for today. Raises core.paging.BadCursor for a cursor not ours."""
    today = date.today()
    return search.search(query, today, kept_counts(today, query))
