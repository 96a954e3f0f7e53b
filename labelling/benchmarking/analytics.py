"""The secretariat's view over all benchmark data: distributions, trends by year, and an
anonymised export for research."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Iterable, Iterator

from flask import current_app
from sqlalchemy import func, select, true

from labelling.benchmarking.metrics import Metric
from labelling.benchmarking.models import BenchmarkEntry, BenchmarkValue
from labelling.benchmarking.peers import distributions, quartiles
from labelling.benchmarking.stats import Distribution
from labelling.core.cells import plain_row
from labelling.extensions import db


def current_distributions(
    framework_id: str, metrics: list[Metric], min_values: int
) -> dict[str, Distribution]:
    """Every metric over all organisations' current entries."""
    conditions = [BenchmarkValue.framework_id == framework_id, BenchmarkValue.is_current == true()]
    return distributions(conditions, [metric.key for metric in metrics], min_values)


def yearly_trend(
    framework_id: str, metric: str, min_values: int
) -> list[tuple[int, Distribution | None, int]]:
    """(year, distribution or None when too few, count) of one metric over the entries of
    each year's benchmarked applications."""
    counts = db.session.execute(
        select(
            BenchmarkEntry.year,
            func.count(),
            func.min(BenchmarkValue.value),
            func.max(BenchmarkValue.value),
        )
        .join(BenchmarkValue, BenchmarkValue.entry_id == BenchmarkEntry.id)
        .where(BenchmarkEntry.framework_id == framework_id, BenchmarkValue.metric == metric)
        .group_by(BenchmarkEntry.year)
        .order_by(BenchmarkEntry.year)
    ).all()
    trend = []
    for year, count, minimum, maximum in counts:
        if count < min_values:
            trend.append((year, None, count))
            continue
        conditions = [
            BenchmarkValue.entry_id.in_(
                select(BenchmarkEntry.id).where(
                    BenchmarkEntry.framework_id == framework_id, BenchmarkEntry.year == year
                )
            )
        ]
        q1, median, q3 = quartiles(conditions, metric, count)
        trend.append((year, Distribution(count, minimum, q1, median, q3, maximum), count))
    return trend


# --- the anonymised export -----------------------------------------------------------------

DESCRIPTIVE_COLUMNS = [
    "organisation_pseudonym",
    "year",
    "framework_version",
    "country",
    "technology_area",
    "size_band",
    "holds_gold",
    "assessed",
]


def pseudonym(organisation_id: int) -> str:
    """A stable stand-in for the organisation (the same in every export, so entries of one
    organisation can be followed over the years) that cannot be turned back without the
    site's secret key."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"organisation:{organisation_id}".encode(), hashlib.sha256).hexdigest()[
        :16
    ]


def export_rows(framework_id: str, metrics: list[Metric]) -> Iterator[list]:
    """One row per benchmarked application: descriptive columns, then one per metric."""
    entries = db.session.scalars(
        select(BenchmarkEntry)
        .where(BenchmarkEntry.framework_id == framework_id)
        .order_by(BenchmarkEntry.year, BenchmarkEntry.id)
        .execution_options(yield_per=500)
    )
    keys = [metric.key for metric in metrics]
    for entry in entries:
        values = {row.metric: row.value for row in entry.values}
        yield [
            pseudonym(entry.organisation_id),
            entry.year,
            entry.framework_version,
            entry.country_code,
            entry.technology_area,
            entry.size_band,
            entry.holds_gold,
            entry.is_final,
            *(values.get(key) for key in keys),
        ]


def header(metrics: list[Metric]) -> list[str]:
    return DESCRIPTIVE_COLUMNS + [metric.key for metric in metrics]


def as_csv(head: list[str], rows: Iterable[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(head)
    writer.writerows(plain_row("" if value is None else value for value in row) for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(head: list[str], rows: Iterable[list]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = "Benchmark data"
    sheet.append(head)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(plain_row(row))
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
