"""The map of Europe on the registry and statistics pages (issue 28): an SVG choropleth of
labelled organisations per country, a table beside it with the same numbers, each country a
link that filters the registry, no script, in the six languages."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import pycountry
import pytest

from labelling.registry.europe_map import Step, choropleth, outlines, step_of, steps_for

EU_AND_NEIGHBOURS = (
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "IS LI NO CH GB AL BA ME MK RS XK TR UA MD GE AM"
).split()


def country_links(html: str, map_id: str) -> dict[str, str]:
    """aria-label -> href of each country link inside the map's SVG."""
    svg = html.split(f'id="{map_id}"')[1].split("</svg>")[0]
    return {
        label: href for href, label in re.findall(r'<a href="([^"]+)" aria-label="([^"]+)">', svg)
    }


STATIC = Path(__file__).resolve().parents[2] / "static"


class TestTheOutlines:
    def test_every_country_of_the_scheme_is_drawn(self):
        drawn = outlines(str(STATIC))
        assert [code for code in EU_AND_NEIGHBOURS if code not in drawn.codes] == []

    def test_each_outline_is_a_closed_svg_path_named_by_its_country(self):
        root = ElementTree.parse(STATIC / "img" / "europe-map.svg").getroot()  # noqa: S314
        paths = list(root)
        assert len(paths) == len(outlines(str(STATIC)).codes) > 50
        for path in paths:
            code, d = path.get("id"), path.get("d")
            assert code == "XK" or pycountry.countries.get(alpha_2=code), code
            assert d.startswith("m") and d.endswith("z"), code


class TestTheScale:
    def test_shades_hold_about_as_many_countries_each(self):
        # Ten countries, one of them far larger: five shades of two countries each, not one
        # country dark and nine alike.
        counts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 5000]
        assert steps_for(counts) == [
            Step(1, 1, 2),
            Step(2, 3, 4),
            Step(3, 5, 6),
            Step(4, 7, 8),
            Step(5, 9, 5000),
        ]

    def test_few_distinct_counts_make_few_shades(self):
        # ... and the darkest ones, so that one labelled country stands out.
        assert steps_for([3, 3, 3]) == [Step(5, 3, 3)]
        assert steps_for([0, 0]) == []

    def test_a_country_without_organisations_is_unshaded(self):
        steps = steps_for([1, 10])
        assert step_of(0, steps) == 0 and step_of(1, steps) == 4 and step_of(10, steps) == 5

    def test_a_country_too_small_to_draw_is_listed_beside_the_map(self):
        drawn = choropleth({"DE": 4, "MC": 2, "VA": 0}, outlines(str(STATIC)))
        assert drawn.not_drawn == [("MC", 2)]
        assert drawn.total == 6
        assert next(s for s in drawn.shapes if s.code == "DE").step == 5


def test_the_registry_shows_the_map_and_a_click_filters_it(client, registry):
    html = client.get("/registry").get_data(as_text=True)
    links = country_links(html, "registry-map")
    assert links == {
        "Germany: 2 labelled organisations": "/registry?country=DE",
        "Denmark: 1 labelled organisation": "/registry?country=DK",
        "France: 1 labelled organisation": "/registry?country=FR",
        "Poland: 1 labelled organisation": "/registry?country=PL",
    }
    # The table beside the map holds the same numbers.
    table = html.split('aria-labelledby="map-heading"')[1].split("</table>")[0]
    assert '<a href="/registry?country=DE">Germany</a></th><td class="num">2</td>' in table
    german = client.get(links["Germany: 2 labelled organisations"]).get_data(as_text=True)
    assert "Bavarian ICT Network" in german and "Øresund Food Cluster" not in german


def test_the_map_comes_with_the_first_page_of_results_only(client, registry):
    assert 'id="registry-map"' in client.get("/registry?per_page=2").text
    assert 'id="registry-map"' not in client.get("/registry?per_page=2&page=2").text


def test_a_click_keeps_the_other_filters_and_the_words(client, registry):
    html = client.get("/registry?level=gold&q=cluster&page=1").get_data(as_text=True)
    links = country_links(html, "registry-map")
    href = links["Germany: 1 labelled organisation"]
    assert href.startswith("/registry?") and "level=gold" in href and "q=cluster" in href
    assert "country=DE" in href and "page=" not in href


def test_the_statistics_page_shows_the_map_beside_its_table(client, registry):
    html = client.get("/registry/statistics").get_data(as_text=True)
    links = country_links(html, "by-country-map")
    assert links["Germany: 2 labelled organisations"] == "/registry?country=DE"
    assert len(links) == 4
    # The unshaded countries are drawn but are not links; every outline comes from the one
    # static file.
    assert html.count('<use href="/static/img/europe-map.svg#') > 50
    assert "<script" not in html.split('id="by-country-map"')[1].split("</figure>")[0]


@pytest.mark.parametrize(
    ("language", "title", "germany"),
    [
        ("en", "Map of Europe: labelled organisations per country", "Germany"),
        ("de", "Europakarte", "Deutschland"),
        ("fr", "Carte de l\u2019Europe", "Allemagne"),
        ("es", "Mapa de Europa", "Alemania"),
        ("it", "Mappa dell\u2019Europa", "Germania"),
        ("pl", "Mapa Europy", "Niemcy"),
    ],
)
def test_the_map_speaks_each_language(client, registry, language, title, germany):
    html = client.get("/registry/statistics", headers={"Accept-Language": language}).get_data(
        as_text=True
    )
    svg = html.split('id="by-country-map"')[1].split("</svg>")[0]
    assert title in svg
    # French puts a space before the colon.
    labels = country_links(html, "by-country-map")
    assert any(re.match(rf"{germany}\s?: 2 ", label) for label in labels), labels
