"""The registry as CSV and XLSX downloads: one row per labelled organisation."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font

from labelling.certificates.models import Certificate
from labelling.core.http import external_url
from labelling.registry.search import RegistryEntry

COLUMNS = [
    "name",
    "short_name",
    "city",
    "region",
    "country",
    "country_name",
    "technology_area",
    "website",
    "level",
    "valid_from",
    "valid_until",
    "status",
    "certificate_number",
    "registry_url",
]

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def rows(
    entries: Iterable[RegistryEntry], certificates: dict[int, Certificate]
) -> Iterable[list[str]]:
    for entry in entries:
        organisation, label = entry.organisation, entry.label
        certificate = certificates.get(label.id)
        yield [
            _safe(value)
            for value in (
                organisation.legal_name,
                organisation.short_name,
                organisation.city,
                organisation.region,
                organisation.country_code,
                organisation.country_name,
                organisation.technology_area,
                organisation.website,
                label.level,
                label.valid_from.isoformat(),
                label.valid_until.isoformat(),
                entry.status.value,
                certificate.number if certificate else "",
                external_url("registry.organisation", organisation_id=organisation.id),
            )
        ]


def registry_csv(table: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(table)
    # A byte order mark lets spreadsheet programs recognise UTF-8 (accents, Cyrillic).
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def registry_xlsx(table: Iterable[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Registry"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
