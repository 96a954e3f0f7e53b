"""Geometry for server-rendered SVG charts (the templates draw; this only measures).

Charts are plain SVG with a title and description, each drawn beside a data table, so
screen readers and people who prefer numbers get the same information.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    segment: str = ""  # the series a stacked segment belongs to


@dataclass(frozen=True)
class Tick:
    value: int
    position: float


def nice_maximum(value: int) -> int:
    """A round axis maximum at or above `value` (1, 2, 5 times a power of ten)."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def ticks(maximum: int, length: float, count: int = 4) -> list[Tick]:
    step = max(1, maximum // count)
    return [Tick(v, length * v / maximum) for v in range(0, maximum + 1, step)]


def horizontal_bars(
    rows: list[tuple[str, int]], width: float = 420, bar_height: float = 22, gap: float = 8
) -> tuple[list[Bar], list[Tick], float]:
    """One bar per row, left to right; returns bars, axis ticks and the plot height."""
    maximum = nice_maximum(max((value for _label, value in rows), default=0))
    bars = [
        Bar(label, value, 0, i * (bar_height + gap), width * value / maximum, bar_height)
        for i, (label, value) in enumerate(rows)
    ]
    return bars, ticks(maximum, width), len(rows) * (bar_height + gap)


def stacked_columns(
    columns: list[tuple[str, list[tuple[str, int]]]],
    height: float = 200,
    column_width: float = 28,
    gap: float = 14,
) -> tuple[list[Bar], list[Tick], float]:
    """Columns of stacked segments, bottom up; returns segments, ticks and the plot width."""
    totals = [sum(value for _series, value in segments) for _label, segments in columns]
    maximum = nice_maximum(max(totals, default=0))
    bars = []
    for i, (label, segments) in enumerate(columns):
        x = i * (column_width + gap)
        bottom = height
        for series, value in segments:
            segment_height = height * value / maximum
            bottom -= segment_height
            bars.append(Bar(label, value, x, bottom, column_width, segment_height, series))
    return bars, ticks(maximum, height), len(columns) * (column_width + gap)
