"""The benchmarking report: per area and indicator, the organisation's figure against the
chosen peer group, its position, and the Gold threshold; then the further figures.

Pure: it arranges a PeerView and a scoring result into rows; the templates draw them.
"""

from __future__ import annotations

from dataclasses import dataclass

from labelling.benchmarking.metrics import Metric
from labelling.benchmarking.peers import MetricStats
from labelling.benchmarking.services import PeerView
from labelling.criteria.framework import Framework, Indicator
from labelling.criteria.scoring import ScoreResult, Status

BOX_WIDTH = 300.0  # the box plot's drawing width, in SVG units


@dataclass(frozen=True)
class BoxPlot:
    """x positions (0..BOX_WIDTH) of the group's minimum, quartiles, maximum and the
    organisation's own value on one shared scale."""

    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float
    own: float | None
    low_label: float
    high_label: float


def box_plot(stats: MetricStats, own: float | None) -> BoxPlot | None:
    shown = stats.distribution
    if shown is None:
        return None
    low = min(shown.minimum, own) if own is not None else shown.minimum
    high = max(shown.maximum, own) if own is not None else shown.maximum
    span = (high - low) or 1.0

    def x(value: float) -> float:
        return round((value - low) / span * BOX_WIDTH, 2)

    return BoxPlot(
        x(shown.minimum),
        x(shown.q1),
        x(shown.median),
        x(shown.q3),
        x(shown.maximum),
        x(own) if own is not None else None,
        low,
        high,
    )


def position_key(percentile: float | None, higher_is_better: bool | None) -> str | None:
    """Which quarter of the group the organisation sits in, counted from the better end
    (which the Gold threshold tells: at least, or at most)."""
    if percentile is None or higher_is_better is None:
        return None  # without a direction, "better" means nothing: the percentile says it
    better = 100 - percentile if higher_is_better is False else percentile
    if better >= 75:
        return "top_quarter"
    if better >= 50:
        return "upper_middle"
    if better >= 25:
        return "lower_middle"
    return "bottom_quarter"


@dataclass(frozen=True)
class FigureRow:
    metric: Metric
    own: float | None
    verified: bool
    stats: MetricStats | None
    plot: BoxPlot | None
    position: str | None
    indicator: Indicator | None = None
    status: Status | None = None  # against the Gold threshold


@dataclass(frozen=True)
class AreaSection:
    code: str
    name: str
    rows: list[FigureRow]


def _row(view: PeerView, metric: Metric, indicator=None, status=None) -> FigureRow:
    own, verified = view.own.get(metric.key, (None, False))
    stats = view.group.metrics.get(metric.key) if view.group.shown else None
    plot = box_plot(stats, own) if stats is not None else None
    position = position_key(stats.percentile, metric.higher_is_better) if plot else None
    return FigureRow(metric, own, verified, stats, plot, position, indicator, status)


def indicator_sections(
    framework: Framework, view: PeerView, result: ScoreResult
) -> list[AreaSection]:
    """Every indicator by area: numeric ones with their peer figures, the others with their
    standing against the Gold threshold only."""
    by_key = {metric.indicator_code: metric for metric in view.metrics if metric.indicator_code}
    statuses = {item.code: item.status for item in result.indicators}
    sections = []
    for area in framework.areas:
        rows = []
        for indicator in framework.indicators_in(area.code):
            metric = by_key.get(indicator.code) or Metric(
                key=indicator.measure, label=indicator.name, area=area.code
            )
            rows.append(_row(view, metric, indicator, statuses.get(indicator.code)))
        sections.append(AreaSection(area.code, area.name, rows))
    return sections


def further_figures(framework: Framework, view: PeerView) -> list[AreaSection]:
    """The other numeric figures by questionnaire section (derived values last)."""
    titles = {section.id: section.title for section in framework.sections}
    grouped: dict[str, list[FigureRow]] = {}
    for metric in view.metrics:
        if metric.indicator_code is None:
            grouped.setdefault(metric.section or "derived", []).append(_row(view, metric))
    return [AreaSection(key, titles.get(key, ""), rows) for key, rows in grouped.items()]


def strengths_and_gaps(
    framework: Framework, result: ScoreResult
) -> tuple[list[Indicator], list[Indicator]]:
    """The indicators meeting the Gold threshold, and those that do not."""
    strengths = [
        framework.indicator(item.code) for item in result.indicators if item.status == Status.MET
    ]
    gaps = [
        framework.indicator(item.code)
        for item in result.indicators
        if item.status == Status.NOT_MET
    ]
    return strengths, gaps
