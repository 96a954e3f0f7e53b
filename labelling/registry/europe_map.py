"""The map of Europe: labelled organisations per country as a choropleth (the templates draw
it as SVG; this only measures).

The outlines are Natural Earth's 1:50m countries (public domain), projected and simplified
by tools/europe_map.py into static/img/europe-map.svg, one path per country with its ISO
code as id. A page draws each country with `<use>` of that path: the outlines travel once
to a browser, which keeps them. Countries too small to draw at that scale (Monaco, the
Vatican) and countries outside the frame are listed beside the map.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

OUTLINES = "img/europe-map.svg"  # in the static folder
STEPS = 5  # shades of the colour scale, besides "none"


@dataclass(frozen=True)
class Shape:
    code: str
    count: int
    step: int  # 0 for no labelled organisation, else 1 to STEPS (the darkest)


@dataclass(frozen=True)
class Step:
    number: int
    low: int
    high: int


@dataclass(frozen=True)
class Choropleth:
    width: int
    height: int
    shapes: list[Shape]
    steps: list[Step]
    not_drawn: list[tuple[str, int]]  # countries with organisations but no outline

    @property
    def total(self) -> int:
        return sum(shape.count for shape in self.shapes) + sum(n for _c, n in self.not_drawn)


@dataclass(frozen=True)
class Outlines:
    width: int
    height: int
    codes: tuple[str, ...]  # the countries drawn, in the file's order


@cache
def outlines(static_folder: str) -> Outlines:
    """The drawing's size and the countries it holds (the ids of its paths)."""
    root = ElementTree.parse(Path(static_folder) / OUTLINES).getroot()  # noqa: S314 - our file
    codes = tuple(element.get("id") for element in root if element.get("id"))
    return Outlines(int(root.get("width")), int(root.get("height")), codes)


def steps_for(counts: list[int], steps: int = STEPS) -> list[Step]:
    """Up to `steps` classes of the non-zero counts, each holding about as many countries
    (quantiles: a few large countries would otherwise leave every other country alike)."""
    values = sorted(count for count in counts if count > 0)
    if not values:
        return []
    highs: list[int] = []
    for number in range(1, steps + 1):
        high = values[max(0, round(number * len(values) / steps) - 1)]
        if not highs or high > highs[-1]:
            highs.append(high)
    lows = [values[0]] + [high + 1 for high in highs[:-1]]
    # With fewer classes than shades the darkest shades are used: one labelled country
    # stands out from the unlabelled ones instead of being barely tinted.
    first = steps - len(highs) + 1
    return [
        Step(first + i, low, high) for i, (low, high) in enumerate(zip(lows, highs, strict=True))
    ]


def step_of(count: int, steps: list[Step]) -> int:
    return next((step.number for step in steps if count <= step.high), 0) if count > 0 else 0


def choropleth(counts: Mapping[str, int], drawn: Outlines) -> Choropleth:
    """Every outlined country shaded by its count; the counts without an outline apart."""
    steps = steps_for(list(counts.values()))
    shapes = [
        Shape(code, counts.get(code, 0), step_of(counts.get(code, 0), steps))
        for code in drawn.codes
    ]
    not_drawn = sorted(
        (code, count) for code, count in counts.items() if count > 0 and code not in drawn.codes
    )
    return Choropleth(drawn.width, drawn.height, shapes, steps, not_drawn)
