"""Search through the index (pg_trgm / FTS5), relevance, facet counts and keyset pages;
the same results on SQLite and PostgreSQL (the suite runs on both)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelling.registry.search import FACETS, SORTS, RegistryQuery, count_facets
from tests.factories import create_user, labelled_organisation
from tests.statements import counted_statements


def api(client, query: str = "", status: int = 200) -> dict:
    response = client.get(f"/api/v1/organisations{query}")
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def names(body: dict) -> list[str]:
    return [item["organisation"]["name"] for item in body["items"]]


@pytest.fixture
def food(app):
    manager = create_user("food@example.org")
    for name, city in (
        ("Seafood Valley", "Ålesund"),
        ("Øresund Food Cluster", "København"),
        ("Food Innovation Network", "Lyon"),
        ("Automobilcluster Sachsen", "Dresden"),
        ("Klaster Spożywczy Łódź", "Łódź"),
    ):
        labelled_organisation(manager, "silver", legal_name=name, city=city)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("cluster", ["Automobilcluster Sachsen", "Øresund Food Cluster"]),  # inside a word
        ("spozywczy lodz", ["Klaster Spożywczy Łódź"]),  # ł, ó, ż and ź folded
        ("ALESUND", ["Seafood Valley"]),  # the city, case folded
        ("resund", ["Øresund Food Cluster"]),  # part of a word
        ("fo", ["Food Innovation Network", "Øresund Food Cluster", "Seafood Valley"]),
        ("o food", ["Food Innovation Network", "Øresund Food Cluster", "Seafood Valley"]),
        ("6 cluster", []),  # a short and a long word together (crashed SQLite 3.40's FTS5)
        ("100%_", []),  # punctuation separates words; no wildcard gets through
    ],
)
def test_words_are_found_anywhere_in_the_names_and_city(client, food, q, expected):
    assert sorted(names(api(client, f"?q={q}&sort=name"))) == sorted(expected)


def test_with_words_the_best_matches_come_first(client, food):
    # A name starting with the word, then the word on its own, then inside another word.
    assert names(api(client, "?q=food")) == [
        "Food Innovation Network",
        "Øresund Food Cluster",
        "Seafood Valley",
    ]
    assert names(api(client, "?q=food&sort=-name")) == [  # an order chosen wins
        "Seafood Valley",
        "Øresund Food Cluster",  # Ø sorts with the O's
        "Food Innovation Network",
    ]
    page = client.get("/registry?q=food").get_data(as_text=True)
    assert '<option value="relevance" selected>Best match</option>' in page


def test_a_first_typed_search_comes_best_match_first(client, food):
    """Issue 28, finding 3: the registry's form offered "Best match" only once words were
    given, so the first search a reader typed was sent with sort=name."""
    start = client.get("/registry").get_data(as_text=True)
    # What the browser sends: the words typed, and the order the form shows selected.
    [sort] = re.findall(r'<option value="([^"]*)" selected>', start.split('name="sort"')[1])
    assert sort == "relevance"
    page = client.get(f"/registry?q=food&sort={sort}").get_data(as_text=True)
    found = re.findall(r"(Food Innovation Network|Øresund Food Cluster|Seafood Valley)", page)
    assert found[:3] == ["Food Innovation Network", "Øresund Food Cluster", "Seafood Valley"]


def test_a_search_refined_by_filters_and_pages_counts_its_facets_once(client, food):
    """A reader searches, then picks a level, a country, another order or the next page:
    each a page nobody asked before, whose facet counts come from the words' kept cube
    (one count per words, data version and day), not from another count of the matches."""
    refinements = [
        "/registry?q=food",
        "/registry?q=food&level=silver",
        "/registry?q=FOOD&country=DK&level=silver",
        "/registry?q=food&sort=-name&page=2",
        "/api/v1/organisations?q=food&per_page=1&page=3",
    ]
    with counted_statements() as statements:
        for url in refinements:
            assert client.get(url).status_code == 200
    counts = [sql for sql in statements if "GROUP BY registry_entry.cell_id" in sql]
    assert len(counts) == 1
    with counted_statements() as statements:  # other words: counted on their own
        assert client.get("/registry?q=food cluster").status_code == 200
        assert client.get("/registry?q=cluster food&page=2").status_code == 200
    assert sum("GROUP BY registry_entry.cell_id" in sql for sql in statements) == 1


@pytest.mark.parametrize("sort", SORTS)
def test_keyset_pages_walk_the_same_order_as_numbered_pages(client, registry, sort):
    q = "&q=a" if sort == "relevance" else ""
    everything = api(client, f"?sort={sort}&per_page=100{q}")
    walked, cursor, pages = [], None, 0
    while True:
        body = api(client, f"?sort={sort}&per_page=2{q}" + (f"&cursor={cursor}" if cursor else ""))
        walked += body["items"]
        pages += 1
        if cursor:  # paging by cursor: no page number, and the next link carries one
            assert body["page"] is None
            assert body["next_cursor"] is None or "cursor=" in body["links"]["next"]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert [item["label"]["id"] for item in walked] == [
        item["label"]["id"] for item in everything["items"]
    ]
    assert pages == 3  # five organisations, two at a time, the last page short


def test_a_cursor_not_ours_is_refused_with_a_reason(client, registry):
    first = api(client, "?per_page=2&sort=name")
    for query in (
        f"?sort=-level&cursor={first['next_cursor']}",  # made for another order
        "?cursor=bm90LWEtY3Vyc29y",  # not one of ours at all
        "?cursor=%%%",
        f"?page=2&cursor={first['next_cursor']}",
    ):
        error = api(client, query, status=400)["error"]
        assert error["status"] == 400 and "cursor" in error["fields"]


@st.composite
def cubes(draw):
    values = [
        ("bronze", "silver", "gold"),
        ("DE", "FR", "DK"),
        ("ict", "food"),
        ("active", "suspended"),
        (2024, 2025, 2026),
    ]
    cells = draw(st.sets(st.tuples(*(st.sampled_from(v) for v in values)), max_size=40))
    return [(*cell, draw(st.integers(min_value=1, max_value=9))) for cell in cells], values


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_facet_counts_from_the_cube_are_each_facet_without_its_own_filter(data):
    cube, values = data.draw(cubes())
    chosen = {
        facet: tuple(data.draw(st.sets(st.sampled_from(options), max_size=2)))
        for facet, options in zip(FACETS, values, strict=True)
    }
    total, facets = count_facets(cube, RegistryQuery(**chosen))
    rows = [cell[:5] for cell in cube for _ in range(cell[5])]  # one per organisation

    def passes(row, skip=None):
        return all(
            not chosen[facet] or row[i] in chosen[facet]
            for i, facet in enumerate(FACETS)
            if facet != skip
        )

    assert total == sum(1 for row in rows if passes(row))
    for i, facet in enumerate(FACETS):
        expected = Counter(str(row[i]) for row in rows if passes(row, skip=facet))
        assert dict(facets[facet]) == dict(expected)
        counts = [n for _value, n in facets[facet]]
        assert counts == sorted(counts, reverse=True)
