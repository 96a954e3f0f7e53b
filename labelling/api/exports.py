"""The registry as CSV, XLSX and JSON downloads, streamed in constant memory.

Rows come from the read model in batches (a server-side cursor on PostgreSQL) and leave
as they are written: the whole register of 100,000 organisations never sits in memory.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date

from labelling.api.resources import Names, Urls, registry_item
from labelling.core.cells import plain_row
from labelling.registry.search import RegistryRow

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

CHUNK_BYTES = 64 * 1024  # bytes sent at a time


def rows(entries: Iterable[RegistryRow], urls: Urls, names: Names) -> Iterator[list]:
    """One list per entry, in COLUMNS order, every cell plain (core.cells)."""
    for entry in entries:
        yield plain_row(
            [
                entry.legal_name,
                entry.short_name or "",
                entry.city or "",
                entry.region or "",
                entry.country_code,
                names.country(entry.country_code),
                entry.technology_area,
                entry.website or "",
                entry.level,
                entry.valid_from.isoformat(),
                entry.valid_until.isoformat(),
                entry.status,
                entry.certificate_number or "",
                urls.registry_page(organisation_id=entry.organisation_id),
            ]
        )


def registry_csv(
    entries: Iterable[RegistryRow], urls: Urls, names: Names, _generated: date
) -> Iterator[bytes]:
    """UTF-8 CSV with a byte order mark (spreadsheets then read accents right), sent in
    chunks of about 64 KB."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    for row in rows(entries, urls, names):
        writer.writerow(row)
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def registry_xlsx(
    entries: Iterable[RegistryRow], urls: Urls, names: Names, _generated: date
) -> Iterator[bytes]:
    """An XLSX workbook in openpyxl's write-only mode (rows go to a temporary file as they
    come), saved to a spooled file and sent in chunks."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Registry")
    sheet.freeze_panes = "A2"
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows(entries, urls, names):
        sheet.append(row)
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as file:
        workbook.save(file)
        file.seek(0)
        while chunk := file.read(CHUNK_BYTES):
            yield chunk


def _json_value(value):
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def registry_json(
    entries: Iterable[RegistryRow], urls: Urls, names: Names, generated: date
) -> Iterator[bytes]:
    """{"generated": ..., "items": [...], "total": n}: every item as in the paged API."""
    yield f'{{"generated":"{generated.isoformat()}","items":['.encode()
    total = 0
    parts: list[str] = []
    size = 0
    for entry in entries:
        text = json.dumps(
            registry_item(entry, urls, names),
            default=_json_value,
            ensure_ascii=False,
            separators=(",", ":"),
        )
        parts.append(text if total == 0 else "," + text)
        total += 1
        size += len(text)
        if size >= CHUNK_BYTES:
            yield "".join(parts).encode("utf-8")
            parts, size = [], 0
    parts.append(f'],"total":{total}}}')
    yield "".join(parts).encode("utf-8")
